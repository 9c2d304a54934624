import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { DeliveryTarget, OutgoingMessage, ProviderDeps, PushProvider, ReceiptRequest, SendBatch } from '../types.js';
import { xiaomiProvider } from './index.js';
import { XiaomiSimulator } from './simulator.js';
import { xiaomiConfigSchema, type XiaomiConfig } from './xiaomi.config.js';
import { XiaomiProvider } from './xiaomi.provider.js';
import { parseXiaomiReceipt } from './xiaomi.receipts.js';
import { xiaomiNotifyId, type XiaomiOverrides } from './xiaomi.request.js';

const SECRET = 'test-app-secret/AbC==';
const PACKAGE = 'com.acme.chat';
const CHANNELS = { im: '101', order: '102', marketing: '201' };

const observed: { seconds: number; reason: string | undefined }[] = [];
/** The adapter's clock; messages are created at T0 (reset before each test). */
const T0 = Date.UTC(2025, 2, 10, 4, 0, 0);
const clock = { now: T0 };
const deps: ProviderDeps = {
  now: () => clock.now,
  random: Math.random,
  logger: pino({ level: 'silent' }),
  observeRequest: (seconds, reason) => observed.push({ seconds, reason }),
};

const token = (i: number) => `xm${String(i).padStart(7, '0')}/regId+AbCdEfGhIjKlMnOpQrStUvWxYz0123=`;
const targets = (n: number, from = 0): DeliveryTarget[] =>
  Array.from({ length: n }, (_, i) => ({ deliveryId: `d${from + i}`, token: token(from + i), registered: true }));

function message(over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    notification: { title: 'New message', body: 'Alice: are you there?' },
    data: { chatId: '42' },
    options: { priority: 'high', category: 'im' },
    createdAt: T0,
    ...over,
  };
}

function batch(n: number, over: Partial<SendBatch<XiaomiOverrides>> = {}): SendBatch<XiaomiOverrides> {
  return { message: message(), targets: targets(n), callbackRef: 'ref-1', ...over };
}

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

