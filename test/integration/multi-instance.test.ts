/**
 * Scale-out, end to end: three gateway processes share one PostgreSQL schema and one Redis prefix.
 * Their one Huawei lane is limited to N requests/s for the cluster; 20,000 targets are sent through
 * two of them; one is SIGKILLed mid-way. The simulator's request rate must stay within N (+10% for
 * measurement) over every one-second window, and every delivery must end `sent`.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { HuaweiSimulator } from '../../providers/huawei/index.js';
import { requirePostgres, requireRedis, TEST_PG_URL, TEST_REDIS_URL, withSchema } from '../contract/services.js';
import { hwToken } from '../factories/gateway.js';
import { api, assertBuilt, startGateway, until, type GatewayProcess } from '../factories/process.js';

const postgres = await requirePostgres();
const redis = await requireRedis();
const run = postgres.available && redis.available ? describe : describe.skip;

const KEY = 'cluster-test-server-key-01';
const RATE = 10; // vendor requests per second, for the whole cluster
const MESSAGES = 200; // × 100 targets = 20,000 targets, one vendor request per message
const PER_MESSAGE = 100;

/** The largest number of requests that arrived within any one-second window. */
function maxPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] ?? 0) - (sorted[j] ?? 0) >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

run('three instances on one PostgreSQL and one Redis', () => {
  const schema = `pushgate_cluster_${randomBytes(5).toString('hex')}`;
  const prefix = `pushgate-test-${randomBytes(5).toString('hex')}`;
  let sim: HuaweiSimulator;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    assertBuilt();
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.end();
    sim = await HuaweiSimulator.start({ appId: '888', clientSecret: 'cluster-secret' });
    dir = mkdtempSync(path.join(tmpdir(), 'pushgate-cluster-'));
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA ${schema} CASCADE`);
    await c.end();
    const r = new Redis(TEST_REDIS_URL);
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  });

  it(`holds the lane to ${RATE} requests/s across the cluster and loses nothing when one instance is killed`, async () => {
    const config = path.join(dir, 'cluster.yaml');
    writeFileSync(
      config,
      `server: { port: 0, host: 127.0.0.1 }
store: { driver: postgres, url: "${withSchema(TEST_PG_URL, schema)}", poolSize: 5 }
queue: { driver: redis, url: "${TEST_REDIS_URL}", prefix: "${prefix}" }
security: { encryptionKey: "${'f'.repeat(64)}" }
dispatch: { leaseSeconds: 3, pollIntervalMs: 200, backoffBaseMs: 200 }
log: { level: info }
tenants:
  - id: acme
    serverKeys: [ "${KEY}" ]
    providers:
      huawei: { appId: "${sim.appId}", clientSecret: "${sim.clientSecret}", endpoint: "${sim.url}", authEndpoint: "${sim.url}", rateLimit: { perSecond: ${RATE}, concurrency: 4 } }
`,
    );
    sim.delayMs = 50;
    const gws: GatewayProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const gw = await startGateway(config);
      children.push(gw.child);
      gws.push(gw);
    }
    const [a, b, victim] = gws as [GatewayProcess, GatewayProcess, GatewayProcess];

    // 20,000 targets through two of the three instances, alternating.
    const ids: string[] = [];
    for (let m = 0; m < MESSAGES; m++) {
      const tokens = Array.from({ length: PER_MESSAGE }, (_, i) => ({ provider: 'huawei', token: hwToken(m * PER_MESSAGE + i) }));
      const res = await api(m % 2 ? b.port : a.port, KEY, 'POST', '/v1/messages', { to: { tokens }, notification: { title: 'cluster', body: `message ${m}` } });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }

    await until(() => (sim.sendRequests >= MESSAGES / 4 ? true : undefined), 'a quarter of the requests', 120_000);
    victim.child.kill('SIGKILL');
    await victim.exited;

    await until(() => (new Set(sim.accepted).size === MESSAGES * PER_MESSAGE ? true : undefined), 'every target to reach the simulator', 150_000);
    for (const id of ids) {
      await until(async () => ((await api(a.port, KEY, 'GET', `/v1/messages/${id}?limit=1`)).body.status === 'done' ? true : undefined), `message ${id} to finish`);
    }

    const counts = { sent: 0, other: 0 };
    for (const id of ids) {
      const c = (await api(b.port, KEY, 'GET', `/v1/messages/${id}?limit=1`)).body.counts;
      counts.sent += c.sent ?? 0;
      counts.other += (c.failed ?? 0) + (c.expired ?? 0) + (c.queued ?? 0) + (c.sending ?? 0);
    }
    expect(counts).toEqual({ sent: MESSAGES * PER_MESSAGE, other: 0 });
    const unique = new Set(sim.accepted);
    expect(unique.size).toBe(MESSAGES * PER_MESSAGE);
    const peak = maxPerSecond(sim.sendTimes);
    console.log(
      `cluster test: ${sim.sendRequests} vendor requests, busiest 1 s window ${peak} (limit ${RATE}), ` +
        `${sim.accepted.length - unique.size} duplicate deliveries after the SIGKILL (at-least-once)`,
    );
    expect(peak).toBeLessThanOrEqual(Math.floor(RATE * 1.1));
    // 200 requests at 10/s are 20 s by design, plus three starts and a lease expiry: the test's own
    // waits allow 120 s + 150 s, so jest's 60 s default must not cut it short on a busy machine.
  }, 300_000);
});
