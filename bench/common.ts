/**
 * What the phases of `npm run bench` share: the run's context (counts, temp dir, child launcher,
 * log), the request bodies and tokens, and the end-to-end measurement of one big POST that the
 * fan-out, PostgreSQL and APNs figures all use, so pushgate and its references are timed alike.
 */
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { GatewayChildOptions, GatewayPorts } from './gateway-child.js';
import { Peer, type RssReading } from './ipc.js';
import { post } from './load.js';
import { fmt } from './report.js';
import type { SimStats } from './sim-child.js';

export const TENANT = 'bench';
export const SERVER_KEY = 'bench-server-key-0000000001';
export const AUTH = { authorization: `Bearer ${SERVER_KEY}` };
/** 100,000 raw tokens are ~16 MB of JSON. */
export const BODY_LIMIT = '32mb';
/** Huawei's per-request token limit; the gateway's lane and the floor batch the same way. */
export const BATCH = 1000;
/** 1000 × 1000 tokens/s: never binds here. */
export const HUAWEI_LANE = { perSecond: 1000, concurrency: 8 };
export const NOTIFICATION = { title: 'pushgate bench', body: 'one message to many devices' };

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The run: its scale, its temp dir, and the children it started (stopped at the end, whatever happens). */
export class BenchRun {
  readonly began = performance.now();
  private readonly peers: Peer[] = [];

  constructor(
    readonly quick: boolean,
    readonly dir: string,
    /** node flags of the gateway children (--cpu-prof …). */
    readonly gatewayArgv: string[],
  ) {}

  log(line: string): void {
    console.log(`[${fmt((performance.now() - this.began) / 1000, 1)}s] ${line}`);
  }

  child(moduleName: string, execArgv: string[] = [], args: string[] = []): Peer {
    const peer = Peer.start(moduleName, execArgv, args);
    this.peers.push(peer);
    return peer;
  }

  /** A gateway child, started: its ports. */
  async gateway(opts: GatewayChildOptions): Promise<{ gw: Peer; ports: GatewayPorts }> {
    const gw = this.child('./gateway-child.js', this.gatewayArgv);
    return { gw, ports: await gw.call<GatewayPorts>('start', opts) };
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.peers.map((p) => p.stop()));
  }
}

/** Stop a gateway or floor child cleanly (its own close, then the process). */
export async function closeChild(peer: Peer): Promise<void> {
  await peer.call('close').catch(() => undefined);
  await peer.stop();
}

/** A plausible ~130-character Huawei push token (format of providers/huawei/huawei.token.ts). */
export function huaweiToken(n: number): string {
  const head = `IQAAAACy0${String(n).padStart(9, '0')}`;
  return (head + 'AAAAbcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'.repeat(2)).slice(0, 130);
}

/** An APNs device token: 32 bytes in hex. */
export function apnsToken(n: number): string {
  return `${String(n).padStart(16, '0')}${'ab'.repeat(24)}`;
}

export const range = (from: number, count: number, make: (n: number) => string) => Array.from({ length: count }, (_, i) => make(from + i));

export function sendBody(provider: 'huawei' | 'apns', tokens: string[]): string {
  return JSON.stringify({ to: { tokens: tokens.map((t) => ({ provider, token: t })) }, notification: NOTIFICATION, options: { category: 'im' } });
}

export interface EndToEnd {
  /** POST → answer (202 after commit). */
  acceptMs: number;
  /** POST → the simulator has every target. */
  ms: number;
  /** Different tokens the simulator accepted. */
  accepted: number;
  /** Tokens it accepted more than once (at-least-once). */
  duplicates: number;
  peakRss: number;
  sim: SimStats;
  /** The simulator's counters when the last POST was answered (its CPU until then: `cpuMs`). */
  simAtAccept: SimStats;
}

/**
 * POST one body (or several, back to back on one connection) to a gateway or the floor (`target`
 * answers `resetRss` / `rss`), timed until the simulator has `count` different tokens. The
 * simulator is reset first; every POST must answer 202. `auth` picks the tenant (default: the bench tenant's key).
 */
export async function endToEnd(
  sim: Peer,
  target: Peer,
  port: number,
  bodies: string[],
  count: number,
  { timeoutMs = 600_000, auth = AUTH }: { timeoutMs?: number; auth?: Record<string, string> } = {},
): Promise<EndToEnd> {
  const agent = new http.Agent({ keepAlive: true });
  try {
    await sim.call('reset');
    await target.call('resetRss');
    const started = performance.now();
    const delivered = sim.call<SimStats>('waitFor', { count, timeoutMs, distinct: true });
    delivered.catch(() => undefined); // awaited below; a POST failing first must not leave it unhandled
    for (const body of bodies) {
      const res = await post(agent, port, '/v1/messages', body, auth);
      if (res.status !== 202) throw new Error(`POST /v1/messages answered ${res.status}: ${res.text.slice(0, 500)}`);
    }
    const acceptMs = performance.now() - started;
    // Not awaited here: the simulator answers while the deliveries run.
    const atAccept = sim.call<SimStats>('stats');
    const done = await delivered;
    const ms = performance.now() - started;
    return { acceptMs, ms, accepted: done.distinct, duplicates: done.accepted - done.distinct, peakRss: (await target.call<RssReading>('rss')).peak, sim: done, simAtAccept: await atAccept };
  } finally {
    agent.destroy();
  }
}