describe('Xiaomi receipts', () => {
  /** A stand-in for the gateway's receipt route: records what arrived as a ReceiptRequest. */
  async function receiver(): Promise<{ url: string; received: ReceiptRequest[]; close(): Promise<void> }> {
    const received: ReceiptRequest[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const isForm = String(req.headers['content-type']).includes('application/x-www-form-urlencoded');
        received.push({ headers: req.headers, rawBody, body: isForm ? Object.fromEntries(new URLSearchParams(rawBody)) : undefined, query: {} });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/v1/receipts/xiaomi/acme?s=secret`, received, close: () => new Promise((r) => server.close(() => r())) };
  }

  const formReceipt = (data: unknown): ReceiptRequest => {
    const rawBody = new URLSearchParams({ data: JSON.stringify(data) }).toString();
    return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody, body: Object.fromEntries(new URLSearchParams(rawBody)), query: {} };
  };

  test('a delivered receipt posted by the simulator the way Xiaomi does parses into one event per target', async () => {
    const rx = await receiver();
    try {
      const out = await provider.send(batch(2, { callbackUrl: rx.url, callbackRef: 'ref-5' }));
      const msgId = out.results[0]?.vendorMessageId ?? '';
      expect(await sim.sendReceiptsFor(msgId)).toBe(200);
      const req = rx.received[0];
      if (!req) throw new Error('no receipt arrived');
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(Object.keys(req.body as object)).toEqual(['data']);
      expect(xiaomiProvider.receipts?.parse(req)).toEqual([
        { status: 'delivered', vendorStatus: '1', token: token(0), callbackRef: 'ref-5', vendorMessageId: msgId },
        { status: 'delivered', vendorStatus: '1', token: token(1), callbackRef: 'ref-5', vendorMessageId: msgId },
      ]);
    } finally {
      await rx.close();
    }
  });

  test('Xiaomi receipts carry no signature, so verify answers unsigned and the URL secret decides', () => {
    expect(xiaomiProvider.receipts?.verify(formReceipt({ m: { type: 1, targets: 'x' } }), config, Date.now())).toBe('unsigned');
  });

  test.each([
    [1, 'delivered'],
    [2, 'clicked'],
    [16, 'invalid_token'],
    [128, 'quota_exceeded'],
    [32, 'other'],
    [64, 'other'],
    [1024, 'other'],
  ])('receipt type %i is %s', (type, status) => {
    expect(parseXiaomiReceipt(formReceipt({ sdm1: { type, targets: 'tok-a', param: 'r' } }))).toEqual([
      { status, vendorStatus: String(type), token: 'tok-a', callbackRef: 'r', vendorMessageId: 'sdm1' },
    ]);
  });

  test('a receipt covering several messages and comma-joined targets yields every pair', () => {
    const events = parseXiaomiReceipt(formReceipt({ m1: { type: 16, targets: 'a,b', param: 'r1' }, m2: { type: '1', targets: 'c', timestamp: 1 } }));
    expect(events.map((e) => [e.vendorMessageId, e.token, e.status, e.callbackRef])).toEqual([
      ['m1', 'a', 'invalid_token', 'r1'],
      ['m1', 'b', 'invalid_token', 'r1'],
      ['m2', 'c', 'delivered', undefined],
    ]);
  });

  test('a JSON body (unverified form) and an unparsed raw form body are read too', () => {
    const entries = { m9: { type: 1, targets: 'z', param: 'p' } };
    const expected = [{ status: 'delivered', vendorStatus: '1', token: 'z', callbackRef: 'p', vendorMessageId: 'm9' }];
    const json = (body: unknown): ReceiptRequest => ({ headers: { 'content-type': 'application/json' }, rawBody: JSON.stringify(body), body, query: {} });
    expect(parseXiaomiReceipt(json({ data: entries }))).toEqual(expected);
    expect(parseXiaomiReceipt(json({ data: JSON.stringify(entries) }))).toEqual(expected);
    expect(parseXiaomiReceipt(json(entries))).toEqual(expected);
    const raw = new URLSearchParams({ data: JSON.stringify(entries) }).toString();
    expect(parseXiaomiReceipt({ headers: {}, rawBody: raw, body: undefined, query: {} })).toEqual(expected);
  });

  test('a malformed receipt yields no events', () => {
    expect(parseXiaomiReceipt({ headers: {}, rawBody: 'data=%7Bnot-json', body: { data: '{not-json' }, query: {} })).toEqual([]);
    expect(parseXiaomiReceipt({ headers: {}, rawBody: '', body: undefined, query: {} })).toEqual([]);
  });
});

describe('Xiaomi simulator', () => {
  const post = async (form: Record<string, string>, authorization?: string) => {
    const res = await fetch(`${sim.url}/v3/message/regid`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization !== undefined ? { authorization } : {}) },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: (await res.json()) as { result: string; code: number; description: string } };
  };
  const valid = { registration_id: token(0), restricted_package_name: PACKAGE, pass_through: '0', title: 't', description: 'd' };

  test.each([
    ['no Authorization header', undefined],
    ['a wrong secret', 'key=wrong'],
    ['a Bearer token', `Bearer ${SECRET}`],
    ['an uppercase KEY', `KEY=${SECRET}`],
  ])('rejects %s with HTTP 200 and code 21301, as Xiaomi does', async (_what, authorization) => {
    const { status, body } = await post(valid, authorization);
    expect(status).toBe(200);
    expect(body).toMatchObject({ result: 'error', code: 21301 });
    expect(sim.accepted).toEqual([]);
  });

  test('accepts the exact key header', async () => {
    const { body } = await post(valid, `key=${SECRET}`);
    expect(body).toMatchObject({ result: 'ok', code: 0 });
  });

  test('refuses more than 1000 regIds with 10017', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => token(i)).join(',');
    expect((await post({ ...valid, registration_id: ids }, `key=${SECRET}`)).body).toMatchObject({ code: 10017 });
    expect(sim.accepted).toEqual([]);
  });

  test('refuses a 50-character title and a 128-character description with 65009', async () => {
    expect((await post({ ...valid, title: 'x'.repeat(50) }, `key=${SECRET}`)).body.code).toBe(65009);
    expect((await post({ ...valid, description: 'x'.repeat(128) }, `key=${SECRET}`)).body.code).toBe(65009);
    expect((await post({ ...valid, title: 'x'.repeat(49), description: 'x'.repeat(127) }, `key=${SECRET}`)).body.code).toBe(0);
  });

  test('refuses a missing package name with 10016 and a notification without title with 10016', async () => {
    const { restricted_package_name: _omit, ...noPackage } = valid;
    expect((await post(noPackage, `key=${SECRET}`)).body.code).toBe(10016);
    expect((await post({ ...valid, title: '' }, `key=${SECRET}`)).body.code).toBe(10016);
  });

  test('keeps duplicates in accepted so at-least-once resends are measurable', async () => {
    await post(valid, `key=${SECRET}`);
    await post(valid, `key=${SECRET}`);
    expect(sim.accepted).toEqual([token(0), token(0)]);
    expect(sim.dayAcked).toBe(2);
  });
});
