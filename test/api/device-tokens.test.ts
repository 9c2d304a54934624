/**
 * Registration per provider: which providers a tenant may register devices for, and each
 * provider's token format. The "every provider" gateway starts all simulators once for the file.
 */
import { CLIENT_KEY, hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

describe('a provider the tenant has not configured', () => {
  let t: TestGateway;
  beforeEach(async () => {
    t = await testGateway(); // tenant acme has huawei only
  });
  afterEach(async () => {
    await t.close();
  });

  it('refuses the registration with provider_not_configured, naming the provider and the configured ones, and stores nothing', async () => {
    const res = await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'apns', token: 'a'.repeat(64), userId: 'u1' }).expect(400);
    expect(res.body.error.code).toBe('provider_not_configured');
    expect(res.body.error.message).toMatch(/"apns" is not configured for tenant acme \(it has huawei\)/);
    expect(res.body.error.details).toEqual([{ field: 'provider', message: expect.stringContaining('configured: huawei') }]);
    expect((await t.server('get', '/v1/devices?userId=u1').expect(200)).body.devices).toHaveLength(0);
  });

  it('still registers a configured provider', async () => {
    await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'huawei', token: hwToken(1) }).expect(201);
  });
});

describe('with every provider configured', () => {
  let t: TestGateway;
  beforeAll(async () => {
    const sim = { simulator: true };
    t = await testGateway({ acmeProviders: { xiaomi: sim, vivo: sim, oppo: sim, rongcloud: sim, fcm: sim, apns: sim } });
  });
  afterAll(async () => {
    await t.close();
  });

  const register = (body: object) => t.server('post', '/v1/devices', CLIENT_KEY).send(body);

  it.each<[string, string, object?]>([
    ['huawei', hwToken(4)],
    ['apns', 'a'.repeat(64), { apns: { environment: 'sandbox' } }],
    ['fcm', `fGx1dXJ0d2:APA91b${'A'.repeat(140)}`],
    ['xiaomi', 'd//igwEhgBGCI2TG6lWqlK6Ekwqv2nfvF8eDXNkbX3UdHOcxLm5D0xDVumFuNV+Y'],
    ['vivo', '16043498931190202600001'],
    ['oppo', 'CN_0123456789abcdef0123456789abcdef'],
    ['rongcloud', 'user_42'],
  ])('accepts a real-looking %s token', async (provider, token, extra = {}) => {
    await register({ provider, token, ...extra }).expect(201);
  });

  it.each([
    ['huawei', 'short'],
    ['huawei', 'has spaces in it but is long enough'],
    ['apns', 'not-hex-at-all'],
    ['apns', 'abc'],
    ['fcm', '!'],
    ['xiaomi', ''],
    ['vivo', 'x'.repeat(500)],
    ['oppo', 'nothexnothexnothexnothexnothexno'],
    ['rongcloud', 'has space'],
  ])('rejects a malformed %s token %j with invalid_token', async (provider, token) => {
    const res = await register({ provider, token }).expect(400);
    expect(res.body.error.code).toBe('invalid_token');
    expect(res.body.error.details[0].field).toBe('token');
  });
  describe('APNs tokens are hex, so case does not matter', () => {
    // A distinct token per test: the gateway is shared by the file.
    const lower = (n: number) => `${n.toString(16).padStart(2, '0')}0123456789abcdef`.repeat(4).slice(0, 64);
    const apns = { environment: 'production' };

    it('registers the lowercase and the uppercase spelling as one device (201, then 200 with the same id)', async () => {
      const first = await register({ provider: 'apns', token: lower(1), apns, userId: 'old-user' }).expect(201);
      const again = await register({ provider: 'apns', token: lower(1).toUpperCase(), apns, userId: 'new-user' }).expect(200);
      expect(again.body.id).toBe(first.body.id);
      expect(again.body.userId).toBe('new-user');
      expect((await t.server('get', '/v1/devices?userId=new-user').expect(200)).body.devices).toHaveLength(1);
    });

    it('sends a raw uppercase token to the device registered in lowercase: one delivery, to that device, sent in lowercase', async () => {
      const dev = await register({ provider: 'apns', token: lower(2), apns, userId: 'ios-user' }).expect(201);
      const to = { userIds: ['ios-user'], tokens: [{ provider: 'apns', token: lower(2).toUpperCase() }, { provider: 'apns', token: lower(2) }] };
      const sent = await t.server('post', '/v1/messages').send({ to, notification: { title: 'a', body: 'b' } }).expect(202);
      expect(sent.body).toMatchObject({ targets: 1 });
      const rows = await t.gw.store.listDeliveries('acme', sent.body.id, null, 10);
      expect(rows.map((r) => ({ deviceId: r.deviceId, registered: r.registered }))).toEqual([{ deviceId: dev.body.id, registered: true }]);
      const sim = t.gw.hub.simulators.get('acme/apns')!;
      const before = sim.accepted.length;
      await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'apns' });
      expect(sim.accepted.slice(before)).toEqual([lower(2)]);
    });

    it('unregisters with the uppercase spelling of a lowercase registration', async () => {
      await register({ provider: 'apns', token: lower(3), apns, userId: 'gone' }).expect(201);
      await t.server('delete', '/v1/devices', CLIENT_KEY).send({ provider: 'apns', token: lower(3).toUpperCase() }).expect(204);
      expect((await t.server('get', '/v1/devices?userId=gone').expect(200)).body.devices).toHaveLength(0);
    });
  });

  it('keeps the case of every other provider: their tokens are case-sensitive', async () => {
    const token = `fGx1dXJ0d2:APA91b${'Ab'.repeat(70)}`;
    const a = await register({ provider: 'fcm', token }).expect(201);
    const b = await register({ provider: 'fcm', token: token.toLowerCase() }).expect(201);
    expect(b.body.id).not.toBe(a.body.id);
  });
});
