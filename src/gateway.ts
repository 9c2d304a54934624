/**
 * The composition root's body: build every service from a validated config, start the lanes,
 * and stop them in order. main.ts adds the process concerns (listen, signals, exit codes); tests
 * and benchmarks call `buildGateway` directly with injected clocks and registries.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { AnyProviderDefinition } from '../providers/types.js';
import { createApp } from './app.js';
import type { LoadedConfig } from './config/load.js';
import { tokenKeys } from './config/schema.js';
import { DeviceService } from './core/devices.js';
import { Dispatcher } from './core/dispatcher.js';
import { LaneHealth } from './core/lane-health.js';
import { timeOrderedIds, type IdSource } from './core/ids.js';
import { CancelService } from './core/cancel.js';
import { LaneService } from './core/lanes.js';
import { ConsoleSessions } from './core/console-sessions.js';
import { ListingService } from './core/listing.js';
import { MessageService } from './core/messages.js';
import { ReplayService } from './core/replay.js';
import { ProviderHub } from './core/providers.js';
import { ReadinessService } from './core/readiness.js';
import { ReceiptService } from './core/receipts.js';
import { RetentionSweep } from './core/retention.js';
import { WebhookOutbox, WebhookSender, WebhookService, type TenantWebhooks } from './core/webhooks.js';
import { KeyRing } from './http/auth.js';
import { createMetrics } from './metrics/metrics.js';
import { TokenCipher } from './privacy/token-cipher.js';
import { createQueueEngine } from './queue/factory.js';
import type { QueueEngine } from './queue/types.js';
import { createStore } from './store/factory.js';
import { migrateTokenForms } from './store/token-forms.js';
import type { Store } from './store/types.js';

export interface GatewayOptions {
  providers: readonly AnyProviderDefinition[];
  logger: Logger;
  now?: () => number;
  random?: () => number;
  ids?: IdSource;
  registry?: Registry;
  /** Overrides for tests: a lease owner id, an already-open store. */
  owner?: string;
  store?: Store;
  /** Lane pause after a rate limit without Retry-After, ms (doubles per strike). */
  pauseBaseMs?: number;
  /** Random bytes for console session ids (default crypto.randomBytes). */
  randomBytes?: (n: number) => Buffer;
  /** Where the console bundle is (default dist/console/ of this package). */
  consoleAssetsDir?: string;
}

export interface Gateway {
  app: ReturnType<typeof createApp>;
  store: Store;
  queue: QueueEngine;
  hub: ProviderHub;
  dispatcher: Dispatcher;
  retention: RetentionSweep;
  webhooks: WebhookSender;
  registry: Registry;
  /** Start the lanes and the retention timer. */
  start(): Promise<void>;
  /** Stop accepting, let in-flight vendor requests finish, give back claims, close everything. */
  stop(): Promise<void>;
}

