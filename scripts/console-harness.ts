/**
 * What the console's browser tests and its screenshot script share: Debian's Chromium driven by
 * playwright-core, and a playground-like gateway (SQLite in a temp dir, vendors on their in-process
 * simulators, receipts posted back, the console enabled with a freshly built bundle) listening on
 * 127.0.0.1 port 0.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { chromium, type Browser } from 'playwright-core';
import { providers } from '../providers/registry.js';
import type { SimulatorControls } from '../providers/types.js';
import { parseConfig } from '../src/config/load.js';
import { buildGateway, type Gateway } from '../src/gateway.js';
import { buildConsole } from './build-console.js';

export const CHROMIUM = process.env.PUSHGATE_CHROMIUM ?? '/usr/bin/chromium';

export const KEYS = {
  acmeServer: 'acme-console-server-key-0001',
  acmeClient: 'acme-console-client-key-0001',
  betaServer: 'beta-console-server-key-0001',
} as const;

/** Debian's Chromium, headless, fresh profile (playwright makes a temporary one), nothing phoning home. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const chromiumInstalled = () => existsSync(CHROMIUM);

export interface ConsoleGateway {
  baseUrl: string;
  gw: Gateway;
  /** A tenant's in-process vendor simulator, e.g. sim('acme', 'huawei').fail(1000). */
  sim(tenant: string, provider: string): SimulatorControls;
  /** The /v1 API with a bearer key, as a backend calls it. */
  api<T = Record<string, unknown>>(key: string, method: string, url: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export interface ConsoleGatewayOptions {
  /** Merged over acme's huawei lane (e.g. a low rate limit so a queue can be seen). */
  huawei?: Record<string, unknown>;
  dispatch?: Record<string, unknown>;
}

export async function consoleGateway(opts: ConsoleGatewayOptions = {}): Promise<ConsoleGateway> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-console-'));
  const { outdir } = await buildConsole(path.join(dir, 'console'));
  const plugged: { app?: http.RequestListener } = {};
  const server = http.createServer((req, res) => (plugged.app ? plugged.app(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sim = { simulator: true };
  const config = parseConfig(
    {
      server: { port: 0, publicBaseUrl: baseUrl },
      store: { driver: 'sqlite', path: path.join(dir, 'pushgate.db') },
      security: { encryptionKey: '0f'.repeat(32) },
      dispatch: { pollIntervalMs: 50, backoffBaseMs: 200, backoffMaxMs: 1000, ...opts.dispatch },
      log: { level: 'silent' },
      console: { enabled: true },
      tenants: [
        {
          id: 'acme',
          serverKeys: [KEYS.acmeServer],
          clientKeys: [KEYS.acmeClient],
          receiptSecret: 'acme-console-receipt-secret',
          providers: { huawei: { ...sim, ...opts.huawei }, xiaomi: sim, apns: sim },
        },
        { id: 'beta', serverKeys: [KEYS.betaServer], receiptSecret: 'beta-console-receipt-secret', providers: { huawei: sim, vivo: sim } },
      ],
    },
    {},
    providers,
  );
  const gw = await buildGateway(config, { providers, logger: pino({ level: 'silent' }), consoleAssetsDir: outdir });
  await gw.start();
  plugged.app = gw.app;
  return {
    baseUrl,
    gw,
    sim(tenant, provider) {
      const s = gw.hub.simulators.get(`${tenant}/${provider}`);
      if (!s) throw new Error(`no simulator for ${tenant}/${provider}`);
      return s;
    },
    async api<T>(key: string, method: string, url: string, body?: unknown) {
      const res = await fetch(`${baseUrl}${url}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (res.status === 204 ? {} : await res.json()) as T };
    },
    async close() {
      await gw.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Plausible tokens (each vendor's token format). */
export const tokens = {
  huawei: (n: number) => `IQAAAACy0${String(n).padStart(8, '0')}AAAAbcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_abc`,
  xiaomi: (n: number) => `xiaomiRegId${String(n).padStart(8, '0')}abcdefghijklmnopqrstuvwxyz0123`,
  apns: (n: number) => `${'ab'.repeat(28)}${String(n).padStart(8, '0')}`,
};
