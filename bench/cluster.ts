/**
 * Phase "cluster" (PostgreSQL on 127.0.0.1:5432 db test and Redis on 127.0.0.1:6379, or
 * PUSHGATE_TEST_PG_URL / PUSHGATE_TEST_REDIS_URL; without them the phase says so and adds no row):
 * - one gateway on PostgreSQL + Redis with the fan-out of bench/phase-fanout.ts (one POST of
 *   100,000 raw tokens), against a SQLite gateway with the same fan-out, in alternating rounds here;
 * - 1 and 3 gateway processes (`dist/src/main.js`) on one schema and one Redis prefix, 50 messages
 *   × 1,000 tokens posted round-robin, until the simulator has every target.
 * Each scenario gets a fresh schema and prefix, dropped afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { BenchRun} from './common.js';
import { AUTH, closeChild, endToEnd, HUAWEI_LANE, huaweiToken, range, repoRoot, sendBody, SERVER_KEY, TENANT, BODY_LIMIT, type EndToEnd } from './common.js';
import type { GatewayChildOptions } from './gateway-child.js';
import type { Peer } from './ipc.js';
import { fmt, mb, median, perSecond, x, type PhaseResult } from './report.js';
import type { HuaweiSimInfo } from './sim-child.js';

const PG_URL = process.env.PUSHGATE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.PUSHGATE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN = path.join(repoRoot, 'dist', 'src', 'main.js');
const PER_MESSAGE = 1000;
/** SQLite and PostgreSQL one-instance fan-outs, alternating (one each with --quick). */
const STORE_ROUNDS = 2;
/** 1-instance and 3-instance runs, alternating (one with --quick). */
const INSTANCE_ROUNDS = 3;

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function reachable(): Promise<string | undefined> {
  try {
    await admin('SELECT 1');
    const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    await r.connect();
    await r.ping();
    r.disconnect();
    return undefined;
  } catch (err) {
    return `PostgreSQL (${PG_URL}) or Redis (${REDIS_URL}) not reachable: ${(err as Error).message}`;
  }
}

/** A fresh schema and Redis prefix for `body`, dropped afterwards. */
async function isolated<T>(body: (pgUrl: string, prefix: string) => Promise<T>): Promise<T> {
  const schema = `pushgate_bench_${randomBytes(5).toString('hex')}`;
  const prefix = `pushgate-bench-${randomBytes(5).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema}`);
  const u = new URL(PG_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  try {
    return await body(u.toString(), prefix);
  } finally {
    await admin(`DROP SCHEMA ${schema} CASCADE`);
    const r = new Redis(REDIS_URL);
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  }
}

async function startMain(config: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, PUSHGATE_CONFIG: config }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const e = JSON.parse(line) as { msg?: string; port?: number };
        if (e.msg?.startsWith('pushgate listening') && e.port) resolve(e.port);
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
  return { child, port };
}

interface InstancesRun {
  ms: number;
  requests: number;
  /** How busy the machine's cores were during the run, 0–1 (every process on it, the bench's too). */
  busy: number;
}

/** The machine's CPU counters now (os.cpus(): every process on it), to tell how busy it was since. */
function machineCpu(): { total: number; idle: number; busySince(start: { total: number; idle: number }): number } {
  let total = 0;
  let idle = 0;
  for (const c of os.cpus()) {
    total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
    idle += c.times.idle;
  }
  return { total, idle, busySince: (start) => 1 - (idle - start.idle) / Math.max(1, total - start.total) };
}

/**
 * Messages of PER_MESSAGE tokens each instance accepts (and the cluster delivers) before the measured run. With 3, the
 * three processes together still spent 10–30% more gateway CPU than one process on the same 50,000 deliveries (their
 * JITs still tiering up, each on a third of the work; per-process CPU from /proc); with 10, 4–17%.
 */
const WARMUP_MESSAGES = 10;

/**
 * `messages` × 1000 tokens round-robin over `instances` main.js processes, after a warm-up: deliveries/s. `round`
 * keeps each run's tokens apart from every other run's.
 */
