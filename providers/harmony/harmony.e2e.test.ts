/**
 * End to end through the real gateway: POST /v1/messages → the harmony lane → the simulator
 * (JWT verified) → sent, then the simulator's signed receipt V2 → delivered.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLIENT_KEY, hwToken, testGateway, type TestGateway } from '../../test/factories/gateway.js';
import { until } from '../../test/factories/process.js';
import { harmonyProvider } from './index.js';
import type { HarmonySimulator } from './simulator.js';

let t: TestGateway;
let sim: HarmonySimulator;
let server: Server;
const token = (i: number) => `MAAALgE4G98BAAAAe2e${String(i).padStart(20, '0')}`;

beforeAll(async () => {
  const pg = await harmonyProvider.playground!();
  sim = pg.simulator as HarmonySimulator;
  t = await testGateway({ acmeProviders: { harmony: pg.config }, realClock: true });
  server = t.gw.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // AppGallery Connect's receipt configuration, pointed at this gateway.
  sim.receiptConfig = { url: `${base}/v1/receipts/harmony/acme`, callbackUserName: pg.config.callbackUserName, callbackKey: pg.config.callbackKey };
  sim.receipts.delayMs = 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await t.close();
  await sim.close();
});

describe('harmony end to end', () => {
  it('delivers a message from POST /v1/messages to the simulator, and its receipt turns it delivered', async () => {
    for (const i of [0, 1]) await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'harmony', token: token(i), userId: 'hm' }).expect(201);
    const { body } = await t.server('post', '/v1/messages').send({ to: { userIds: ['hm'] }, notification: { title: 'Order shipped', body: 'Arrives Friday' }, options: { category: 'order' } }).expect(202);
    await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'harmony' });
    expect([...sim.accepted].sort()).toEqual([token(0), token(1)]);
    expect(sim.lastSend?.body.payload).toMatchObject({ notification: { category: 'EXPRESS', title: 'Order shipped' } });
    expect(sim.lastSend?.body.pushOptions).toMatchObject({ biTag: body.id });
    const done = await until(async () => {
      const status = (await t.server('get', `/v1/messages/${body.id}`).expect(200)).body;
      return status.counts.delivered === 2 ? status : undefined;
    }, 'both deliveries to turn delivered', 10_000);
    expect(done.providers).toEqual({ harmony: { delivered: 2 } });
  });

  it('keeps a Huawei phone still on Android on huawei: one user, each device through its own channel', async () => {
    // An HMS token can look like a NEXT one (both start IQAAAA…): the registered provider decides, never the shape.
    const hms = hwToken(7);
    const next = `IQAAAA${hms.slice(6, 40)}`;
    expect((await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'huawei', token: hms, userId: 'both' }).expect(201)).body.provider).toBe('huawei');
    expect((await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'harmony', token: next, userId: 'both' }).expect(201)).body.provider).toBe('harmony');
    const { body } = await t.server('post', '/v1/messages').send({ to: { userIds: ['both'] }, notification: { title: 'Hi', body: 'Both phones' } }).expect(202);
    await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'huawei' });
    await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'harmony' });
    expect(t.sim.accepted).toContain(hms);
    expect(t.sim.accepted).not.toContain(next);
    expect(sim.accepted).toContain(next);
    expect(sim.accepted).not.toContain(hms);
    const status = (await t.server('get', `/v1/messages/${body.id}`).expect(200)).body;
    expect(Object.keys(status.providers).sort()).toEqual(['harmony', 'huawei']);
  });

  it('prunes a device whose token the vendor calls malformed', async () => {
    await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'harmony', token: token(5), userId: 'gone' }).expect(201);
    sim.invalidTokens.add(token(5));
    await t.server('post', '/v1/messages').send({ to: { userIds: ['gone'] }, data: { k: 'v' } }).expect(202);
    await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'harmony' });
    expect(sim.lastSend?.pushType).toBe(6);
    expect((await t.server('get', '/v1/devices?userId=gone').expect(200)).body.devices).toEqual([]);
  });
});
