/**
 * The Xiaomi adapter against its simulator. Receipts are in xiaomi.receipts.test.ts, the simulator's own checks
 * in xiaomi.simulator.test.ts; the shared setup is xiaomi.test-helpers.ts.
 */
import type { PushProvider } from '../types.js';
import { xiaomiProvider } from './index.js';
import { XiaomiSimulator } from './simulator.js';
import { xiaomiConfigSchema, type XiaomiConfig } from './xiaomi.config.js';
import { XiaomiProvider } from './xiaomi.provider.js';
import { xiaomiNotifyId } from './xiaomi.request.js';
import { CHANNELS, PACKAGE, SECRET, T0, batch, clock, deps, message, observed, targets, token } from './xiaomi.test-helpers.js';

let sim: XiaomiSimulator;
let config: XiaomiConfig;
let provider: PushProvider;

beforeEach(async () => {
  sim = await XiaomiSimulator.start({ appSecret: SECRET, packageName: PACKAGE, channels: Object.values(CHANNELS), dayQuota: 5000 });
  config = xiaomiConfigSchema.parse({ appSecret: SECRET, packageName: PACKAGE, endpoint: sim.url, channels: CHANNELS });
  provider = xiaomiProvider.create(config, deps);
  observed.length = 0;
  clock.now = T0;
});

afterEach(async () => {
  await provider.close();
  await sim.close();
});