async function instancesRun(run: BenchRun, sim: Peer, info: HuaweiSimInfo, instances: number, messages: number, round: number): Promise<InstancesRun> {
  return isolated(async (pgUrl, prefix) => {
    const config = path.join(run.dir, `cluster-${instances}.yaml`);
    writeFileSync(
      config,
      `server: { port: 0, host: 127.0.0.1, bodyLimit: 8mb }
store: { driver: postgres, url: "${pgUrl}", poolSize: 8 }
queue: { driver: redis, url: "${REDIS_URL}", prefix: "${prefix}" }
security: { encryptionKey: "${'b'.repeat(64)}" }
dispatch: { pollIntervalMs: 100 }
log: { level: info }
tenants:
  - id: ${TENANT}
    serverKeys: [ "${SERVER_KEY}" ]
    providers:
      huawei: { appId: "${info.appId}", clientSecret: "${info.clientSecret}", endpoint: "${info.url}", authEndpoint: "${info.url}", rateLimit: { perSecond: ${HUAWEI_LANE.perSecond}, concurrency: ${HUAWEI_LANE.concurrency} } }
`,
    );
    const gws: Array<{ child: ChildProcess; port: number }> = [];
    /** `count` messages of PER_MESSAGE tokens from `first` on, round-robin over the instances, until every one answered 202. */
    const postAll = (count: number, first: number) =>
      Promise.all(
        Array.from({ length: count }, async (_, m) => {
          const gw = gws[m % gws.length]!;
          const res = await fetch(`http://127.0.0.1:${gw.port}/v1/messages`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: sendBody('huawei', range(first + m * PER_MESSAGE, PER_MESSAGE, huaweiToken)) });
          if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
        }),
      );
    try {
      for (let i = 0; i < instances; i++) gws.push(await startMain(config));
      // Every process warmed alike (WARMUP_MESSAGES accepted by each), as the other scenarios warm their gateway:
      // otherwise 3 instances pay three cold JITs on the same 2 cores and the figure measures compilation.
      await sim.call('reset');
      const warm = WARMUP_MESSAGES * instances;
      await postAll(warm, 40_000_000 + round * 1_000_000);
      await sim.call('waitFor', { count: warm * PER_MESSAGE, timeoutMs: 300_000, distinct: true });
      const before = (await sim.call<{ sendRequests: number }>('reset')).sendRequests;
      const cpus = machineCpu();
      const t0 = performance.now();
      await postAll(messages, 30_000_000 + round * 1_000_000);
      const done = await sim.call<{ sendRequests: number }>('waitFor', { count: messages * PER_MESSAGE, timeoutMs: 300_000, distinct: true });
      return { ms: performance.now() - t0, requests: done.sendRequests - before, busy: machineCpu().busySince(cpus) };
    } finally {
      for (const gw of gws) gw.child.kill('SIGTERM');
      await Promise.all(gws.map((gw) => new Promise((r) => (gw.child.exitCode !== null ? r(null) : gw.child.once('exit', r)))));
    }
  });
}

