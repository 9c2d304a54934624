import { MESSAGE_CATEGORIES } from '../../providers/categories.js';
import { CLIENT_KEY, OTHER_SERVER_KEY, SERVER_KEY, hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

let t: TestGateway;
afterEach(async () => {
  await t.close();
});

const send = (body: unknown, key = SERVER_KEY) => t.server('post', '/v1/messages', key).send(body as object);
const hello = { notification: { title: 'Hello', body: 'You have a new message' } };

async function registerUser(userId: string, n: number, from = 0) {
  for (let i = from; i < from + n; i++) {
    await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'huawei', token: hwToken(i), userId }).expect(201);
  }
}

describe('POST /v1/messages', () => {
  beforeEach(async () => {
    t = await testGateway();
  });

  it('stores the message and one queued delivery per device, then answers 202', async () => {
    await registerUser('alice', 3);
    const res = await send({ to: { userIds: ['alice', 'nobody'] }, ...hello }).expect(202);
    expect(res.body).toMatchObject({ status: 'accepted', targets: 3, skipped: [{ userId: 'nobody', reason: 'no_devices' }] });
    const status = await t.server('get', `/v1/messages/${res.body.id}`).expect(200);
    expect(status.body.counts.queued).toBe(3);
    expect(status.body.providers.huawei.queued).toBe(3);
    expect(status.body.deliveries).toHaveLength(3);
    expect(status.body.status).toBe('in_progress');
  });

  it('sends to device ids and raw tokens, counting a device once however it is named', async () => {
    await registerUser('bob', 1);
    const dev = (await t.server('get', '/v1/devices?userId=bob')).body.devices[0];
    const res = await send({ to: { userIds: ['bob'], deviceIds: [dev.id, 'dev_missing'], tokens: [{ provider: 'huawei', token: hwToken(0) }, { provider: 'huawei', token: hwToken(99) }] }, ...hello }).expect(202);
    expect(res.body.targets).toBe(2);
    expect(res.body.skipped).toEqual([{ deviceId: 'dev_missing', reason: 'not_found' }]);
  });

  it('lists tokens of providers the tenant has not configured as skipped', async () => {
    const res = await send({ to: { tokens: [{ provider: 'rongcloud', token: 'user_1' }] }, ...hello }).expect(202);
    expect(res.body).toMatchObject({ targets: 0, skipped: [{ provider: 'rongcloud', count: 1, reason: 'provider_not_configured' }] });
  });

  it('paginates deliveries with a cursor', async () => {
    await registerUser('carol', 5);
    const { body } = await send({ to: { userIds: ['carol'] }, ...hello }).expect(202);
    const p1 = await t.server('get', `/v1/messages/${body.id}?limit=2`).expect(200);
    const p2 = await t.server('get', `/v1/messages/${body.id}?limit=2&cursor=${p1.body.nextCursor}`).expect(200);
    const p3 = await t.server('get', `/v1/messages/${body.id}?limit=2&cursor=${p2.body.nextCursor}`).expect(200);
    const ids = [...p1.body.deliveries, ...p2.body.deliveries, ...p3.body.deliveries].map((d: { id: string }) => d.id);
    expect(new Set(ids).size).toBe(5);
    expect(p3.body.nextCursor).toBeNull();
  });

  describe('Idempotency-Key', () => {
    it('returns the first answer for the same key and body and stores nothing new', async () => {
      await registerUser('dave', 1);
      const body = { to: { userIds: ['dave'] }, ...hello };
      const a = await send(body).set('Idempotency-Key', 'k-1').expect(202);
      const b = await t.server('post', '/v1/messages').set('Idempotency-Key', 'k-1').send({ ...hello, to: { userIds: ['dave'] } }).expect(202);
      expect(b.body).toEqual(a.body);
      expect(await t.gw.store.pendingCount('acme')).toBe(1);
    });

    it('answers 409 for the same key with a different body', async () => {
      await send({ to: { tokens: [{ provider: 'huawei', token: hwToken(1) }] }, ...hello }).set('Idempotency-Key', 'k-2').expect(202);
      const res = await send({ to: { tokens: [{ provider: 'huawei', token: hwToken(2) }] }, ...hello }).set('Idempotency-Key', 'k-2').expect(409);
      expect(res.body.error.code).toBe('idempotency_conflict');
    });

    it('forgets a key after 24 hours', async () => {
      const body = { to: { tokens: [{ provider: 'huawei', token: hwToken(1) }] }, ...hello };
      const a = await send(body).set('Idempotency-Key', 'k-3').expect(202);
      t.clock.advance(24 * 3600 * 1000 + 1);
      const b = await send(body).set('Idempotency-Key', 'k-3').expect(202);
      expect(b.body.id).not.toBe(a.body.id);
    });

    it('keeps keys per tenant', async () => {
      const body = { to: { tokens: [{ provider: 'huawei', token: hwToken(1) }] }, ...hello };
      const a = await send(body).set('Idempotency-Key', 'same').expect(202);
      const b = await send(body, OTHER_SERVER_KEY).set('Idempotency-Key', 'same').expect(202);
      expect(b.body.id).not.toBe(a.body.id);
    });
  });

  describe('bad input is a 400 naming the field, never a 500', () => {
    it.each<[string, unknown, string]>([
      ['no targets', { to: {}, ...hello }, 'to'],
      ['empty target lists', { to: { userIds: [] }, ...hello }, 'to'],
      ['missing to', { ...hello }, 'to'],
      ['wrong type for userIds', { to: { userIds: 'alice' }, ...hello }, 'to.userIds'],
      ['a non-string data value', { to: { userIds: ['a'] }, data: { n: 1 } }, 'data.n'],
      ['an unknown top-level field', { to: { userIds: ['a'] }, ...hello, imei: '1' }, 'imei'],
      ['a bad priority', { to: { userIds: ['a'] }, ...hello, options: { priority: 'urgent' } }, 'options.priority'],
      ['a negative ttl', { to: { userIds: ['a'] }, ...hello, options: { ttlSeconds: -1 } }, 'options.ttlSeconds'],
      ['a title that is a number', { to: { userIds: ['a'] }, notification: { title: 5, body: 'x' } }, 'notification.title'],
      ['an url click action without value', { to: { userIds: ['a'] }, notification: { title: 't', body: 'b', clickAction: { type: 'url' } } }, 'notification.clickAction.value'],
    ])('%s', async (_name, body, field) => {
      const res = await send(body).expect(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    });

    it.each<[string, unknown]>([
      ['neither notification nor data', { to: { userIds: ['bob'] } }],
      ['an empty data map', { to: { userIds: ['bob'] }, data: {} }],
    ])('refuses a message with %s as empty_message, and stores nothing', async (_name, body) => {
      await registerUser('bob', 1);
      const res = await send(body).expect(400);
      expect(res.body.error.code).toBe('empty_message');
      expect(res.body.error.message).toMatch(/notification \{title, body\}.*data entry/);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['notification', 'data']);
      expect(await t.gw.store.pendingCount('acme')).toBe(0);
    });

    it('accepts a data-only message with at least one entry', async () => {
      await registerUser('bob', 1);
      await send({ to: { userIds: ['bob'] }, data: { chat: '7' } }).expect(202);
    });

    it('refuses a category outside the closed list, listing the valid ones', async () => {
      const res = await send({ to: { userIds: ['a'] }, ...hello, options: { category: 'shipping' } }).expect(400);
      expect(res.body.error.code).toBe('invalid_request');
      const detail = res.body.error.details.find((d: { field: string }) => d.field === 'options.category');
      for (const valid of MESSAGE_CATEGORIES) expect(detail.message).toContain(valid);
      expect(detail.message).toContain('"shipping" is not a pushgate category');
    });

    it("refuses a vendor's own uppercase name (OPPO's IM) and names the lowercase category", async () => {
      const res = await send({ to: { userIds: ['a'] }, ...hello, options: { category: 'IM' } }).expect(400);
      expect(res.body.error.details[0]).toMatchObject({ field: 'options.category', message: expect.stringContaining('use "im"') });
    });

    it.each(MESSAGE_CATEGORIES)('accepts the category %s', async (category) => {
      await send({ to: { tokens: [{ provider: 'huawei', token: hwToken(1) }] }, ...hello, options: { category } }).expect(202);
    });

    it('names an unknown provider in raw tokens', async () => {
      const res = await send({ to: { tokens: [{ provider: 'nokia', token: 'x' }] }, ...hello }).expect(400);
      expect(res.body.error).toMatchObject({ code: 'unknown_provider', details: [{ field: 'to.tokens[0].provider' }] });
    });

    it('names a malformed raw token', async () => {
      const res = await send({ to: { tokens: [{ provider: 'huawei', token: hwToken(1) }, { provider: 'huawei', token: 'bad' }] }, ...hello }).expect(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_token', details: [{ field: 'to.tokens[1].token' }] });
      expect(await t.gw.store.pendingCount('acme')).toBe(0);
    });

    it('validates vendor overrides with the vendor schema', async () => {
      const res = await send({ to: { userIds: ['a'] }, ...hello, options: { overrides: { huawei: { nonsense_field: 1 } } } }).expect(400);
      expect(res.body.error.details[0].field).toMatch(/^options\.overrides\.huawei/);
    });

    it('answers a body that is not JSON with unsupported_media_type', async () => {
      const res = await t.server('post', '/v1/messages').set('Content-Type', 'text/plain').send('to=alice').expect(415);
      expect(res.body.error.code).toBe('unsupported_media_type');
    });

    it('answers malformed JSON with malformed_json', async () => {
      const res = await t.server('post', '/v1/messages').set('Content-Type', 'application/json').send('{"to": {').expect(400);
      expect(res.body.error.code).toBe('malformed_json');
    });

    it('answers an oversized body with body_too_large', async () => {
      const res = await send({ to: { userIds: ['a'] }, notification: { title: 't', body: 'b' }, data: { big: 'x'.repeat(1_100_000) } }).expect(413);
      expect(res.body.error.code).toBe('body_too_large');
    });

    it('survives a barrage of junk bodies without a 500', async () => {
      const junk: unknown[] = [null, [], 'text', 42, { to: null }, { to: { tokens: [null] } }, { to: { tokens: [{}] } }, { to: { userIds: [{}] } }, { to: { deviceIds: [''] } }, { notification: [] }, { to: { userIds: ['a'] }, options: { overrides: [] } }, { to: { userIds: ['a'] }, options: { overrides: { huawei: 'x' } } }, { to: { userIds: ['a'.repeat(10_000)] } }];
      for (const body of junk) {
        const res = await t.server('post', '/v1/messages').set('Content-Type', 'application/json').send(JSON.stringify(body));
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(typeof res.body.error.message).toBe('string');
      }
    });
  });

  it('answers 404 with the error shape for an unknown message and an unknown route', async () => {
    expect((await t.server('get', '/v1/messages/msg_nope').expect(404)).body.error.code).toBe('not_found');
    expect((await t.server('get', '/v1/nothing').expect(404)).body.error.code).toBe('not_found');
  });
});

describe('back-pressure', () => {
  beforeEach(async () => {
    t = await testGateway({ maxBacklog: 5 });
  });

  it('answers 429 with Retry-After when the tenant backlog would pass its limit, and stores nothing', async () => {
    await registerUser('erin', 4);
    await send({ to: { userIds: ['erin'] }, ...hello }).expect(202);
    const res = await send({ to: { userIds: ['erin'] }, ...hello }).expect(429);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.error.code).toBe('backlog_full');
    expect(await t.gw.store.pendingCount('acme')).toBe(4);
  });
});

