import pino from 'pino';
import type { DeliveryTarget, OutgoingMessage, ProviderDeps, PushProvider, SendBatch } from '../types.js';
import { meizuProvider } from './index.js';
import { meizuConfigSchema, type MeizuConfig } from './meizu.config.js';
import type { MeizuOverrides } from './meizu.request.js';
import { MeizuSimulator } from './simulator.js';

const APP_ID = '100999';
const SECRET = 'meizu-test-secret';
const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);
const clock = { now: T0 };
const observed: { reason: string | undefined }[] = [];
const deps: ProviderDeps = {
  now: () => clock.now,
  random: Math.random,
  logger: pino({ level: 'silent' }),
  observeRequest: (_s, reason) => observed.push({ reason }),
};

const token = (i: number) => `J${String(i).padStart(4, '0')}035d625e6c64567f71487e040e7d017f0558675b`;
const targets = (n: number, from = 0): DeliveryTarget[] => Array.from({ length: n }, (_, i) => ({ deliveryId: `d${from + i}`, token: token(from + i), registered: true }));

function message(over: Partial<OutgoingMessage> = {}, options: Partial<OutgoingMessage['options']> = {}): OutgoingMessage {
  return { id: 'msg_1', notification: { title: 'Hi', body: 'there' }, data: {}, options: { priority: 'normal', category: 'im', ...options }, createdAt: T0, ...over };
}
const batch = (n: number, over: Partial<SendBatch<MeizuOverrides>> = {}): SendBatch<MeizuOverrides> => ({ message: message(), targets: targets(n), callbackRef: 'msg_1', ...over });

/** The adapter as the dispatcher holds it: typed by its overrides slice. */
const create = (c: MeizuConfig): PushProvider<MeizuOverrides> => meizuProvider.create(c, deps);

let sim: MeizuSimulator;
let config: MeizuConfig;
let provider: PushProvider<MeizuOverrides>;

beforeEach(async () => {
  sim = await MeizuSimulator.start({ appId: APP_ID, appSecret: SECRET });
  config = meizuConfigSchema.parse({ appId: APP_ID, appSecret: SECRET, endpoint: sim.url });
  provider = create(config);
  observed.length = 0;
  clock.now = T0;
});

afterEach(async () => {
  await provider.close();
  await sim.close();
});

