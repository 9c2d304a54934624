/**
 * Webhooks in a cluster: two gateway processes on one PostgreSQL schema and one Redis prefix both
 * run lanes and webhook senders. Every event reaches the receiver, each once (leases: the normal
 * case has no duplicates), and every message is reported completed once.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

const KEY = 'hook-cluster-server-key-01';
const MESSAGES = 20;
const PER_MESSAGE = 20;

run('webhooks from two instances on one PostgreSQL and one Redis', () => {
  const schema = `pushgate_hooks_${randomBytes(5).toString('hex')}`;
  const prefix = `pushgate-hooks-${randomBytes(5).toString('hex')}`;
  let sim: HuaweiSimulator;
  let dir: string;
  let receiver: Server;
  const children: ChildProcess[] = [];
  const received: Array<{ id: string; type: string; messageId: string }> = [];

  beforeAll(async () => {
    assertBuilt();
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.end();
    sim = await HuaweiSimulator.start({ appId: '889', clientSecret: 'hook-cluster-secret' });
    dir = mkdtempSync(path.join(tmpdir(), 'pushgate-hook-cluster-'));
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (ch: Buffer) => (raw += ch.toString('utf8')));
      req.on('end', () => {
        const body = JSON.parse(raw) as { id: string; type: string; data: { messageId: string } };
        received.push({ id: body.id, type: body.type, messageId: body.data.messageId });
        setTimeout(() => res.writeHead(204).end(), 10);
      });
    });
    receiver.listen(0, '127.0.0.1');
    await new Promise((r) => receiver.once('listening', r));
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
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

  it('delivers each event once and reports each message completed once', async () => {
    const config = path.join(dir, 'cluster.yaml');
    writeFileSync(
      config,
      `server: { port: 0, host: 127.0.0.1 }
store: { driver: postgres, url: "${withSchema(TEST_PG_URL, schema)}", poolSize: 5 }
queue: { driver: redis, url: "${TEST_REDIS_URL}", prefix: "${prefix}" }
security: { encryptionKey: "${'e'.repeat(64)}" }
dispatch: { leaseSeconds: 5, pollIntervalMs: 100 }
webhookDelivery: { pollIntervalMs: 50, batch: 8 }
log: { level: info }
tenants:
  - id: acme
    serverKeys: [ "${KEY}" ]
    allowPrivateNetworks: true
    webhooks:
      - { url: "http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks", events: [delivery.failed, message.completed], secret: "hook-cluster-webhook-secret" }
    providers:
      huawei: { appId: "${sim.appId}", clientSecret: "${sim.clientSecret}", endpoint: "${sim.url}", authEndpoint: "${sim.url}", rateLimit: { perSecond: 200, concurrency: 4 } }
`,
    );
    const gws: GatewayProcess[] = [];
    for (let i = 0; i < 2; i++) {
      const gw = await startGateway(config);
      children.push(gw.child);
      gws.push(gw);
    }
    const [a, b] = gws as [GatewayProcess, GatewayProcess];
    const ids: string[] = [];
    for (let m = 0; m < MESSAGES; m++) {
      // Half of each message's tokens are dead: delivery.failed for those, then message.completed.
      const tokens = Array.from({ length: PER_MESSAGE }, (_, i) => hwToken(700_000 + m * PER_MESSAGE + i));
      tokens.slice(0, PER_MESSAGE / 2).forEach((t) => sim.invalidTokens.add(t));
      const res = await api(m % 2 ? b.port : a.port, KEY, 'POST', '/v1/messages', { to: { tokens: tokens.map((token) => ({ provider: 'huawei', token })) }, data: { m: String(m) } });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    const expected = MESSAGES * (PER_MESSAGE / 2) + MESSAGES;
    await until(() => (new Set(received.map((r) => r.id)).size >= expected ? true : undefined), `${expected} events`, 60_000);
    // Let any duplicate arrive before counting.
    await new Promise((r) => setTimeout(r, 500));

    const unique = new Set(received.map((r) => r.id));
    expect(unique.size).toBe(expected);
    const completed = received.filter((r) => r.type === 'message.completed').map((r) => r.messageId);
    expect(completed.sort()).toEqual([...ids].sort());
    const delivered = async (port: number) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return [...text.matchAll(/^pushgate_webhooks_total\{[^}]*outcome="delivered"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    const [byA, byB] = [await delivered(a.port), await delivered(b.port)];
    console.log(`webhook cluster test: ${received.length} POSTs for ${unique.size} events (${received.length - unique.size} duplicates); instance a sent ${byA}, b sent ${byB}`);
    expect(byA + byB).toBe(received.length);
    expect(received.length - unique.size).toBe(0);
    for (const g of gws) g.child.kill('SIGTERM');
    for (const g of gws) expect(await g.exited).toBe(0);
  });
});