export async function buildGateway(config: LoadedConfig, opts: GatewayOptions): Promise<Gateway> {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const logger = opts.logger;
  const registry = opts.registry ?? new Registry();
  const metrics = createMetrics(registry);
  const owner = opts.owner ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  const { keys: tokenKeyList, lookup } = tokenKeys(config.security);
  const cipher = new TokenCipher(tokenKeyList, lookup);
  const ids = opts.ids ?? timeOrderedIds(now);

  const store = opts.store ?? (await createStore(config.store, logger));
  // Before anything reads devices: stored tokens in an older canonical form are rewritten (once).
  await migrateTokenForms({ store, cipher, definitions: opts.providers, logger, now });
  const hub = await ProviderHub.create(config, opts.providers, { now, random, logger, metrics });
  const queue = await createQueueEngine(config.queue, { now, logger, pollIntervalMs: config.dispatch.pollIntervalMs });
  const tenants = new Map(config.tenants.map((t) => [t.id, t]));

  const hookTenants = new Map<string, TenantWebhooks>(config.tenants.map((t) => [t.id, { webhooks: t.webhooks, allowPrivateNetworks: t.allowPrivateNetworks }]));
  const hookMaxAgeMs = config.webhookDelivery.maxAgeHours * 3600_000;
  const outbox = new WebhookOutbox(hookTenants, hookMaxAgeMs);
  const webhooks = new WebhookSender({
    store,
    tenants: hookTenants,
    metrics,
    logger,
    now,
    random,
    owner,
    settings: {
      leaseMs: config.webhookDelivery.leaseSeconds * 1000,
      batch: config.webhookDelivery.batch,
      pollIntervalMs: config.webhookDelivery.pollIntervalMs,
      timeoutMs: config.webhookDelivery.timeoutMs,
      backoffBaseMs: config.webhookDelivery.backoffBaseMs,
      backoffMaxMs: config.webhookDelivery.backoffMaxMs,
      maxAgeMs: hookMaxAgeMs,
    },
  });

  const health = new LaneHealth(metrics);
  const dispatcher = new Dispatcher({
    outbox: (t) => outbox.writer(t),
    store,
    hub,
    cipher,
    metrics,
    health,
    logger,
    now,
    random,
    owner,
    settings: {
      leaseMs: config.dispatch.leaseSeconds * 1000,
      maxAttempts: config.dispatch.maxAttempts,
      backoffBaseMs: config.dispatch.backoffBaseMs,
      backoffMaxMs: config.dispatch.backoffMaxMs,
      pauseBaseMs: opts.pauseBaseMs ?? 1000,
      pauseMaxMs: 10 * 60_000,
      publicBaseUrl: config.server.publicBaseUrl,
      receiptSecrets: new Map(config.tenants.flatMap((t) => (t.receiptSecret ? [[t.id, t.receiptSecret] as const] : []))),
    },
  });

  const lanes = hub.all().map((c) => ({ tenant: c.tenant, provider: c.def.id, perSecond: c.perSecond, concurrency: c.concurrency }));
  metrics.setSources({
    lanes: () => lanes,
    laneStats: async () => (await store.laneStats()).map((s) => ({ ...s, oldestAgeSeconds: s.oldestCreatedAt === null ? 0 : Math.max(0, (now() - s.oldestCreatedAt) / 1000) })),
    devices: () => store.countDevices(),
    pauses: async () => (await store.allActivePauses(now())).map((p) => ({ tenant: p.tenant, provider: p.provider, reason: p.reason })),
    outbox: async () => {
      const stats = new Map((await store.outboxStats()).map((s) => [s.tenant, s]));
      const tenantIds = new Set([...config.tenants.filter((t) => t.webhooks.length).map((t) => t.id), ...stats.keys()]);
      return [...tenantIds].map((tenant) => {
        const s = stats.get(tenant);
        return { tenant, depth: s?.pending ?? 0, oldestAgeSeconds: s?.oldestCreatedAt == null ? 0 : Math.max(0, (now() - s.oldestCreatedAt) / 1000) };
      });
    },
  });

  let accepting = true;
  const keys = new KeyRing(config.tenants);
  const app = createApp({
    hub,
    keys,
    devices: new DeviceService({ store, hub, cipher, ids, now, outbox: (t) => outbox.writer(t) }),
    messages: new MessageService({ store, hub, cipher, ids, metrics, kick: (lane, requests) => queue.kick(lane, requests), now, maxBacklog: (t) => tenants.get(t)?.maxBacklog ?? Infinity }),
    listing: new ListingService({ store, cipher, definitions: hub.definitions, now }),
    lanes: new LaneService({ store, hub, health, now }),
    replay: new ReplayService({ store, metrics, kick: (lane) => queue.kick(lane), now }),
    cancel: new CancelService({ store, hub, cipher, metrics, logger, now, outbox: (t) => outbox.writer(t) }),
    receipts: new ReceiptService({ store, hub, cipher, metrics, now, receiptSecret: (t) => tenants.get(t)?.receiptSecret, outbox: (t) => outbox.writer(t) }),
    webhooks: new WebhookService({ store, now, maxAgeMs: hookMaxAgeMs, kick: () => webhooks.kick() }),
    readiness: new ReadinessService({ store, queue, hub, health, now, accepting: () => accepting }),
    metrics,
    registry,
    logger,
    bodyLimit: config.server.bodyLimit,
    bodyBudget: config.server.bodyBudget,
    trustProxy: config.server.trustProxy,
    ...(config.console.enabled
      ? {
          console: {
            sessions: new ConsoleSessions({
              store,
              now,
              randomBytes: opts.randomBytes ?? randomBytes,
              ttlMs: config.console.sessionTtlMinutes * 60_000,
              keyStillConfigured: (tenant, tag) => keys.hasServerKey(tenant, tag),
            }),
            assetsDir: opts.consoleAssetsDir ?? defaultConsoleAssetsDir(),
            signInAttemptsPerMinute: config.console.signInAttemptsPerMinute,
            now,
          },
        }
      : {}),
    accepting: () => accepting,
  });
  const retention = new RetentionSweep({
    store,
    now,
    logger,
    deviceIdleDays: config.retention.deviceIdleDays,
    messageDays: config.retention.messageDays,
    intervalMs: config.retention.sweepIntervalMinutes * 60_000,
  });

  return {
    app,
    store,
    queue,
    hub,
    dispatcher,
    retention,
    webhooks,
    registry,
    async start() {
      // Credentials first: the first vendor requests then leave as soon as their rate slot is taken.
      await Promise.all(
        hub.all().map((c) =>
          c.provider.warmUp?.().then(
            () => health.ok({ tenant: c.tenant, provider: c.def.id }, now()),
            (err: unknown) => {
              logger.warn({ tenant: c.tenant, provider: c.def.id, err: (err as Error).message }, 'could not fetch vendor credentials at start-up; the lane will retry');
              health.failed({ tenant: c.tenant, provider: c.def.id }, now(), `could not fetch credentials at start-up: ${(err as Error).message}`);
            },
          ),
        ),
      );
      await queue.start(lanes, dispatcher.runLane);
      retention.start();
      webhooks.start();
    },
    async stop() {
      accepting = false;
      retention.stop();
      await queue.stop();
      await webhooks.stop();
      const released = await store.releaseClaims(owner, now());
      if (released) logger.info({ released }, 'released claimed deliveries for other instances');
      await hub.close();
      await store.close();
    },
  };
}

/**
 * dist/console/ of this package, found from this module whether it runs compiled (dist/src/) or
 * from source (src/, under jest): the package root is the nearest folder with a package.json.
 */
function defaultConsoleAssetsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'console');
}
