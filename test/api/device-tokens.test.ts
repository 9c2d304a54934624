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
});
