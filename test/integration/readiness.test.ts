/**
 * `/readyz` follows PostgreSQL and Redis: false while either is unreachable, true again when it is
 * back, and the lanes go on delivering without a restart. The network is cut with TCP proxies in
 * front of the real services.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import request from 'supertest';
import { huaweiProvider, HuaweiSimulator } from '../../providers/huawei/index.js';
import type { AnyProviderDefinition } from '../../providers/types.js';
import { parseConfig } from '../../src/config/load.js';
import { buildGateway, type Gateway } from '../../src/gateway.js';
import { requirePostgres, requireRedis, TEST_PG_URL, TEST_REDIS_URL, withSchema } from '../contract/services.js';
import { hwToken } from '../factories/gateway.js';
import { until } from '../factories/process.js';
import { tcpProxy, type TcpProxy } from '../factories/tcp-proxy.js';

const postgres = await requirePostgres();
const redis = await requireRedis();
const run = postgres.available && redis.available ? describe : describe.skip;
const KEY = 'readiness-server-key-0001';

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  await c.query(sql);
  await c.end();
}

run('readiness with PostgreSQL and Redis behind a network that fails', () => {
  const schema = `pushgate_ready_${randomBytes(5).toString('hex')}`;
  let sim: HuaweiSimulator;
  let pgNet: TcpProxy;
  let redisNet: TcpProxy;
  let gw: Gateway;

  beforeAll(async () => {
    await admin(`CREATE SCHEMA ${schema}`);
    sim = await HuaweiSimulator.start({ appId: '55', clientSecret: 'ready-secret' });
    const pgUrl = new URL(TEST_PG_URL);
    const redisUrl = new URL(TEST_REDIS_URL);
    pgNet = await tcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
    redisNet = await tcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
    const providers = [huaweiProvider] as AnyProviderDefinition[];
    const config = parseConfig(
      {
        store: { driver: 'postgres', url: pgNet.via(withSchema(TEST_PG_URL, schema)), poolSize: 4 },
        queue: { driver: 'redis', url: redisNet.via(TEST_REDIS_URL), prefix: `pushgate-ready-${randomBytes(4).toString('hex')}` },
        security: { encryptionKey: 'e'.repeat(64) },
        dispatch: { pollIntervalMs: 200, backoffBaseMs: 100, leaseSeconds: 5 },
        log: { level: 'silent' },
        tenants: [{ id: 'acme', serverKeys: [KEY], providers: { huawei: { appId: sim.appId, clientSecret: sim.clientSecret, endpoint: sim.url, authEndpoint: sim.url } } }],
      },
      {},
      providers,
    );
    gw = await buildGateway(config, { providers, logger: pino({ level: 'silent' }) });
    await gw.start();
  });

  afterAll(async () => {
    await pgNet.restore().catch(() => {});
    await redisNet.restore().catch(() => {});
    await gw.stop();
    await Promise.all([pgNet.close(), redisNet.close(), sim.close()]);
    await admin(`DROP SCHEMA ${schema} CASCADE`);
  });

  const readyz = () => request(gw.app).get('/readyz');
  const failing = async () => ((await readyz()).body.checks as Array<{ name: string; ok: boolean }>).filter((c) => !c.ok).map((c) => c.name);
  const send = (n: number) =>
    request(gw.app)
      .post('/v1/messages')
      .set('Authorization', `Bearer ${KEY}`)
      .send({ to: { tokens: [{ provider: 'huawei', token: hwToken(n) }] }, notification: { title: 'ready', body: String(n) } })
      .expect(202);

  it('is ready, goes unready while PostgreSQL is away, and delivers again once it is back', async () => {
    await readyz().expect(200);
    await pgNet.cut();
    await until(async () => ((await failing()).includes('store') ? true : undefined), 'the store check to fail');
    expect((await readyz()).status).toBe(503);
    await pgNet.restore();
    await until(async () => ((await readyz()).status === 200 ? true : undefined), '/readyz to recover');
    await send(1);
    await until(() => (sim.accepted.includes(hwToken(1)) ? true : undefined), 'a delivery after PostgreSQL came back');
  }, 60_000);

  it('goes unready while Redis is away, and delivers again once it is back', async () => {
    await readyz().expect(200);
    await redisNet.cut();
    await until(async () => ((await failing()).includes('queue') ? true : undefined), 'the queue check to fail');
    await redisNet.restore();
    await until(async () => ((await readyz()).status === 200 ? true : undefined), '/readyz to recover');
    await send(2);
    await until(() => (sim.accepted.includes(hwToken(2)) ? true : undefined), 'a delivery after Redis came back');
  }, 60_000);
});
