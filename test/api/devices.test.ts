import { readFileSync } from 'node:fs';
import { CLIENT_KEY, OTHER_SERVER_KEY, hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

let t: TestGateway;
beforeEach(async () => {
  t = await testGateway();
});
afterEach(async () => {
  await t.close();
});

const register = (body: object, key = CLIENT_KEY) => t.server('post', '/v1/devices', key).send(body);

describe('device registry', () => {
  it('answers 201 for a new device and 200 with a refreshed lastSeenAt and userId for the same token', async () => {
    const first = await register({ provider: 'huawei', token: hwToken(1), userId: 'u1' }).expect(201);
    expect(first.body).toMatchObject({ provider: 'huawei', userId: 'u1' });
    expect(first.body.token).not.toBe(hwToken(1));
    t.clock.advance(60_000);
    const again = await register({ provider: 'huawei', token: hwToken(1), userId: 'u2' }).expect(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.userId).toBe('u2');
    expect(Date.parse(again.body.lastSeenAt) - Date.parse(first.body.lastSeenAt)).toBe(60_000);
  });

  it.each([['imei'], ['oaid'], ['serial'], ['mac'], ['model'], ['osVersion']])(
    'refuses the extra field %s with field_not_allowed and stores nothing',
    async (field) => {
      const res = await register({ provider: 'huawei', token: hwToken(2), userId: 'u1', [field]: 'x' }).expect(400);
      expect(res.body.error.code).toBe('field_not_allowed');
      expect(res.body.error.message).toContain(field);
      expect(res.body.error.message).toMatch(/only the identifier/);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field })]);
      const list = await t.server('get', '/v1/devices?userId=u1').expect(200);
      expect(list.body.devices).toHaveLength(0);
    },
  );

  it('refuses apns fields on a non-APNs provider', async () => {
    const res = await register({ provider: 'huawei', token: hwToken(3), apns: { environment: 'sandbox' } }).expect(400);
    expect(res.body.error.code).toBe('field_not_allowed');
  });

  it('refuses an unknown provider naming the known ones', async () => {
    const res = await register({ provider: 'blackberry', token: 'x'.repeat(30) }).expect(400);
    expect(res.body.error.code).toBe('unknown_provider');
    expect(res.body.error.message).toContain('huawei');
  });

  it('unregisters by provider and token with a client key', async () => {
    await register({ provider: 'huawei', token: hwToken(5), userId: 'u5' }).expect(201);
    await t.server('delete', '/v1/devices', CLIENT_KEY).send({ provider: 'huawei', token: hwToken(5) }).expect(204);
    await t.server('delete', '/v1/devices', CLIENT_KEY).send({ provider: 'huawei', token: hwToken(5) }).expect(404);
    expect((await t.server('get', '/v1/devices?userId=u5').expect(200)).body.devices).toHaveLength(0);
  });

  it('deletes by id with a server key only', async () => {
    const dev = await register({ provider: 'huawei', token: hwToken(6) }).expect(201);
    await t.server('delete', `/v1/devices/${dev.body.id}`, CLIENT_KEY).expect(403);
    await t.server('delete', `/v1/devices/${dev.body.id}`).expect(204);
    await t.server('delete', `/v1/devices/${dev.body.id}`).expect(404);
  });

  it("lists a user's devices with masked tokens", async () => {
    await register({ provider: 'huawei', token: hwToken(7), userId: 'u7' }).expect(201);
    const res = await t.server('get', '/v1/devices?userId=u7').expect(200);
    expect(res.body.devices).toHaveLength(1);
    const shown: string = res.body.devices[0].token;
    expect(shown).not.toBe(hwToken(7));
    expect(shown.startsWith(hwToken(7).slice(0, 4))).toBe(true);
    expect(shown.length).toBeLessThan(12);
  });

  it('exports and erases everything about a user', async () => {
    await register({ provider: 'huawei', token: hwToken(8), userId: 'u8' }).expect(201);
    await register({ provider: 'huawei', token: hwToken(9), userId: 'u8' }).expect(201);
    await t.server('post', '/v1/messages').send({ to: { userIds: ['u8'] }, notification: { title: 'hi', body: 'there' } }).expect(202);
    const exp = await t.server('get', '/v1/users/u8/data').expect(200);
    expect(exp.body.devices).toHaveLength(2);
    expect(exp.body.deliveries).toHaveLength(2);
    const erased = await t.server('delete', '/v1/users/u8').expect(200);
    expect(erased.body.removed).toEqual({ devices: 2, deliveries: 2 });
    const after = await t.server('get', '/v1/users/u8/data').expect(200);
    expect(after.body.devices).toHaveLength(0);
    expect(after.body.deliveries).toHaveLength(0);
  });

  it('never writes a registered token in clear to the SQLite file', async () => {
    const token = hwToken(10);
    await register({ provider: 'huawei', token, userId: 'u10' }).expect(201);
    await t.server('post', '/v1/messages').send({ to: { userIds: ['u10'] }, notification: { title: 'a', body: 'b' } }).expect(202);
    const files = [t.dbPath, `${t.dbPath}-wal`].map((f) => {
      try {
        return readFileSync(f);
      } catch {
        return Buffer.alloc(0);
      }
    });
    const all = Buffer.concat(files);
    expect(all.length).toBeGreaterThan(0);
    expect(all.includes(Buffer.from(token))).toBe(false);
    expect(all.includes(Buffer.from(token.slice(10, 40)))).toBe(false);
  });

  it("keeps tenants apart: another tenant cannot list, delete or export acme's devices", async () => {
    const dev = await register({ provider: 'huawei', token: hwToken(11), userId: 'shared-user' }).expect(201);
    expect((await t.server('get', '/v1/devices?userId=shared-user', OTHER_SERVER_KEY).expect(200)).body.devices).toHaveLength(0);
    await t.server('delete', `/v1/devices/${dev.body.id}`, OTHER_SERVER_KEY).expect(404);
    await t.server('delete', '/v1/devices', OTHER_SERVER_KEY).send({ provider: 'huawei', token: hwToken(11) }).expect(404);
    expect((await t.server('get', '/v1/users/shared-user/data', OTHER_SERVER_KEY).expect(200)).body.devices).toHaveLength(0);
    expect((await t.server('delete', '/v1/users/shared-user', OTHER_SERVER_KEY).expect(200)).body.removed).toEqual({ devices: 0, deliveries: 0 });
    // and the same token registered by the other tenant is its own device
    const theirs = await register({ provider: 'huawei', token: hwToken(11) }, OTHER_SERVER_KEY).expect(201);
    expect(theirs.body.id).not.toBe(dev.body.id);
    expect((await t.server('get', '/v1/devices?userId=shared-user').expect(200)).body.devices).toHaveLength(1);
  });
});
