/**
 * Profile helper for accept → vendor latency: `node dist/bench/latency-profile.js [rate/s] [seconds]`.
 * An instrumented gateway in this process (SQLite, the bench's Huawei lane), the Huawei simulator
 * and an open-loop load generator in child processes (as in phase "single"). Each single-target
 * message is stamped at POST start, insert call, commit, claim call, claim done, hand-off done,
 * vendor request start and end, completion and simulator arrival; the report gives percentiles of
 * each step, what the slowest 1% spent where, the event-loop delay, GC pauses and the group-commit
 * flushes. Not a benchmark: bench/phase-single.ts measures the figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import pino from 'pino';
import { huaweiProvider } from '../providers/huawei/index.js';
import type { AnyProviderDefinition, SendBatch } from '../providers/types.js';
import { parseConfig } from '../src/config/load.js';
import { buildGateway } from '../src/gateway.js';
import { AUTH, BODY_LIMIT, HUAWEI_LANE, huaweiToken, NOTIFICATION, SERVER_KEY, TENANT } from './common.js';
import { Peer, serve } from './ipc.js';
import { load, openLoop } from './load.js';
import { fmt, pct } from './report.js';
import type { HuaweiSimInfo } from './sim-child.js';

const body = (offset: number) => (i: number) => JSON.stringify({ to: { tokens: [{ provider: 'huawei', token: huaweiToken(offset + i) }] }, notification: NOTIFICATION, options: { category: 'im' } });

if (process.argv[2] === 'load') {
  // The load generator child: its CPU is not the gateway's.
  serve({
    openLoop: async (a: { port: number; offset: number; count: number; rate: number }) => {
      const starts: Array<[number, number]> = [];
      const r = await openLoop(a.port, '/v1/messages', AUTH, body(a.offset), a.count, a.rate, 202, (i, at) => starts.push([i, at]));
      return { starts, latencies: r.latencies, unexpected: r.unexpected };
    },
    closed: async (a: { port: number; offset: number; count: number }) => (await load(a.port, '/v1/messages', AUTH, body(a.offset), a.count, 32, 202)).ms,
    close: () => setImmediate(() => process.exit(0)),
  });
} else {
  await main();
}

async function main(): Promise<void> {
  const rate = Number(process.argv[2] ?? 400);
  const seconds = Number(process.argv[3] ?? 10);
  const wall = () => performance.timeOrigin + performance.now();
  const sim = Peer.start('./sim-child.js', [], ['huawei']);
  const loader = Peer.start('./latency-profile.js', [], ['load']);
  const info = await sim.call<HuaweiSimInfo>('info');
  const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-latency-'));
  const providers = [huaweiProvider] as AnyProviderDefinition[];
  const config = parseConfig(
    {
      server: { port: 0, host: '127.0.0.1', bodyLimit: BODY_LIMIT },
      store: { driver: 'sqlite', path: path.join(dir, 'db') },
      security: { encryptionKey: 'b'.repeat(64) },
      dispatch: { pollIntervalMs: 100 },
      log: { level: 'silent' },
      tenants: [{ id: TENANT, serverKeys: [SERVER_KEY], providers: { huawei: { appId: info.appId, clientSecret: info.clientSecret, endpoint: info.url, authEndpoint: info.url, rateLimit: HUAWEI_LANE } } }],
    },
    {},
    providers,
  );
  const gw = await buildGateway(config, { providers, logger: pino({ level: 'silent' }) });
  // `nockpt`: no automatic WAL checkpoints on the gateway's connection (to see what they cost).
  if (process.argv[4] === 'nockpt') (gw.store as unknown as { db: { pragma(s: string): unknown } }).db.pragma('wal_autocheckpoint = 0');

  // Per message id: stage → wall-clock ms. Single-target messages: one delivery each.
  const marks = new Map<string, Record<string, number>>();
  const mark = (id: string, stage: string) => {
    let m = marks.get(id);
    if (!m) marks.set(id, (m = {}));
    m[stage] ??= wall();
  };
  const byDelivery = new Map<string, string>();
  const store = gw.store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const wrap = (name: string, before: (args: unknown[]) => string[], after: (out: unknown, args: unknown[]) => string[], stageIn: string, stageOut: string) => {
    const original = store[name]!.bind(gw.store) as (...a: unknown[]) => Promise<unknown>;
    store[name] = async (...args: unknown[]) => {
      for (const id of before(args)) mark(id, stageIn);
      const out = await original(...args);
      for (const id of after(out, args)) mark(id, stageOut);
      return out;
    };
  };
  const none = () => [];
  wrap('insertMessage', (a) => [(a[0] as { id: string }).id], (_o, a) => [(a[0] as { id: string }).id], 'insert', 'commit');
  let claimCalls = 0;
  let emptyClaims = 0;
  const countCall = () => {
    claimCalls++;
    return [];
  };
  wrap('claimBatch', countCall, (o) => {
    if (!o) {
      emptyClaims++;
      return [];
    }
    const b = o as { message: { id: string }; deliveries: Array<{ id: string }> };
    for (const d of b.deliveries) byDelivery.set(d.id, b.message.id);
    return [b.message.id];
  }, '', 'claimed');
  wrap('startSending', none, (o) => (o as string[]).map((d) => byDelivery.get(d) ?? ''), '', 'handed');
  wrap('completeDeliveries', (a) => (a[1] as Array<{ id: string }>).map((u) => byDelivery.get(u.id) ?? ''), (_o, a) => (a[1] as Array<{ id: string }>).map((u) => byDelivery.get(u.id) ?? ''), 'completing', 'completed');
  // A run begins with activePauses: the first run that claims a message began at or after its commit.
  const channel = gw.hub.get(TENANT, 'huawei')!;
  const send = channel.provider.send.bind(channel.provider);
  const messageOf = new Map<string, string>();
  channel.provider.send = async (batch: SendBatch) => {
    mark(batch.message.id, 'request');
    for (const t of batch.targets) messageOf.set(t.token, batch.message.id);
    const out = await send(batch);
    mark(batch.message.id, 'response');
    return out;
  };

  // Group-commit flushes: duration and batch size (a WAL checkpoint shows as a long one).
  const flushes: Array<{ kind: string; ms: number; n: number }> = [];
  for (const kind of ['perTurn', 'perTick']) {
    const g = (gw.store as unknown as Record<string, { flush(): void; pending: unknown[] }>)[kind];
    if (!g) continue;
    const flush = g.flush.bind(g);
    g.flush = () => {
      const n = g.pending.length;
      const t0 = performance.now();
      flush();
      flushes.push({ kind, ms: performance.now() - t0, n });
    };
  }
  const gcs: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push(e.duration);
  });
  obs.observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 1 });

  await gw.start();
  const server = http.createServer(gw.app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  // Warm-up, then the measured open loop.
  await loader.call('closed', { port, offset: 30_000_000, count: 1000 });
  await sim.call('waitFor', { count: 1000, timeoutMs: 60_000 });
  await sim.call('reset');
  marks.clear();
  flushes.length = 0;
  gcs.length = 0;
  claimCalls = emptyClaims = 0;
  const count = Math.round(rate * seconds);
  await sim.call('watch', Array.from({ length: count }, (_, i) => huaweiToken(31_000_000 + i)));
  loop.enable();
  const cpu0 = process.cpuUsage();
  const posted = await loader.call<{ starts: Array<[number, number]>; latencies: number[]; unexpected: number }>('openLoop', { port, offset: 31_000_000, count, rate });
  await sim.call('waitFor', { count, timeoutMs: 120_000 });
  loop.disable();
  const cpu = process.cpuUsage(cpu0);
  const arrivals = new Map(await sim.call<Array<[string, number]>>('arrivals'));

  const rows: Array<Record<string, number>> = [];
  for (const [i, at] of posted.starts) {
    const token = huaweiToken(31_000_000 + i);
    const m = marks.get(messageOf.get(token) ?? '');
    const arrival = arrivals.get(token);
    if (m && arrival !== undefined) rows.push({ ...m, post: at, arrival });
  }
  const steps: Array<[string, string, string]> = [
    ['post → insert (HTTP, auth, parse, resolve)', 'post', 'insert'],
    ['insert → commit (group commit)', 'insert', 'commit'],
    ['commit → claimed (kick, run, claim)', 'commit', 'claimed'],
    ['claimed → handed (hand-off write)', 'claimed', 'handed'],
    ['handed → request (adapter)', 'handed', 'request'],
    ['request → arrival (HTTP to sim)', 'request', 'arrival'],
    ['arrival → response', 'arrival', 'response'],
    ['response → completed', 'response', 'completed'],
    ['post → arrival (the figure)', 'post', 'arrival'],
  ];
  console.log(`${rows.length} of ${count} messages at ${rate}/s; POST→202 p50 ${fmt(pct(posted.latencies, 50), 1)} / p99 ${fmt(pct(posted.latencies, 99), 1)} ms, unexpected ${posted.unexpected}`);
  for (const [label, a, b] of steps) {
    const d = rows.map((r) => r[b]! - r[a]!).filter((v) => Number.isFinite(v));
    console.log(`  ${label.padEnd(46)} p50 ${fmt(pct(d, 50), 2).padStart(7)}  p90 ${fmt(pct(d, 90), 2).padStart(7)}  p99 ${fmt(pct(d, 99), 2).padStart(7)}  max ${fmt(pct(d, 100), 2).padStart(7)}`);
  }
  const slow = [...rows].sort((a, b) => b.arrival! - b.post! - (a.arrival! - a.post!)).slice(0, Math.max(1, Math.round(rows.length / 100)));
  console.log(`slowest 1% (${slow.length}): mean ms per step`);
  for (const [label, a, b] of steps) console.log(`  ${label.padEnd(46)} ${fmt(slow.reduce((s, r) => s + r[b]! - r[a]!, 0) / slow.length, 2)}`);
  console.log(`event loop delay p50 ${fmt(loop.percentile(50) / 1e6, 1)} / p99 ${fmt(loop.percentile(99) / 1e6, 1)} / max ${fmt(loop.max / 1e6, 1)} ms`);
  console.log(`GC: ${gcs.length} pauses, total ${fmt(gcs.reduce((s, v) => s + v, 0), 0)} ms, p99 ${fmt(pct(gcs, 99), 1)} / max ${fmt(pct(gcs, 100), 1)} ms`);
  for (const kind of ['perTurn', 'perTick']) {
    const f = flushes.filter((x) => x.kind === kind);
    const ms = f.map((x) => x.ms);
    console.log(`${kind} flushes: ${f.length}, mean batch ${fmt(f.reduce((s, x) => s + x.n, 0) / Math.max(1, f.length), 1)}, p50 ${fmt(pct(ms, 50), 2)} / p99 ${fmt(pct(ms, 99), 2)} / max ${fmt(pct(ms, 100), 2)} ms, > 10 ms: ${ms.filter((v) => v > 10).length}`);
  }
  console.log(`claims ${claimCalls}, empty ${emptyClaims}; gateway CPU ${fmt((cpu.user + cpu.system) / 1000 / count, 2)} ms per message`);

  obs.disconnect();
  server.closeAllConnections();
  server.close();
  await gw.stop();
  await loader.call('close').catch(() => undefined);
  await sim.call('close').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
