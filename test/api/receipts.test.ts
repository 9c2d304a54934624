import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XiaomiSimulator } from '../../providers/xiaomi/simulator.js';
import { CLIENT_KEY, RECEIPT_SECRET, hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

let t: TestGateway;
let base: string;
let server: Server;

beforeEach(async () => {
  t = await testGateway();
  server = t.gw.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await t.close();
});

async function sendAndDispatch(n: number) {
  for (let i = 0; i < n; i++) await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'huawei', token: hwToken(i), userId: 'r' }).expect(201);
  const { body } = await t.server('post', '/v1/messages').send({ to: { userIds: ['r'] }, notification: { title: 'a', body: 'b' } }).expect(202);
  await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'huawei' });
  return body.id as string;
}

const signing = { callbackUserName: 'cbuser', callbackKey: 'cbkey' };

describe('POST /v1/receipts/{provider}/{tenant}', () => {
  it('turns a signed Huawei "delivered" receipt into delivered and prunes on status 2/5/10', async () => {
    const id = await sendAndDispatch(3);
    const res = await t.sim.sendReceipt(`${base}/v1/receipts/huawei/acme`, [
      { status: 0, token: hwToken(0), biTag: id },
      { status: 5, token: hwToken(1), biTag: id },
    ], signing);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ errno: 0 });
    const status = (await t.server('get', `/v1/messages/${id}`).expect(200)).body;
    expect(status.counts).toMatchObject({ delivered: 1, sent: 2 });
    expect((await t.server('get', '/v1/devices?userId=r').expect(200)).body.devices).toHaveLength(2);
    let metrics = (await t.http.get('/metrics')).text;
    expect(metrics).toMatch(/pushgate_receipts_total\{tenant="acme",provider="huawei",status="delivered"\} 1/);
    expect(metrics).toMatch(/pushgate_deliveries_delivered_total\{tenant="acme",provider="huawei"\} 1\n/);
    // The vendor repeats the receipt: another receipt event, but no delivery turns delivered twice.
    await t.sim.sendReceipt(`${base}/v1/receipts/huawei/acme`, [{ status: 0, token: hwToken(0), biTag: id }], signing);
    metrics = (await t.http.get('/metrics')).text;
    expect(metrics).toMatch(/pushgate_receipts_total\{tenant="acme",provider="huawei",status="delivered"\} 2/);
    expect(metrics).toMatch(/pushgate_deliveries_delivered_total\{tenant="acme",provider="huawei"\} 1\n/);
    // Delivered is a part of sent, never added to it: the delivery stays counted once, as sent.
    expect(metrics).toMatch(/pushgate_deliveries_total\{tenant="acme",provider="huawei",state="sent"\} 3\n/);
  });

  it('refuses a Huawei receipt with a wrong signature and changes nothing', async () => {
    const id = await sendAndDispatch(1);
    const res = await t.sim.sendReceipt(`${base}/v1/receipts/huawei/acme`, [{ status: 2, token: hwToken(0), biTag: id }], { callbackUserName: 'cbuser', callbackKey: 'wrong' });
    expect(res.status).toBe(401);
    expect((await t.server('get', '/v1/devices?userId=r').expect(200)).body.devices).toHaveLength(1);
  });

  it('refuses an unsigned Huawei receipt when the tenant configured a callback key, even with the URL secret', async () => {
    const id = await sendAndDispatch(1);
    const body = { statuses: [{ status: 0, token: hwToken(0), biTag: id, appid: t.sim.appId, timestamp: Date.now() }] };
    const res = await fetch(`${base}/v1/receipts/huawei/acme?secret=${RECEIPT_SECRET}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(401);
    expect((await t.server('get', `/v1/messages/${id}`).expect(200)).body.counts.delivered).toBe(0);
  });

  it('answers the same 401 for an unknown tenant', async () => {
    const res = await fetch(`${base}/v1/receipts/huawei/ghost?secret=${RECEIPT_SECRET}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"statuses":[]}' });
    expect(res.status).toBe(401);
  });
});

describe('receipts authenticated by the per-tenant URL secret (Xiaomi)', () => {
  let mi: XiaomiSimulator;
  let tx: TestGateway;
  let srv: Server;
  let url: string;
  const regId = 'd//igwEhgBGCI2TG6lWqlK6Ekwqv2nfvF8eDXNkbX3UdHOcxLm5D0xDVumFuNV+Y';

  beforeEach(async () => {
    mi = await XiaomiSimulator.start({ appSecret: 'mi-secret-0001', packageName: 'com.acme.app' });
    tx = await testGateway({ acmeProviders: { xiaomi: { appSecret: 'mi-secret-0001', packageName: 'com.acme.app', endpoint: mi.url } } });
    srv = tx.gw.app.listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1/receipts/xiaomi/acme`;
  });
  afterEach(async () => {
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
    await tx.close();
    await mi.close();
  });

  it('puts the callback URL with the secret into the outgoing message, then applies a receipt only with that secret', async () => {
    await tx.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'xiaomi', token: regId, userId: 'x' }).expect(201);
    const { body } = await tx.server('post', '/v1/messages').send({ to: { userIds: ['x'] }, notification: { title: 'a', body: 'b' } }).expect(202);
    await tx.gw.dispatcher.runLane({ tenant: 'acme', provider: 'xiaomi' });
    const [row] = await tx.gw.store.listDeliveries('acme', body.id, null, 10);
    expect(row?.state).toBe('sent');
    const sent = mi.withCallback.get(row!.vendorMessageId!);
    expect(sent?.callback).toBe(`https://push.example.com/v1/receipts/xiaomi/acme?secret=${RECEIPT_SECRET}`);
    expect(sent?.param).toBe(body.id);

    expect(await mi.sendReceipt(`${url}?secret=wrong-secret`, { msgId: row!.vendorMessageId!, type: 1, targets: [regId], param: body.id })).toBe(401);
    expect((await tx.server('get', `/v1/messages/${body.id}`).expect(200)).body.counts.delivered).toBe(0);
    expect(await mi.sendReceipt(`${url}?secret=${RECEIPT_SECRET}`, { msgId: row!.vendorMessageId!, type: 1, targets: [regId], param: body.id })).toBe(200);
    expect((await tx.server('get', `/v1/messages/${body.id}`).expect(200)).body.counts.delivered).toBe(1);
    expect(await mi.sendReceipt(`${url}?secret=${RECEIPT_SECRET}`, { msgId: row!.vendorMessageId!, type: 16, targets: [regId], param: body.id })).toBe(200);
    expect((await tx.server('get', '/v1/devices?userId=x').expect(200)).body.devices).toHaveLength(0);
  });
});