describe('MeizuProvider against the simulator', () => {
  it('sends: one signed request, every target sent with Meizu’s msgId', async () => {
    const out = await provider.send(batch(3));
    expect(out.results.map((r) => [r.deliveryId, r.outcome])).toEqual([['d0', 'sent'], ['d1', 'sent'], ['d2', 'sent']]);
    expect(out.results[0]?.vendorMessageId).toMatch(/^[0-9a-f]{32}$/);
    expect(sim.accepted).toEqual([token(0), token(1), token(2)]);
    expect(sim.sendRequests).toBe(1);
    expect(observed).toEqual([{ reason: undefined }]);
  });

  it('sends a full batch of 100 pushIds (the dispatcher never hands it more) in one request', async () => {
    const out = await provider.send(batch(100));
    expect(out.results.every((r) => r.outcome === 'sent')).toBe(true);
    expect(sim.sendRequests).toBe(1);
    expect(sim.lastRequest?.form.get('pushIds')?.split(',')).toHaveLength(100);
  });

  it('prunes pushIds listed under 110002 (invalid_token) and sends the rest', async () => {
    sim.invalidTokens.add(token(1));
    const out = await provider.send(batch(3));
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'invalid_token', 'sent']);
    expect(out.results[1]?.vendorCode).toBe('110002');
  });

  it('rejects a target whose user switched messages off (per-target 110010), never prunes it', async () => {
    sim.switchedOffTokens.add(token(0));
    const out = await provider.send(batch(2));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([['rejected', '110010'], ['sent', '200']]);
  });

  it('answers per-target 518 with rate_limited and per-device public cap 110011 with rejected', async () => {
    sim.overSpeedTokens.add(token(0));
    sim.publicCappedTokens.add(token(1));
    const out = await provider.send(batch(2, { message: message({}, { category: 'marketing' }) }));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([['rate_limited', '518'], ['rejected', '110011']]);
  });

  it('maps request-level 110010 to rate_limited for every target, with Retry-After when given', async () => {
    sim.throttle(1, 7);
    const out = await provider.send(batch(2));
    expect(out.results.map((r) => [r.outcome, r.vendorCode, r.retryAfterMs])).toEqual([['rate_limited', '110010', 7000], ['rate_limited', '110010', 7000]]);
    expect(observed[0]?.reason).toBe('code_110010');
    expect((await provider.send(batch(1))).results[0]?.outcome).toBe('sent');
  });

  it('maps the daily limit (110019) to quota_exceeded with the message’s class', async () => {
    sim.quotaExhausted = true;
    const pub = await provider.send(batch(1, { message: message({}, { category: 'news' }) }));
    expect(pub.results[0]).toMatchObject({ outcome: 'quota_exceeded', vendorCode: '110019', quotaClass: 'public' });
    const priv = await provider.send(batch(1));
    expect(priv.results[0]).toMatchObject({ outcome: 'quota_exceeded', quotaClass: 'private' });
  });

  it('answers auth_error on a refused signature, then sends once the vendor takes it again', async () => {
    sim.failWith('1006', '签名认证失败');
    expect((await provider.send(batch(1))).results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '1006' });
    // A static secret: nothing to refresh (no refreshCredentials); the next attempt after the lane pause succeeds.
    expect(provider.refreshCredentials).toBeUndefined();
    expect((await provider.send(batch(1))).results[0]?.outcome).toBe('sent');
  });

  it('answers 1006 (auth_error) while the console secret is rotated, and sends again once it matches', async () => {
    sim.rejectCredentials = true;
    expect((await provider.send(batch(2))).results.map((r) => [r.outcome, r.vendorCode])).toEqual([['auth_error', '1006'], ['auth_error', '1006']]);
    sim.rejectCredentials = false;
    expect((await provider.send(batch(1))).results[0]?.outcome).toBe('sent');
  });

  it('answers auth_error for a wrong secret or appId (the simulator checks the signature itself)', async () => {
    const wrong = create(meizuConfigSchema.parse({ appId: APP_ID, appSecret: 'not-the-secret', endpoint: sim.url }));
    const otherApp = create(meizuConfigSchema.parse({ appId: '1', appSecret: SECRET, endpoint: sim.url }));
    try {
      expect((await wrong.send(batch(1))).results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '1006' });
      expect((await otherApp.send(batch(1))).results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '110000' });
      expect(sim.accepted).toEqual([]);
    } finally {
      await wrong.close();
      await otherApp.close();
    }
  });

  it('retries on server busy (1003), HTTP 503 and unknown codes', async () => {
    sim.fail(1);
    expect((await provider.send(batch(1))).results[0]).toMatchObject({ outcome: 'retry', vendorCode: '1003' });
    sim.failMode = 'http503';
    sim.fail(1);
    expect((await provider.send(batch(1))).results[0]).toMatchObject({ outcome: 'retry', vendorCode: 'http_503' });
    sim.failWith('123456', 'something new');
    expect((await provider.send(batch(1))).results[0]).toMatchObject({ outcome: 'retry', vendorCode: '123456' });
    expect(observed.map((o) => o.reason)).toEqual(['code_1003', 'http_503', 'code_other']);
  });

  it('rejects payloads Meizu refuses (1005)', async () => {
    sim.failWith('1005', '参数错误');
    expect((await provider.send(batch(1))).results[0]).toMatchObject({ outcome: 'rejected', vendorCode: '1005' });
  });

  it('merges its own overrides slice (batch.overrides) into messageJson', async () => {
    await provider.send(batch(1, { overrides: { noticeBarType: 2, advanceInfo: { suspend: 0 } } }));
    expect(sim.lastRequest?.messageJson.noticeBarInfo).toMatchObject({ noticeBarType: 2 });
    expect(sim.lastRequest?.messageJson.advanceInfo).toEqual({ suspend: 0 });
  });

  it('prunes on request-level 110003 only for a one-target request', async () => {
    sim.failWith('110003', 'pushId非法');
    expect((await provider.send(batch(1))).results[0]?.outcome).toBe('invalid_token');
    sim.failWith('110003', 'pushId非法');
    expect((await provider.send(batch(2))).results.map((r) => r.outcome)).toEqual(['retry', 'retry']);
  });

  it('puts the receipt URL and our reference into extra', async () => {
    const url = 'https://push.example.com/v1/receipts/meizu/acme?secret=s3cret';
    await provider.send(batch(1, { callbackUrl: url, callbackRef: 'msg_1' }));
    expect(sim.lastRequest?.messageJson.extra).toEqual({ callback: url, 'callback.param': 'msg_1', 'callback.type': '1' });
    expect(sim.lastRequest?.messageJson.noticeBarInfo).toMatchObject({ noticeMsgType: 1 });
  });

  it('sends data-only messages through pass-through when enabled, and reports 110053 as rejected', async () => {
    const pt = create(meizuConfigSchema.parse({ appId: APP_ID, appSecret: SECRET, endpoint: sim.url, passThrough: true }));
    try {
      const dataOnly = batch(1, { message: message({ notification: undefined, data: { k: 'v' } }) });
      expect((await pt.send(dataOnly)).results[0]?.outcome).toBe('sent');
      expect(sim.lastRequest?.path).toBe('/garcia/api/server/push/unvarnished/pushByPushId');
      sim.passThroughDisabled = true;
      expect((await pt.send(dataOnly)).results[0]).toMatchObject({ outcome: 'rejected', vendorCode: '110053' });
      expect((await provider.send(dataOnly)).results[0]).toMatchObject({ outcome: 'rejected', vendorCode: 'invalid_request' });
    } finally {
      await pt.close();
    }
  });

  it('retries every target when Meizu cannot be reached', async () => {
    const down = create(meizuConfigSchema.parse({ appId: APP_ID, appSecret: SECRET, endpoint: 'http://127.0.0.1:1' }));
    try {
      const out = await down.send(batch(2));
      expect(out.results.map((r) => r.outcome)).toEqual(['retry', 'retry']);
    } finally {
      await down.close();
    }
  });
});