describe('Xiaomi adapter against the simulator', () => {
  test('a notification is sent to every target with the message id Xiaomi returned', async () => {
    const out = await provider.send(batch(3));
    expect(out.results).toHaveLength(3);
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'sent', 'sent']);
    const id = out.results[0]?.vendorMessageId;
    expect(id).toMatch(/^sdm/);
    expect(out.results.every((r) => r.vendorMessageId === id)).toBe(true);
    expect(sim.accepted).toEqual([token(0), token(1), token(2)]);
    expect(observed).toHaveLength(1);
    expect(observed[0]?.reason).toBeUndefined();
  });

  test('the request carries the static key and the documented form fields', async () => {
    await provider.send(batch(2, { message: message({ options: { priority: 'high', category: 'im', collapseKey: 'chat-42', ttlSeconds: 60 } }) }));
    const req = sim.lastRequest;
    expect(req?.headers.authorization).toBe(`key=${SECRET}`);
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(Object.fromEntries(req?.form ?? [])).toEqual({
      registration_id: `${token(0)},${token(1)}`,
      restricted_package_name: PACKAGE,
      pass_through: '0',
      title: 'New message',
      description: 'Alice: are you there?',
      notify_type: '-1',
      notify_id: String(xiaomiNotifyId('chat-42')),
      time_to_live: '60000',
      payload: '{"chatId":"42"}',
      'extra.channel_id': '101',
    });
  });

  test('a send 100 s after the message was accepted asks Xiaomi to keep it only for the ttl left', async () => {
    clock.now = T0 + 100_000;
    await provider.send(batch(1, { message: message({ options: { priority: 'high', ttlSeconds: 3600 } }) }));
    expect(sim.lastRequest?.form.get('time_to_live')).toBe('3500000');
  });

  test('a data-only message is accepted as a pass-through message', async () => {
    const out = await provider.send(batch(1, { message: message({ notification: undefined, data: { k: 'v' } }) }));
    expect(out.results[0]?.outcome).toBe('sent');
    expect(sim.lastRequest?.form.get('pass_through')).toBe('1');
    expect(sim.lastRequest?.form.get('payload')).toBe('{"k":"v"}');
  });

  test('an over-long title and body are cut to Xiaomi limits and accepted instead of failing with 65009', async () => {
    const out = await provider.send(batch(1, { message: message({ notification: { title: 'T'.repeat(80), body: '长'.repeat(300) } }) }));
    expect(out.results[0]?.outcome).toBe('sent');
    expect(sim.lastRequest?.form.get('title')).toBe('T'.repeat(48) + '…');
  });

  test('regIds listed in data.bad_regids are invalid_token and the others are sent', async () => {
    sim.invalidTokens.add(token(1));
    const out = await provider.send(batch(3));
    expect(out.results.map((r) => [r.deliveryId, r.outcome])).toEqual([
      ['d0', 'sent'],
      ['d1', 'invalid_token'],
      ['d2', 'sent'],
    ]);
    expect(sim.accepted).toEqual([token(0), token(2)]);
  });

  test('when no target is valid Xiaomi answers 20301 and every target is invalid_token', async () => {
    sim.invalidTokens.add(token(0)).add(token(1));
    const out = await provider.send(batch(2));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['invalid_token', '20301'],
      ['invalid_token', '20301'],
    ]);
  });

  test('a throttled app gets 10027: every target is rate_limited, honouring a Retry-After when present', async () => {
    sim.throttle(2, 7);
    const out = await provider.send(batch(2));
    expect(out.results.map((r) => [r.outcome, r.vendorCode, r.retryAfterMs])).toEqual([
      ['rate_limited', '10027', 7000],
      ['rate_limited', '10027', 7000],
    ]);
    sim.throttle(1);
    const plain = await provider.send(batch(1));
    expect(plain.results[0]).toMatchObject({ outcome: 'rate_limited', vendorCode: '10027' });
    expect(plain.results[0]?.retryAfterMs).toBeUndefined();
  });

  test.each([10022, 10023])('code %i (request frequency exceeded) is rate_limited', async (code) => {
    sim.failWith(code);
    const out = await provider.send(batch(1));
    expect(out.results[0]).toMatchObject({ outcome: 'rate_limited', vendorCode: String(code) });
  });

  test('an exhausted quota answers 200001: quota_exceeded in the delivery’s class, with the quota reading', async () => {
    await provider.send(batch(3));
    sim.quotaExhausted = true;
    const marketing = await provider.send(batch(2, { message: message({ options: { priority: 'normal', category: 'marketing' } }) }));
    expect(marketing.results.map((r) => [r.outcome, r.vendorCode, r.quotaClass])).toEqual([
      ['quota_exceeded', '200001', 'public'],
      ['quota_exceeded', '200001', 'public'],
    ]);
    expect(marketing.results[0]?.vendorMessage).toContain('exceed quota, quota: 5000, have acked: 3');
    expect(marketing.quota).toEqual([{ quotaClass: 'public', remaining: 4997 }]);
    const im = await provider.send(batch(1));
    expect(im.results[0]).toMatchObject({ outcome: 'quota_exceeded', quotaClass: 'private' });
  });

  test('code 10034 (too many messages today) is quota_exceeded', async () => {
    sim.failWith(10034, 'too many messages today');
    const out = await provider.send(batch(1, { message: message({ options: { priority: 'normal', category: 'news' } }) }));
    expect(out.results[0]).toMatchObject({ outcome: 'quota_exceeded', vendorCode: '10034', quotaClass: 'public' });
  });

  test('a success reports the public quota left from data.day_quota and data.day_acked', async () => {
    const first = await provider.send(batch(10));
    expect(first.quota).toEqual([{ quotaClass: 'public', remaining: 4990 }]);
    const second = await provider.send(batch(5));
    expect(second.quota).toEqual([{ quotaClass: 'public', remaining: 4985 }]);
  });

  test('a wrong AppSecret answers 21301: auth_error for every target, and there is no credential refresh to loop on', async () => {
    const wrong = new XiaomiProvider({ ...config, appSecret: 'not-the-secret' }, deps);
    try {
      const out = await wrong.send(batch(2));
      expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
        ['auth_error', '21301'],
        ['auth_error', '21301'],
      ]);
      expect(sim.accepted).toEqual([]);
      expect(observed[0]?.reason).toBe('code_21301');
      // Static key: the dispatcher must pause the lane instead of refreshing and resending.
      expect((wrong as PushProvider).refreshCredentials).toBeUndefined();
      expect(provider.refreshCredentials).toBeUndefined();
    } finally {
      await wrong.close();
    }
  });

  test('code 21302 (token authentication failed) is auth_error', async () => {
    sim.failWith(21302);
    expect((await provider.send(batch(1))).results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '21302' });
  });

  test('service busy (10002) is retry for every target', async () => {
    sim.fail(1);
    const out = await provider.send(batch(2));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['retry', '10002'],
      ['retry', '10002'],
    ]);
    expect((await provider.send(batch(1))).results[0]?.outcome).toBe('sent');
  });

  test('an HTTP 503 from the vendor is retry', async () => {
    sim.failMode = 'http503';
    sim.fail(1);
    const out = await provider.send(batch(1));
    expect(out.results[0]).toMatchObject({ outcome: 'retry', vendorCode: 'http_503' });
    expect(observed[0]?.reason).toBe('http_503');
  });

  test.each([-1, 10001, 10003, 10037])('transient code %i is retry', async (code) => {
    sim.failWith(code);
    expect((await provider.send(batch(1))).results[0]).toMatchObject({ outcome: 'retry', vendorCode: String(code) });
  });

  test('an unknown code is retried rather than dropped', async () => {
    sim.failWith(98765, 'something new');
    expect((await provider.send(batch(1))).results[0]).toMatchObject({ outcome: 'retry', vendorCode: '98765', vendorMessage: 'something new' });
    expect(observed[0]?.reason).toBe('code_other');
  });

  test('a package name the app does not own is rejected with 22022', async () => {
    const other = new XiaomiProvider({ ...config, packageName: 'com.other.app' }, deps);
    try {
      expect((await other.send(batch(1))).results[0]).toMatchObject({ outcome: 'rejected', vendorCode: '22022' });
    } finally {
      await other.close();
    }
  });

  test('a channel_id that is not the app’s is rejected with 27001', async () => {
    const out = await provider.send(batch(1, { overrides: { extra: { channel_id: '999' } } }));
    expect(out.results[0]).toMatchObject({ outcome: 'rejected', vendorCode: '27001' });
  });

  test.each([10008, 10016, 10017, 21305, 65009, 65036, 10031])('parameter or permanent error %i is rejected', async (code) => {
    sim.failWith(code);
    expect((await provider.send(batch(1))).results[0]).toMatchObject({ outcome: 'rejected', vendorCode: String(code) });
  });

  test('10029 (invalid device, per-target meaning unverified) fails the deliveries without pruning', async () => {
    sim.failWith(10029, 'invalid device');
    const out = await provider.send(batch(2));
    expect(out.results.map((r) => r.outcome)).toEqual(['rejected', 'rejected']);
  });

  test('a full batch of 1000 regIds (the most the dispatcher sends) goes out as one request, one result per target', async () => {
    const out = await provider.send(batch(1000));
    expect(out.results.every((r) => r.outcome === 'sent')).toBe(true);
    expect(out.results.map((r) => r.deliveryId)).toEqual(targets(1000).map((t) => t.deliveryId));
    expect(sim.sendRequests).toBe(1);
    expect(sim.accepted).toHaveLength(1000);
  });

  test('a closed simulator (connection refused) is retry for every target', async () => {
    await sim.close();
    const out = await provider.send(batch(2));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['retry', 'econnrefused'],
      ['retry', 'econnrefused'],
    ]);
    expect(observed[0]?.reason).toBe('econnrefused');
  });

  test('a callback URL asks Xiaomi for receipts with our callbackRef', async () => {
    const out = await provider.send(batch(1, { callbackUrl: 'https://gw.example/v1/receipts/xiaomi/acme?s=abc', callbackRef: 'ref-77' }));
    expect(out.results[0]?.outcome).toBe('sent');
    const form = sim.lastRequest?.form;
    expect(form?.get('extra.callback')).toBe('https://gw.example/v1/receipts/xiaomi/acme?s=abc');
    expect(form?.get('extra.callback.param')).toBe('ref-77');
    expect(form?.get('extra.callback.type')).toBe('145');
  });

  test('a send to 100,000 regIds in batches of 1000 is accepted in full', async () => {
    const all = targets(100_000);
    const chunks = Array.from({ length: 100 }, (_, i) => all.slice(i * 1000, (i + 1) * 1000));
    const outs = await Promise.all(chunks.map((t) => provider.send({ message: message(), targets: t, callbackRef: 'r' })));
    expect(outs.flatMap((o) => o.results).filter((r) => r.outcome === 'sent')).toHaveLength(100_000);
    expect(sim.accepted).toHaveLength(100_000);
    expect(new Set(sim.accepted).size).toBe(100_000);
  });

  test('the playground starts a simulator and a config that sends to it', async () => {
    const pg = await xiaomiProvider.playground?.();
    if (!pg) throw new Error('xiaomi has a playground');
    const p: PushProvider = xiaomiProvider.create(pg.config, deps);
    try {
      const out = await p.send(batch(2, { message: message({ options: { priority: 'high', category: 'marketing' } }) }));
      expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
      expect(pg.simulator.accepted).toEqual([token(0), token(1)]);
    } finally {
      await p.close();
      await pg.simulator.close();
    }
  });
});
