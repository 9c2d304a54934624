/**
 * End to end: `POST /v1/messages` through the real gateway (SQLite, dispatcher, receipts route) to
 * the Honor simulator started by `playground()`, and the simulator's receipt back to the gateway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { until } from '../../test/factories/process.js';
import { parseConfig } from '../../src/config/load.js';
import { buildGateway, type Gateway } from '../../src/gateway.js';
import { providers } from '../registry.js';
import type { HonorSimulator } from './simulator.js';

const SERVER_KEY = 'acme-server-key-000000000001';
const CLIENT_KEY = 'acme-client-key-000000000001';
const GOOD = 'HONORE2ETOKEN000000000001';
const DEAD = 'HONORE2ETOKEN000000000002';

describe('honor end to end', () => {
  let dir: string;
  let server: http.Server;
  let gw: Gateway;
  let sim: HonorSimulator;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pushgate-honor-'));
    // Listen first so publicBaseUrl names the real port: the simulator posts receipts there.
    const plugged: { app?: http.RequestListener } = {};
    server = http.createServer((req, res) => (plugged.app ? plugged.app(req, res) : res.writeHead(503).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const config = parseConfig(
      {
        server: { port: 0, publicBaseUrl: `http://127.0.0.1:${port}` },
        store: { driver: 'sqlite', path: path.join(dir, 'pushgate.db') },
        security: { encryptionKey: 'b'.repeat(64) },
        dispatch: { pollIntervalMs: 20 },
        log: { level: 'silent' },
        tenants: [{ id: 'acme', serverKeys: [SERVER_KEY], clientKeys: [CLIENT_KEY], receiptSecret: 'acme-receipt-secret-0000001', providers: { honor: { simulator: true } } }],
      },
      {},
      providers,
    );
    gw = await buildGateway(config, { providers, logger: pino({ level: 'silent' }) });
    await gw.start();
    plugged.app = gw.app;
    sim = gw.hub.simulators.get('acme/honor') as HonorSimulator;
    sim.receipts.delayMs = 0;
  });

  afterAll(async () => {
    await gw.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

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