describe('keys', () => {
  beforeEach(async () => {
    t = await testGateway();
  });

  it.each([
    ['post', '/v1/messages'],
    ['get', '/v1/messages/x'],
    ['get', '/v1/devices?userId=x'],
    ['delete', '/v1/devices/x'],
    ['get', '/v1/users/x/data'],
    ['delete', '/v1/users/x'],
    ['post', '/v1/devices'],
    ['delete', '/v1/devices'],
  ] as const)('%s %s: 401 without a key and with a wrong key', async (method, url) => {
    expect((await t.http[method](url).send({})).status).toBe(401);
    const res = await t.http[method](url).set('Authorization', 'Bearer wrong-key-wrong-key-1').send({});
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it.each([
    ['post', '/v1/messages'],
    ['get', '/v1/messages/x'],
    ['get', '/v1/devices?userId=x'],
    ['delete', '/v1/devices/x'],
    ['get', '/v1/users/x/data'],
    ['delete', '/v1/users/x'],
  ] as const)('%s %s: 403 for a client key', async (method, url) => {
    const res = await t.server(method, url, CLIENT_KEY).send({});
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it("cannot send to another tenant's users or devices", async () => {
    await registerUser('zoe', 1);
    const dev = (await t.server('get', '/v1/devices?userId=zoe')).body.devices[0];
    const res = await send({ to: { userIds: ['zoe'], deviceIds: [dev.id] }, ...hello }, OTHER_SERVER_KEY).expect(202);
    expect(res.body).toMatchObject({ targets: 0, skipped: [{ userId: 'zoe', reason: 'no_devices' }, { deviceId: dev.id, reason: 'not_found' }] });
  });

  it("does not show one tenant another tenant's message", async () => {
    const { body } = await send({ to: { tokens: [{ provider: 'huawei', token: hwToken(1) }] }, ...hello }).expect(202);
    await t.server('get', `/v1/messages/${body.id}`, OTHER_SERVER_KEY).expect(404);
  });
});

describe('raw tokens with device fields', () => {
  beforeEach(async () => {
    t = await testGateway();
  });

  it("checks a raw token's apns block with the provider's own schema", async () => {
    const bad = await send({ to: { tokens: [{ provider: 'apns', token: 'a'.repeat(64), apns: { environment: 'staging' } }] }, ...hello }).expect(400);
    expect(bad.body.error.details[0].field).toMatch(/^to\.tokens\[0\]\.apns/);
    const refused = await send({ to: { tokens: [{ provider: 'huawei', token: hwToken(1), apns: { environment: 'sandbox' } }] }, ...hello }).expect(400);
    expect(refused.body.error.code).toBe('field_not_allowed');
  });
});