export async function cluster(run: BenchRun, sim: Peer, info: HuaweiSimInfo): Promise<PhaseResult> {
  const why = await reachable();
  if (why) {
    run.log(`cluster phase skipped: ${why}`);
    return { rows: [], raw: [`- cluster phase skipped: ${why}`] };
  }
  const n = run.quick ? 10_000 : 100_000;
  const messages = run.quick ? 10 : 50;
  const body = sendBody('huawei', range(0, n, huaweiToken));
  const base = (store: GatewayChildOptions['store']): GatewayChildOptions => ({
    store,
    serverKey: SERVER_KEY,
    tenant: TENANT,
    providers: { huawei: { appId: info.appId, clientSecret: info.clientSecret, endpoint: info.url, authEndpoint: info.url, rateLimit: HUAWEI_LANE } },
    bodyLimit: BODY_LIMIT,
    startLanes: true,
  });
  const once = async (opts: GatewayChildOptions): Promise<EndToEnd> => {
    const { gw, ports } = await run.gateway(opts);
    try {
      await endToEnd(sim, gw, ports.gateway, [sendBody('huawei', range(5_000_000, n / 10, huaweiToken))], n / 10);
      return await endToEnd(sim, gw, ports.gateway, [body], n);
    } finally {
      await closeChild(gw);
    }
  };
  // The SQLite reference measured here, in rounds alternating with PostgreSQL: the fan-out phase's figure, minutes
  // earlier, once made a 0.66× ratio read 0.50× on this noisy machine.
  const sqlite: EndToEnd[] = [];
  const pgRuns: EndToEnd[] = [];
  const storeRounds = run.quick ? 1 : STORE_ROUNDS;
  for (let r = 0; r < storeRounds; r++) {
    sqlite.push(await once(base({ driver: 'sqlite', path: path.join(run.dir, `cluster-sqlite-${r}.db`) })));
    pgRuns.push(await isolated((pgUrl, prefix) => once({ ...base({ driver: 'postgres', url: pgUrl, poolSize: 8 }), queue: { driver: 'redis', url: REDIS_URL, prefix } })));
  }
  run.log(`PostgreSQL + Redis, one instance: ${pgRuns.map((e) => `accept ${fmt(e.acceptMs)} ms, end to end ${fmt(e.ms)} ms`).join('; ')}; SQLite: ${sqlite.map((e) => `${fmt(e.ms)} ms`).join(', ')}`);
  // Alternating rounds, medians: one run each was at the mercy of whatever else the 2 cores did at the time.
  const ones: InstancesRun[] = [];
  const threes: InstancesRun[] = [];
  const rounds = run.quick ? 1 : INSTANCE_ROUNDS;
  for (let r = 0; r < rounds; r++) {
    ones.push(await instancesRun(run, sim, info, 1, messages, 2 * r));
    threes.push(await instancesRun(run, sim, info, 3, messages, 2 * r + 1));
  }
  run.log(`instances: 1 → ${ones.map((o) => fmt(o.ms)).join(', ')} ms, 3 → ${threes.map((o) => fmt(o.ms)).join(', ')} ms`);
  const described = (o: InstancesRun) => `${fmt(o.ms)} ms (${o.requests} vendor requests, cores ${fmt(o.busy * 100)}% busy)`;
  const one = { ms: median(ones.map((o) => o.ms)) };
  const three = { ms: median(threes.map((o) => o.ms)) };

  const sqliteRate = perSecond(n, median(sqlite.map((e) => e.ms)));
  const pgRate = perSecond(n, median(pgRuns.map((e) => e.ms)));
  const total = messages * PER_MESSAGE;
  const oneRate = perSecond(total, one.ms);
  const threeRate = perSecond(total, three.ms);
  return {
    rows: [
      { figure: `PostgreSQL + Redis, one instance, the same ${fmt(n)}-token fan-out (deliveries/s)`, reference: `SQLite path ${fmt(sqliteRate)}/s`, pushgate: `${fmt(pgRate)}/s`, ratio: x(pgRate / sqliteRate), goal: '≥ 0.5× SQLite', met: pgRate / sqliteRate >= 0.5 },
      { figure: `3 instances on PostgreSQL + Redis, ${messages} × ${fmt(PER_MESSAGE)} tokens round-robin (deliveries/s)`, reference: `1 instance ${fmt(oneRate)}/s`, pushgate: `${fmt(threeRate)}/s`, ratio: x(threeRate / oneRate), goal: '≥ 1× one instance', met: threeRate >= oneRate },
    ],
    raw: [
      `- PostgreSQL + Redis, one gateway child (pool 8, lane ${HUAWEI_LANE.perSecond}/s × ${HUAWEI_LANE.concurrency}), ${storeRounds} round(s) alternating with a SQLite gateway child, each after a ${fmt(n / 10)}-token warm-up, medians: ${fmt(n)} tokens accepted in ${pgRuns.map((e) => fmt(e.acceptMs)).join(', ')} ms, all delivered after ${pgRuns.map((e) => fmt(e.ms)).join(', ')} ms (lost ${pgRuns.map((e) => Math.max(0, n - e.accepted)).join(', ')}), gateway peak RSS ${pgRuns.map((e) => mb(e.peakRss)).join(', ')}; SQLite: all delivered after ${sqlite.map((e) => fmt(e.ms)).join(', ')} ms`,
      `- instances (dist/src/main.js processes, one schema, one Redis prefix, each process warmed with ${WARMUP_MESSAGES} messages of ${fmt(PER_MESSAGE)} tokens first; ${rounds} alternating round(s), medians): ${fmt(total)} deliveries, 1 → ${ones.map(described).join(', ')}; 3 → ${threes.map(described).join(', ')}. All processes share the same ${os.cpus().length} cores, so more instances add coordination, not CPU: while a run lasts, the machine's cores are as busy as the figures in brackets say.`,
    ],
  };
}
