/**
 * The cluster case of `npm run bench`: deliveries per second with 1, 2 and 3 gateway processes
 * on one PostgreSQL schema and one Redis prefix, against the same Huawei simulator (in this
 * process). Each instance count gets a fresh schema and prefix, the same 50,000 targets (50
 * messages × 1,000, posted round-robin to the instances) and a lane limit that does not bind.
 * Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (PUSHGATE_TEST_PG_URL /
 * PUSHGATE_TEST_REDIS_URL); without them it says so and writes nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import pg from 'pg';
import { HuaweiSimulator } from '../providers/huawei/index.js';
import { benchArgs } from './args.js';

const PG_URL = process.env.PUSHGATE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.PUSHGATE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const { quick: QUICK, write: WRITE } = benchArgs();
const MESSAGES = QUICK ? 10 : 50;
const PER_MESSAGE = 1000;
const KEY = 'bench-cluster-server-key-01';
const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const MAIN = path.join(repoRoot, 'dist', 'src', 'main.js');

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

async function start(config: string): Promise<{ child: ChildProcess; port: number }> {
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

async function runWith(instances: number, sim: HuaweiSimulator, dir: string): Promise<{ instances: number; ms: number; perSecond: number; requests: number }> {
  const schema = `pushgate_bench_${randomBytes(5).toString('hex')}`;
  const prefix = `pushgate-bench-${randomBytes(5).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema}`);
  const config = path.join(dir, `cluster-${instances}.yaml`);
  writeFileSync(
    config,
    `server: { port: 0, host: 127.0.0.1, bodyLimit: 8mb }
store: { driver: postgres, url: "${withSchema(PG_URL, schema)}", poolSize: 8 }
queue: { driver: redis, url: "${REDIS_URL}", prefix: "${prefix}" }
security: { encryptionKey: "${'b'.repeat(64)}" }
dispatch: { pollIntervalMs: 100 }
log: { level: info }
tenants:
  - id: bench
    serverKeys: [ "${KEY}" ]
    maxBacklog: 10000000
    providers:
      huawei: { appId: "${sim.appId}", clientSecret: "${sim.clientSecret}", endpoint: "${sim.url}", authEndpoint: "${sim.url}", rateLimit: { perSecond: 1000, concurrency: 8 } }
`,
  );
  const gws: Array<{ child: ChildProcess; port: number }> = [];
  for (let i = 0; i < instances; i++) gws.push(await start(config));
  try {
    sim.accepted.length = 0;
    const before = sim.sendRequests;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: MESSAGES }, async (_, m) => {
        const tokens = Array.from({ length: PER_MESSAGE }, (_, i) => ({ provider: 'huawei', token: `IQAAAACy0bench${instances}x${String(m * PER_MESSAGE + i).padStart(20, '0')}` }));
        const gw = gws[m % gws.length]!;
        const res = await fetch(`http://127.0.0.1:${gw.port}/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ to: { tokens }, notification: { title: 'bench', body: `m${m}` } }),
        });
        if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
      }),
    );
    const total = MESSAGES * PER_MESSAGE;
    // Condition, not sleep: poll the simulator's count.
    while (new Set(sim.accepted).size < total) await new Promise((r) => setTimeout(r, 5));
    const ms = performance.now() - t0;
    return { instances, ms, perSecond: Math.round((total / ms) * 1000), requests: sim.sendRequests - before };
  } finally {
    for (const gw of gws) gw.child.kill('SIGTERM');
    await Promise.all(gws.map((gw) => new Promise((r) => (gw.child.exitCode !== null ? r(null) : gw.child.once('exit', r)))));
    await admin(`DROP SCHEMA ${schema} CASCADE`);
    const r = new Redis(REDIS_URL);
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  }
}

async function main(): Promise<void> {
  try {
    await admin('SELECT 1');
    const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    await r.connect();
    await r.ping();
    r.disconnect();
  } catch (err) {
    console.log(`cluster bench skipped: PostgreSQL (${PG_URL}) or Redis (${REDIS_URL}) not reachable: ${(err as Error).message}`);
    return;
  }
  const sim = await HuaweiSimulator.start({ appId: '4242', clientSecret: 'bench-cluster' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pushgate-bench-cluster-'));
  const rows = [];
  try {
    for (const n of [1, 2, 3]) {
      const r = await runWith(n, sim, dir);
      console.log(`cluster: ${n} instance(s): ${MESSAGES * PER_MESSAGE} deliveries in ${Math.round(r.ms)} ms = ${r.perSecond}/s (${r.requests} vendor requests)`);
      rows.push(r);
    }
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const cpus = os.cpus();
  const section = [
    `## Cluster — ${new Date().toISOString()}${QUICK ? ' (quick)' : ''}`,
    '',
    'Command: `npm run bench` (bench/cluster.ts, after bench/run.ts)  ',
    `Machine: node ${process.version}, ${os.platform()} ${os.release()}, ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM`,
    '',
    `${MESSAGES} messages × ${PER_MESSAGE} raw tokens, posted round-robin to the instances, Huawei lane 1000 requests/s × 8 (does not bind),`,
    'PostgreSQL store + Redis engine, simulator in the bench process; timed from the first POST until the simulator has every target.',
    'All processes share the same 2 cores, so more instances add coordination, not CPU.',
    '',
    '| instances | deliveries/s | time | vendor requests |',
    '|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.instances} | ${r.perSecond.toLocaleString('en-US')} | ${Math.round(r.ms).toLocaleString('en-US')} ms | ${r.requests} |`),
  ].join('\n');
  const file = path.join(repoRoot, 'bench', 'RESULTS.md');
  const startMark = `<!-- bench:cluster${QUICK ? '-quick' : ''}:start -->`;
  const endMark = `<!-- bench:cluster${QUICK ? '-quick' : ''}:end -->`;
  let text = readFileSync(file, 'utf8');
  const block = `${startMark}\n${section}\n${endMark}`;
  const from = text.indexOf(startMark);
  const to = text.indexOf(endMark);
  text = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + endMark.length) : `${text.trimEnd()}\n\n${block}\n`;
  if (WRITE) writeFileSync(file, text);
  console.log(section);
}

await main();