describe('meizuProvider definition', () => {
  it('declares Meizu limits, secrets and quota classes', () => {
    expect(meizuProvider.id).toBe('meizu');
    expect(meizuProvider.limits.maxTargetsPerRequest).toBe(100);
    expect(meizuProvider.secretFields).toEqual(['appSecret', 'receiptAccessToken']);
    expect(meizuProvider.quotaClassOf?.('im', config)).toBe('private');
    expect(meizuProvider.quotaClassOf?.('marketing', config)).toBe('public');
    expect(meizuProvider.quotaClassOf?.(undefined, config)).toBe('public');
  });

  it('puts the playground context’s timeoutMs into the config', async () => {
    const { simulator, config: pg } = await meizuProvider.playground!({ timeoutMs: 800 });
    await simulator.close();
    expect(pg.timeoutMs).toBe(800);
  });

  it('starts a playground whose config validates and sends through its simulator', async () => {
    const { simulator, config: pg } = await meizuProvider.playground!();
    const p = create(pg);
    try {
      expect(meizuProvider.configSchema.parse(pg)).toEqual(pg);
      const out = await p.send({ message: message(), targets: [{ deliveryId: 'd', token: token(9), registered: true }], callbackRef: 'r' });
      expect(out.results[0]?.outcome).toBe('sent');
      expect(simulator.accepted).toEqual([token(9)]);
    } finally {
      await p.close();
      await simulator.close();
    }
  });
});
