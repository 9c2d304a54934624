/**
 * One gateway (SQLite in a temp file and the local queue, or PostgreSQL + Redis; the Huawei or
 * APNs adapter pointed at the simulator child) in its own process, plus a bare express "hello"
 * app in the same process for the single-target comparison. Its RSS is sampled every 50 ms here, so the figure is the gateway's
 * alone (no load generator, no simulator, no token arrays of the harness).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import express from 'express';
import pino from 'pino';
import { apnsProvider } from '../providers/apns/index.js';
import { huaweiProvider } from '../providers/huawei/index.js';
import type { AnyProviderDefinition } from '../providers/types.js';
import { parseConfig } from '../src/config/load.js';
import { buildGateway, type Gateway } from '../src/gateway.js';
import { applyHeapSettings } from '../src/heap.js';
import { RssSampler, serve, type RssReading } from './ipc.js';

export interface GatewayChildOptions {
  store: { driver: 'sqlite'; path: string } | { driver: 'postgres'; url: string; poolSize: number };
  /** Default: the local queue. */
  queue?: { driver: 'redis'; url: string; prefix: string };
  serverKey: string;
  tenant: string;
  /**
   * A second tenant with the same provider sections and its own server key: its own vendor sessions, so a warm-up
   * sent through it warms the process (JIT) and leaves the measured tenant's sessions to start cold.
   */
  warmup?: { tenant: string; serverKey: string };
  /** The tenant's provider sections; only these definitions are loaded. */
  providers: { huawei?: Record<string, unknown>; apns?: Record<string, unknown> };
  bodyLimit: string;
  /** Start the lanes (dispatch to the simulator); false = accept only, the backlog stays in the store. */
  startLanes: boolean;
}

export interface GatewayPorts {
  gateway: number;
  hello: number;
}

// Only the definitions a scenario configures: the bench needs no other vendor, and a gateway
// with only the apns definition is the APNs figure's set-up.
const definitions = { huawei: huaweiProvider, apns: apnsProvider } as Record<string, AnyProviderDefinition>;
// As `pushgate serve` does: the figures are the product's own.
applyHeapSettings();
const rss = new RssSampler();
/** Event-loop delay of this process (what a request waits behind), read and reset by `eventLoop`. */
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
let lastCpu = process.cpuUsage();
let gw: Gateway | undefined;
const servers: http.Server[] = [];

async function listen(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

serve({
  start: async (o: GatewayChildOptions): Promise<GatewayPorts> => {
    const providers = Object.keys(o.providers).map((id) => definitions[id]!);
    const config = parseConfig(
      {
        server: { port: 0, host: '127.0.0.1', bodyLimit: o.bodyLimit },
        store: o.store,
        ...(o.queue ? { queue: o.queue } : {}),
        security: { encryptionKey: 'b'.repeat(64) },
        dispatch: { pollIntervalMs: 100 },
        log: { level: 'silent' },
        tenants: [
          { id: o.tenant, serverKeys: [o.serverKey], providers: o.providers },
          ...(o.warmup ? [{ id: o.warmup.tenant, serverKeys: [o.warmup.serverKey], providers: o.providers }] : []),
        ],
      },
      {},
      providers,
    );
    gw = await buildGateway(config, { providers, logger: pino({ level: 'silent' }) });
    if (o.startLanes) await gw.start();

    const hello = express();
    hello.disable('x-powered-by');
    hello.use(express.json({ limit: o.bodyLimit }));
    hello.post('/hello', (_req, res) => {
      res.json({ hello: 'world' });
    });
    return { gateway: await listen(gw.app), hello: await listen(hello) };
  },
  rss: (): RssReading => ({ current: rss.sample(), peak: rss.peak }),
  /** Start a new peak-RSS window; answers the peak of the window that ended. */
  resetRss: (): RssReading => {
    const peak = rss.reset();
    return { current: rss.sample(), peak };
  },
  /** Force a full GC (the child runs with --expose-gc) and answer what is left. */
  gc: (): NodeJS.MemoryUsage => {
    (globalThis as { gc?: () => void }).gc?.();
    rss.sample();
    return process.memoryUsage();
  },
  /** Event-loop delay (ms) and CPU time (ms, user + system) since the last call; then a new window. */
  eventLoop: (): { p50: number; p99: number; max: number; cpuMs: number } => {
    const cpu = process.cpuUsage(lastCpu);
    lastCpu = process.cpuUsage();
    const out = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6, cpuMs: (cpu.user + cpu.system) / 1000 };
    loopDelay.reset();
    return out;
  },
  pending: async (tenant: string): Promise<number> => {
    if (!gw) throw new Error('not started');
    return gw.store.pendingCount(tenant);
  },
  close: async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await gw?.stop();
    rss.stop();
    setImmediate(() => process.exit(0));
  },
});
