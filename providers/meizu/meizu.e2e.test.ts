/**
 * End to end: `POST /v1/messages` through the real in-process gateway (dispatcher, store, receipts
 * route) to the Meizu simulator, and Meizu's receipt back to `POST /v1/receipts/meizu/{tenant}`.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLIENT_KEY, RECEIPT_SECRET, testGateway, type TestGateway } from '../../test/factories/gateway.js';
import { MeizuSimulator } from './simulator.js';

const LIVE = 'J0476035d625e6c64567f71487e040e7d017f0558675b';
const DEAD = 'RA50c6348036344485d01776773577c64740465480a6b';
const OFF = 'K1234567d625e6c64567f71487e040e7d017f0558675b';

let sim: MeizuSimulator;
let t: TestGateway;
let srv: Server;
let receiptUrl: string;

beforeEach(async () => {
  sim = await MeizuSimulator.start({ appId: '100999', appSecret: 'meizu-e2e-secret' });
  t = await testGateway({ acmeProviders: { meizu: { appId: '100999', appSecret: 'meizu-e2e-secret', endpoint: sim.url } } });
  srv = t.gw.app.listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  receiptUrl = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1/receipts/meizu/acme`;
});

afterEach(async () => {
  srv.closeAllConnections();
  await new Promise((r) => srv.close(r));
  await t.close();
  await sim.close();
});

describe('meizu end to end', () => {
  it('delivers a message to the simulator, prunes a dead pushId, keeps a switched-off one, and applies a receipt', async () => {
    for (const token of [LIVE, DEAD, OFF]) await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'meizu', token, userId: 'm' }).expect(201);
    sim.invalidTokens.add(DEAD);
    sim.switchedOffTokens.add(OFF);
    const { body } = await t.server('post', '/v1/messages').send({ to: { userIds: ['m'] }, notification: { title: 'New message', body: 'Hi' }, data: { chatId: '7' }, options: { category: 'im' } }).expect(202);
    await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'meizu' });

    expect(sim.sendRequests).toBe(1);
    expect(sim.accepted).toEqual([LIVE]);
    const sentJson = sim.lastRequest!.messageJson as { noticeBarInfo: unknown; clickTypeInfo: unknown; extra: unknown };
    expect(sentJson.noticeBarInfo).toEqual({ noticeMsgType: 1, noticeBarType: 0, title: 'New message', content: 'Hi' });
    expect(sentJson.clickTypeInfo).toEqual({ clickType: 0, parameters: { chatId: '7' } });
    expect(sentJson.extra).toEqual({ callback: `https://push.example.com/v1/receipts/meizu/acme?secret=${RECEIPT_SECRET}`, 'callback.param': body.id, 'callback.type': '1' });

    const rows = await t.gw.store.listDeliveries('acme', body.id, null, 10);
    const live = rows.find((r) => r.state === 'sent');
    expect(rows.map((r) => r.state).sort()).toEqual(['failed', 'failed', 'sent']);
    const devices = (await t.server('get', '/v1/devices?userId=m').expect(200)).body.devices as { token?: string }[];
    expect(devices).toHaveLength(2); // DEAD pruned; OFF kept (its user only switched messages off)

    const receipt = (secret: string) =>
      fetch(`${receiptUrl}?secret=${secret}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ cb: JSON.stringify({ [`${live!.vendorMessageId}-1`]: { param: body.id, type: 1, targets: [LIVE] } }), access_token: '' }).toString(),
      });
    expect((await receipt('wrong')).status).toBe(401);
    expect((await receipt(RECEIPT_SECRET)).status).toBe(200);
    const status = (await t.server('get', `/v1/messages/${body.id}`).expect(200)).body;
    expect(status.counts.delivered).toBe(1);
  });

  it('refuses a data-only message for Meizu devices at accept (pass-through not enabled)', async () => {
    await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'meizu', token: LIVE, userId: 'd' }).expect(201);
    const res = await t.server('post', '/v1/messages').send({ to: { userIds: ['d'] }, data: { k: 'v' } }).expect(400);
    expect(res.body.error.code).toBe('message_not_deliverable');
    expect(sim.sendRequests).toBe(0);
  });
});
