/**
 * A gateway built in-process for API and dispatcher tests: SQLite in a temp dir, a fresh metrics
 * registry, the real provider registry, a Huawei simulator the test controls, and supertest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import request from 'supertest';
import { HuaweiSimulator } from '../../providers/huawei/index.js';
import { providers as registry } from '../../providers/registry.js';
import type { AnyProviderDefinition } from '../../providers/types.js';
import { parseConfig } from '../../src/config/load.js';
import { buildGateway, type Gateway } from '../../src/gateway.js';
import { TestClock } from './clock.js';

export const SERVER_KEY = 'acme-server-key-000000000001';
export const CLIENT_KEY = 'acme-client-key-000000000001';
export const OTHER_SERVER_KEY = 'beta-server-key-000000000001';
export const OTHER_CLIENT_KEY = 'beta-client-key-000000000001';
export const RECEIPT_SECRET = 'acme-receipt-secret-00000001';
export const ENCRYPTION_KEY = 'a'.repeat(64);

export interface TestGateway {
  gw: Gateway;
  sim: HuaweiSimulator;
  clock: TestClock;
  dbPath: string;
  http: ReturnType<typeof request>;
  /** supertest with the acme server key */
  server(method: 'get' | 'post' | 'delete', url: string, key?: string): request.Test;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  extraProviders?: AnyProviderDefinition[];
  /** Extra provider sections for tenant acme, e.g. { fake: {} }. */
  acmeProviders?: Record<string, unknown>;
  /** Extra keys of tenant acme, e.g. { webhooks: [...], allowPrivateNetworks: true }. */
  acmeTenant?: Record<string, unknown>;
  config?: Record<string, unknown>;
  maxBacklog?: number;
  realClock?: boolean;
  logger?: Logger;
  /** Merged into tenant acme's huawei section, e.g. { rateLimit: { perSecond: 50, concurrency: 1 } }. */
  huawei?: Record<string, unknown>;
  /** Where the web console bundle is read from (when config.console.enabled). */
  consoleAssetsDir?: string;
}

export async function testGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-test-'));
  const dbPath = path.join(dir, 'pushgate.db');
  const sim = await HuaweiSimulator.start({ appId: '10001', clientSecret: 'hw-secret' });
  const clock = new TestClock(Date.now());
  const providers = [...registry, ...(opts.extraProviders ?? [])];
  const huawei = { appId: sim.appId, clientSecret: sim.clientSecret, endpoint: sim.url, authEndpoint: sim.url, callbackUserName: 'cbuser', callbackKey: 'cbkey' };
  const config = parseConfig(
    {
      server: { port: 0, bodyLimit: '1mb', publicBaseUrl: 'https://push.example.com' },
      store: { driver: 'sqlite', path: dbPath },
      security: { encryptionKey: ENCRYPTION_KEY },
      dispatch: { leaseSeconds: 30, maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 60_000, pollIntervalMs: 50 },
      log: { level: 'silent' },
      tenants: [
        {
          id: 'acme',
          serverKeys: [SERVER_KEY],
          clientKeys: [CLIENT_KEY],
          receiptSecret: RECEIPT_SECRET,
          ...(opts.maxBacklog ? { maxBacklog: opts.maxBacklog } : {}),
          providers: { huawei: { ...huawei, ...opts.huawei }, ...opts.acmeProviders },
          ...opts.acmeTenant,
        },
        { id: 'beta', serverKeys: [OTHER_SERVER_KEY], clientKeys: [OTHER_CLIENT_KEY], providers: { huawei } },
      ],
      ...opts.config,
    },
    {},
    providers,
  );
  const gw = await buildGateway(config, {
    providers,
    logger: opts.logger ?? pino({ level: 'silent' }),
    ...(opts.realClock ? {} : { now: clock.now }),
    random: () => 0.5,
    owner: 'test-owner',
    ...(opts.consoleAssetsDir ? { consoleAssetsDir: opts.consoleAssetsDir } : {}),
  });
  const http = request(gw.app);
  return {
    gw,
    sim,
    clock,
    dbPath,
    http,
    server: (method, url, key = SERVER_KEY) => http[method](url).set('Authorization', `Bearer ${key}`),
    async close() {
      await gw.stop();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Plausible tokens per provider (format from each vendor folder's token schema). */
export const hwToken = (n: number) => `IQAAAACy0${String(n).padStart(8, '0')}AAAAbcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_abc`;
