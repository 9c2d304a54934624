import { CLIENT_KEY, hwToken, testGateway } from '../factories/gateway.js';

const DAY = 86_400_000;

describe('retention sweep', () => {
  it('deletes devices idle past deviceIdleDays and messages older than messageDays, on the injected clock', async () => {
    const t = await testGateway({ config: { retention: { deviceIdleDays: 30, messageDays: 7 } } });
    try {
      await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'huawei', token: hwToken(1), userId: 'old' }).expect(201);
      const old = await t.server('post', '/v1/messages').send({ to: { userIds: ['old'] }, notification: { title: 'a', body: 'b' } }).expect(202);
      t.clock.advance(20 * DAY);
      await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'huawei', token: hwToken(2), userId: 'new' }).expect(201);
      const recent = await t.server('post', '/v1/messages').send({ to: { userIds: ['new'] }, notification: { title: 'a', body: 'b' } }).expect(202);

      expect(await t.gw.retention.sweep()).toEqual({ devices: 0, messages: 1 });
      await t.server('get', `/v1/messages/${old.body.id}`).expect(404);
      await t.server('get', `/v1/messages/${recent.body.id}`).expect(200);

      t.clock.advance(11 * DAY);
      expect(await t.gw.retention.sweep()).toEqual({ devices: 1, messages: 1 });
      expect((await t.server('get', '/v1/devices?userId=old').expect(200)).body.devices).toHaveLength(0);
      expect((await t.server('get', '/v1/devices?userId=new').expect(200)).body.devices).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});
