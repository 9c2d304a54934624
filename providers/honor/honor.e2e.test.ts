/**
 * End to end: `POST /v1/messages` through the real gateway (SQLite, dispatcher, receipts route) to
 * the Honor simulator started by `playground()`, and the simulator's receipt back to the gateway.
 */
import type http from 'node:http';
import request from 'supertest';
import { listeningGateway, type ListeningGateway } from '../../test/factories/listening-gateway.js';
import { until } from '../../test/factories/process.js';
import type { HonorSimulator } from './simulator.js';

const SERVER_KEY = 'acme-server-key-000000000001';
const CLIENT_KEY = 'acme-client-key-000000000001';
const GOOD = 'HONORE2ETOKEN000000000001';
const DEAD = 'HONORE2ETOKEN000000000002';

describe('honor end to end', () => {
  let server: http.Server;
  let e2e: ListeningGateway;
  let sim: HonorSimulator;

  beforeAll(async () => {
    e2e = await listeningGateway(({ baseUrl, dbPath }) => ({
      server: { port: 0, publicBaseUrl: baseUrl },
      store: { driver: 'sqlite', path: dbPath },
      security: { encryptionKey: 'b'.repeat(64) },
      dispatch: { pollIntervalMs: 20 },
      log: { level: 'silent' },
      tenants: [{ id: 'acme', serverKeys: [SERVER_KEY], clientKeys: [CLIENT_KEY], receiptSecret: 'acme-receipt-secret-0000001', providers: { honor: { simulator: true } } }],
    }));
    server = e2e.server;
    sim = e2e.gw.hub.simulators.get('acme/honor') as HonorSimulator;
    sim.receipts.delayMs = 0;
  });

  afterAll(() => e2e.close());

  const api = (method: 'get' | 'post', url: string, key = SERVER_KEY) => request(server)[method](url).set('Authorization', `Bearer ${key}`);

  it('delivers to a registered Honor device, turns it delivered by the receipt, and prunes an expired token', async () => {
    await api('post', '/v1/devices', CLIENT_KEY).send({ provider: 'honor', token: GOOD, userId: 'u1' }).expect(201);
    await api('post', '/v1/devices', CLIENT_KEY).send({ provider: 'honor', token: DEAD, userId: 'u1' }).expect(201);
    sim.invalidTokens.add(DEAD);

    const sent = await api('post', '/v1/messages')
      .send({ to: { userIds: ['u1'] }, notification: { title: 'Order shipped', body: 'Your parcel is on its way' }, data: { order: '42' }, options: { category: 'logistics' } })
      .expect(202);
    const id = sent.body.id as string;
    const done = await until(async () => {
      const body = (await api('get', `/v1/messages/${id}`).expect(200)).body;
      return body.counts.delivered === 1 && body.deliveries.length === 2 && body.deliveries.every((d: { state: string }) => d.state !== 'queued' && d.state !== 'sending') ? body : undefined;
    }, 'the Honor delivery to turn delivered', 20_000);

    // Tokens are shown masked (first and last characters): the two differ in their last digit.
    const bySuffix = new Map((done.deliveries as Array<{ token: string; state: string; lastError: unknown }>).map((d) => [d.token.slice(-1), d]));
    expect(bySuffix.get(GOOD.slice(-1))?.state).toBe('delivered');
    expect(bySuffix.get(DEAD.slice(-1))).toMatchObject({ state: 'failed', lastError: { code: 'invalid_token', message: 'expired token (data.expireTokens)', vendorCode: '200' } });
    expect(sim.accepted).toEqual([GOOD]);
    expect(sim.lastSend?.body).toMatchObject({ data: '{"order":"42"}', android: { biTag: id, notification: { title: 'Order shipped', importance: 'NORMAL', clickAction: { type: 3 } } } });
    const exported = (await api('get', '/v1/users/u1/data').expect(200)).body as { devices: Array<{ provider: string }> };
    expect(exported.devices).toHaveLength(1);
  });
});
