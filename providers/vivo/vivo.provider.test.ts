import pino from 'pino';
import type { DeliveryTarget, OutgoingMessage, ProviderDeps, SendBatch } from '../types.js';
import { vivoConfigSchema } from './vivo.config.js';
import { VivoProvider } from './vivo.provider.js';
import { vivoListRequestId, vivoSign, vivoTextWidth, type VivoOverrides } from './vivo.request.js';
import { VivoSimulator } from './simulator.js';

// --------------------------------------------------------------------------------------------- helpers

interface Clock {
  now: number;
}

function deps(clock?: Clock): ProviderDeps {
  return { now: () => (clock ? clock.now : Date.now()), random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} };
}

const token = (i: number) => `1563853541030${String(i).padStart(10, '0')}`;

function targets(n: number, prefix = 'dlv'): DeliveryTarget[] {
  return Array.from({ length: n }, (_, i) => ({ deliveryId: `${prefix}-${i}`, token: token(i), registered: true }));
}

function message(over: Partial<OutgoingMessage> = {}, options: Partial<OutgoingMessage['options']> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    notification: { title: 'New message', body: 'Alice: are you there?' },
    data: { conversation: 'c-1' },
    options: { priority: 'high', category: 'im', ...options },
    createdAt: Date.now(),
    ...over,
  };
}

function batch(ts: DeliveryTarget[], over: Partial<SendBatch<VivoOverrides>> = {}): SendBatch<VivoOverrides> {
  return { message: message(), targets: ts, callbackRef: 'ref-1', ...over };
}

function makeProvider(sim: VivoSimulator, clock?: Clock, extra: Record<string, unknown> = {}): VivoProvider {
  const config = vivoConfigSchema.parse({ appId: sim.appId, appKey: sim.appKey, appSecret: sim.appSecret, endpoint: sim.url, ...extra });
  return new VivoProvider(config, deps(clock));
}

/** Await a condition (no fixed sleeps): polls until true or fails after ~5 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function bodiesTo(sim: VivoSimulator, path: string): Record<string, unknown>[] {
  return sim.requests.filter((r) => r.path === path).map((r) => r.body as Record<string, unknown>);
}

function headerOf(sim: VivoSimulator, path: string, index: number): unknown {
  return sim.requests.filter((r) => r.path === path)[index]?.headers['authtoken'];
}

const MIN = 60_000;

// --------------------------------------------------------------------------------------------- adapter

describe('vivo adapter against the simulator', () => {
  let sim: VivoSimulator;
  let provider: VivoProvider;
  let clock: Clock;

  beforeEach(async () => {
    clock = { now: Date.UTC(2025, 2, 10, 4, 0, 0) }; // 12:00 Beijing
    sim = await VivoSimulator.start({ now: () => clock.now, recordRequests: true });
    provider = makeProvider(sim, clock);
  });

  afterEach(async () => {
    await provider.close();
    await sim.close();
  });

  it('sends one target through /message/send with the authToken header, appId and the delivery id as requestId', async () => {
    const out = await provider.send(batch(targets(1)));
    expect(out.results).toEqual([{ deliveryId: 'dlv-0', outcome: 'sent', vendorCode: '0', vendorMessageId: expect.stringMatching(/^\d+$/) }]);
    expect(sim.accepted).toEqual([token(0)]);
    const [auth] = bodiesTo(sim, '/message/auth');
    expect(auth).toEqual({ appId: 10004, appKey: sim.appKey, timestamp: clock.now, sign: vivoSign(sim.appId, sim.appKey, clock.now, sim.appSecret) });
    const [body] = bodiesTo(sim, '/message/send');
    expect(body).toMatchObject({ appId: 10004, regId: token(0), requestId: 'dlv-0', classification: 1, category: 'IM', clientCustomMap: { conversation: 'c-1' } });
    expect(headerOf(sim, '/message/send', 0)).toEqual(expect.any(String));
    expect(sim.calls).toEqual({ auth: 1, send: 1, saveListPayload: 0, pushToList: 0 });
  });

  it('sends a batch through saveListPayload then pushToList, with appId in every body', async () => {
    const ts = targets(3);
    const out = await provider.send(batch(ts));
    const [saved] = bodiesTo(sim, '/message/saveListPayload');
    const [pushed] = bodiesTo(sim, '/message/pushToList');
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'sent', 'sent']);
    expect(out.results.every((r) => r.vendorMessageId === pushed?.['taskId'])).toBe(true);
    expect(saved).toMatchObject({ appId: 10004, requestId: expect.stringMatching(/^p[0-9a-f]{63}$/), title: 'New message', classification: 1 });
    expect(pushed).toEqual({ appId: 10004, regIds: ts.map((t) => t.token), taskId: expect.any(String), requestId: vivoListRequestId(ts.map((t) => t.deliveryId)), pushMode: 0 });
    expect(sim.accepted).toEqual(ts.map((t) => t.token));
  });

  it('reuses the saved list payload for the next batch of the same message', async () => {
    await provider.send(batch(targets(2, 'a')));
    await provider.send(batch(targets(2, 'b')));
    expect(sim.calls.saveListPayload).toBe(1);
    expect(sim.calls.pushToList).toBe(2);
    const [first, second] = bodiesTo(sim, '/message/pushToList');
    expect(second?.['taskId']).toBe(first?.['taskId']);
  });

  it('keeps one saved list payload while a message with a ttl is sent over several seconds', async () => {
    const m = message({ createdAt: clock.now - 10_000 }, { ttlSeconds: 3600 });
    await provider.send(batch(targets(2, 'a'), { message: m }));
    clock.now += 5000;
    await provider.send(batch(targets(2, 'b'), { message: m }));
    expect(sim.calls.saveListPayload).toBe(1);
    expect(bodiesTo(sim, '/message/saveListPayload')[0]?.['timeToLive']).toBe(3540);
  });

  it('a resent single push carries the same requestId and vivo delivers it once', async () => {
    const b = batch(targets(1));
    const first = await provider.send(b);
    const again = await provider.send(b);
    expect(again.results[0]?.vendorMessageId).toBe(first.results[0]?.vendorMessageId);
    expect(sim.accepted).toEqual([token(0)]);
    expect(sim.duplicateRequests).toBe(1);
  });

  it('a resent list batch carries the same requestId and vivo delivers it once', async () => {
    const b = batch(targets(3));
    await provider.send(b);
    const again = await provider.send({ ...b, targets: [...b.targets].reverse() });
    expect(again.results.map((r) => r.outcome)).toEqual(['sent', 'sent', 'sent']);
    expect(sim.accepted).toHaveLength(3);
    expect(sim.duplicateRequests).toBe(1);
  });

  it('prunes a regId that /message/send answers with 10302 and invalidUser', async () => {
    sim.invalidTokens.add(token(0));
    const out = await provider.send(batch(targets(1)));
    expect(out.results).toEqual([{ deliveryId: 'dlv-0', outcome: 'invalid_token', vendorCode: '10302', vendorMessage: 'regId不合法 (status 1)' }]);
    expect(sim.accepted).toEqual([]);
  });

  it('rejects rather than prunes a target vivo calls "not a test user" (status 4)', async () => {
    sim.invalidTokens.add(token(0));
    sim.invalidStatus.set(token(0), 4);
    const out = await provider.send(batch(targets(1)));
    expect(out.results[0]).toMatchObject({ outcome: 'rejected', vendorCode: '10302' });
  });

  it('prunes only the invalidUsers of a list push (status 1, 2, 3) and sends the rest', async () => {
    const ts = targets(5);
    [1, 2, 3].forEach((status, i) => {
      sim.invalidTokens.add(token(i + 1));
      sim.invalidStatus.set(token(i + 1), status);
    });
    const out = await provider.send(batch(ts));
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'invalid_token', 'invalid_token', 'invalid_token', 'sent']);
    expect(out.results[2]).toMatchObject({ vendorCode: '10302', vendorMessage: 'regId invalid (status 2)' });
    expect(sim.accepted).toEqual([token(0), token(4)]);
  });

  it('concurrent sends share one auth request', async () => {
    const outs = await Promise.all(Array.from({ length: 6 }, (_, i) => provider.send(batch(targets(1 + (i % 3), `c${i}`)))));
    expect(outs.flatMap((o) => o.results).every((r) => r.outcome === 'sent')).toBe(true);
    expect(sim.calls.auth).toBe(1);
  });

  it('keeps the authToken for an hour, then refreshes it early in the background', async () => {
    await provider.send(batch(targets(1, 'a')));
    clock.now += 30 * MIN;
    await provider.send(batch(targets(1, 'b')));
    expect(sim.calls.auth).toBe(1);
    clock.now += 31 * MIN;
    const out = await provider.send(batch(targets(1, 'c')));
    expect(out.results[0]?.outcome).toBe('sent');
    await until(() => sim.calls.auth === 2 && sim.validTokens === 2, 'the background refresh');
    await provider.send(batch(targets(1, 'd')));
    expect(headerOf(sim, '/message/send', 3)).not.toEqual(headerOf(sim, '/message/send', 0));
    expect(headerOf(sim, '/message/send', 2)).toEqual(headerOf(sim, '/message/send', 0));
  });

  it('does not use a token past its 24 h life: authenticates again first', async () => {
    await provider.send(batch(targets(1, 'a')));
    clock.now += 24 * 60 * MIN;
    const out = await provider.send(batch(targets(1, 'b')));
    expect(out.results[0]?.outcome).toBe('sent');
    expect(sim.calls.auth).toBe(2);
  });

  it('answers auth_error on an expired token without retrying, and a resend after refreshCredentials succeeds', async () => {
    await provider.send(batch(targets(1, 'a')));
    sim.expireAccessTokens();
    const failed = await provider.send(batch(targets(2, 'b')));
    expect(failed.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['auth_error', '10000'],
      ['auth_error', '10000'],
    ]);
    expect(sim.calls).toEqual({ auth: 1, send: 1, saveListPayload: 1, pushToList: 0 });
    await provider.refreshCredentials();
    const resent = await provider.send(batch(targets(2, 'b')));
    expect(resent.results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    expect(sim.calls.auth).toBe(2);
  });

  it('after concurrent auth errors, each refreshCredentials call leads to one new token only', async () => {
    await provider.send(batch(targets(1, 'a')));
    sim.expireAccessTokens();
    const fails = await Promise.all([provider.send(batch(targets(1, 'b'))), provider.send(batch(targets(1, 'c')))]);
    expect(fails.map((f) => f.results[0]?.outcome)).toEqual(['auth_error', 'auth_error']);
    await provider.refreshCredentials();
    await provider.send(batch(targets(1, 'b')));
    await provider.refreshCredentials();
    const out = await provider.send(batch(targets(1, 'c')));
    expect(out.results[0]?.outcome).toBe('sent');
    expect(sim.calls.auth).toBe(2);
  });

  it('a wrong appSecret gives auth_error with vivo code 10206 and sends nothing', async () => {
    const wrong = makeProvider(sim, clock, { appSecret: 'not-the-secret' });
    const out = await wrong.send(batch(targets(2)));
    await wrong.close();
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['auth_error', '10206'],
      ['auth_error', '10206'],
    ]);
    expect(sim.calls.send + sim.calls.saveListPayload).toBe(0);
  });

  it('a clock more than 10 minutes off gives auth_error with vivo code 10207', async () => {
    const skewed = { now: clock.now - 11 * MIN };
    const p = new VivoProvider(vivoConfigSchema.parse({ appId: sim.appId, appKey: sim.appKey, appSecret: sim.appSecret, endpoint: sim.url }), deps(skewed));
    const out = await p.send(batch(targets(1)));
    await p.close();
    expect(out.results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '10207' });
  });

  it('a throttled auth endpoint (10250) gives rate_limited with a 1 s wait', async () => {
    sim.throttleAuth(1);
    const out = await provider.send(batch(targets(1)));
    expect(out.results[0]).toMatchObject({ outcome: 'rate_limited', vendorCode: '10250', retryAfterMs: 1000 });
    expect((await provider.send(batch(targets(1)))).results[0]?.outcome).toBe('sent');
  });

  it('throttling (10072) gives rate_limited and honours Retry-After', async () => {
    sim.throttle(1, 7);
    const out = await provider.send(batch(targets(2)));
    expect(out.results.map((r) => [r.outcome, r.vendorCode, r.retryAfterMs])).toEqual([
      ['rate_limited', '10072', 7000],
      ['rate_limited', '10072', 7000],
    ]);
  });

  const marketing = (ts: DeliveryTarget[]) => batch(ts, { message: message({ id: 'msg-2' }, { category: 'marketing' }) });

  it('quota 10070 on /message/send stops send, saveListPayload and pushToList for that class until 00:00 Beijing; the other class flows', async () => {
    clock.now = Date.UTC(2025, 2, 10, 15, 30, 0); // 23:30 Beijing
    sim.quotaExhausted = true;
    sim.quotaScope = 'single';
    sim.quotaClass = 'system';
    const first = await provider.send(batch(targets(1, 'a'))); // category im: system
    expect(first.results[0]).toMatchObject({ outcome: 'quota_exceeded', vendorCode: '10070', quotaClass: 'system', retryAfterMs: 30 * MIN });
    expect(sim.calls.send).toBe(1);

    sim.quotaExhausted = false; // even a vivo that would accept again is not called that day
    clock.now += 29 * MIN; // 23:59 Beijing
    const single = await provider.send(batch(targets(1, 'b')));
    expect(single.results[0]).toMatchObject({ outcome: 'quota_exceeded', vendorCode: '10070', quotaClass: 'system', retryAfterMs: MIN });
    const list = await provider.send(batch(targets(2, 'c')));
    expect(list.results.map((r) => [r.outcome, r.vendorCode, r.quotaClass, r.retryAfterMs])).toEqual([
      ['quota_exceeded', '10070', 'system', MIN],
      ['quota_exceeded', '10070', 'system', MIN],
    ]);
    expect(sim.calls).toMatchObject({ send: 1, saveListPayload: 0, pushToList: 0 });

    // Operations messages have their own quota at vivo: still sent, single and list.
    expect((await provider.send(marketing(targets(1, 'd')))).results[0]?.outcome).toBe('sent');
    expect((await provider.send(marketing(targets(2, 'e')))).results.map((r) => r.outcome)).toEqual(['sent', 'sent']);

    clock.now = Date.UTC(2025, 2, 10, 16, 0, 1); // 00:00:01 Beijing, the next day
    expect((await provider.send(batch(targets(1, 'f')))).results[0]?.outcome).toBe('sent');
    expect((await provider.send(batch(targets(2, 'g')))).results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
  });

  it('quota 10070 on pushToList stops /message/send of the same class for the rest of the Beijing day', async () => {
    expect((await provider.send(marketing(targets(2, 'a')))).results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    sim.quotaExhausted = true;
    sim.quotaScope = 'list';
    sim.quotaClass = 'operation';
    // The saved payload is reused, so this batch goes straight to pushToList, which answers the quota code.
    const pushed = await provider.send(marketing(targets(2, 'b')));
    expect(pushed.results.map((r) => [r.outcome, r.vendorCode, r.quotaClass])).toEqual([
      ['quota_exceeded', '10070', 'operation'],
      ['quota_exceeded', '10070', 'operation'],
    ]);
    expect(sim.calls).toMatchObject({ send: 0, saveListPayload: 1, pushToList: 2 });

    sim.quotaExhausted = false;
    const single = await provider.send(marketing(targets(1, 'c')));
    expect(single.results[0]).toMatchObject({
      outcome: 'quota_exceeded',
      vendorCode: '10070',
      quotaClass: 'operation',
      retryAfterMs: 12 * 60 * MIN,
      vendorMessage: expect.stringContaining('10070 on /message/pushToList'),
    });
    expect(sim.calls.send).toBe(0);
    expect((await provider.send(batch(targets(1, 'd')))).results[0]?.outcome).toBe('sent'); // im: system
    expect(sim.calls.send).toBe(1);
  });

  it('quota 10252 on saveListPayload stops list and single sends of that class for the rest of the Beijing day', async () => {
    sim.quotaExhausted = true;
    sim.quotaCode = 10252;
    sim.quotaScope = 'list';
    const first = await provider.send(batch(targets(2, 'a')));
    expect(first.results.map((r) => [r.outcome, r.vendorCode, r.quotaClass])).toEqual([
      ['quota_exceeded', '10252', 'system'],
      ['quota_exceeded', '10252', 'system'],
    ]);
    expect(first.results[0]?.retryAfterMs).toBe(12 * 60 * MIN); // 12:00 → 00:00 Beijing
    sim.quotaExhausted = false;
    const again = await provider.send(batch(targets(3, 'b')));
    expect(again.results.every((r) => r.outcome === 'quota_exceeded')).toBe(true);
    expect((await provider.send(batch(targets(1, 'c')))).results[0]).toMatchObject({ outcome: 'quota_exceeded', vendorCode: '10252' });
    expect(sim.calls).toMatchObject({ send: 0, saveListPayload: 1, pushToList: 0 });
    expect((await provider.send(marketing(targets(1, 'd')))).results[0]?.outcome).toBe('sent');
  });

  it.each([
    [10050, 'rejected'],
    [10069, 'rejected'],
    [10096, 'rejected'],
    [10097, 'rejected'],
    [10153, 'rejected'],
    [10353, 'rejected'],
    [11000, 'rejected'],
    [99999, 'rejected'],
    [10094, 'auth_error'],
    [10072, 'rate_limited'],
    [10070, 'quota_exceeded'],
    [10254, 'quota_exceeded'],
  ])('vivo result %i gives %s', async (code, outcome) => {
    sim.answerNext(code);
    const out = await provider.send(batch(targets(1)));
    expect(out.results[0]).toMatchObject({ outcome, vendorCode: String(code) });
  });

  it('an over-long Chinese title and body are cut the vivo way so vivo accepts them', async () => {
    const m = message({ notification: { title: '您有一条来自客服中心的新消息请及时查看谢谢您的耐心等待', body: '这是一段很长的消息内容'.repeat(8) } });
    const out = await provider.send(batch(targets(1), { message: m }));
    expect(out.results[0]?.outcome).toBe('sent');
    const [body] = bodiesTo(sim, '/message/send');
    expect(vivoTextWidth(String(body?.['title']))).toBeLessThanOrEqual(40);
    expect(String(body?.['content']).endsWith('…')).toBe(true);
  });

  it('sends category marketing as classification 0 / MARKETING and no category as plain operations, both accepted', async () => {
    const a = await provider.send(batch(targets(1, 'a'), { message: message({}, { category: 'marketing' }) }));
    const b = await provider.send(batch(targets(1, 'b'), { message: message({ id: 'm2' }, { category: undefined }) }));
    expect([a.results[0]?.outcome, b.results[0]?.outcome]).toEqual(['sent', 'sent']);
    const [first, second] = bodiesTo(sim, '/message/send');
    expect([first?.['classification'], first?.['category']]).toEqual([0, 'MARKETING']);
    expect([second?.['classification'], second?.['category']]).toEqual([0, undefined]);
  });

  it('puts callbackUrl and callbackRef into extra.callback and extra["callback.param"]', async () => {
    await provider.send(batch(targets(1), { callbackUrl: 'https://gw.example.com/v1/receipts/vivo/acme?secret=s3', callbackRef: 'msg-1.7' }));
    const [body] = bodiesTo(sim, '/message/send');
    expect(body?.['extra']).toEqual({ callback: 'https://gw.example.com/v1/receipts/vivo/acme?secret=s3', 'callback.param': 'msg-1.7' });
  });

  it('a data-only message is rejected without calling vivo', async () => {
    const out = await provider.send(batch(targets(2), { message: message({ notification: undefined }) }));
    expect(out.results.every((r) => r.outcome === 'rejected' && /notification messages only/.test(r.vendorMessage ?? ''))).toBe(true);
    expect(sim.requests).toHaveLength(0);
  });

  it('HTTP 500 from vivo gives retry for every target', async () => {
    sim.fail(1);
    const out = await provider.send(batch(targets(2)));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['retry', 'http_500'],
      ['retry', 'http_500'],
    ]);
  });

  it('a closed simulator gives retry for every target', async () => {
    await sim.close();
    const out = await provider.send(batch(targets(3)));
    expect(out.results.map((r) => r.outcome)).toEqual(['retry', 'retry', 'retry']);
    sim = await VivoSimulator.start(); // for afterEach
  });

  it('a full batch of 1000 targets (the most the dispatcher sends) is one saveListPayload and one pushToList', async () => {
    const out = await provider.send(batch(targets(1000)));
    expect(out.results.every((r) => r.outcome === 'sent')).toBe(true);
    expect(sim.calls.pushToList).toBe(1);
    expect(sim.calls.send).toBe(0);
    expect(bodiesTo(sim, '/message/pushToList')[0]?.['regIds']).toHaveLength(1000);
  });
});

describe('vivo adapter at scale', () => {
  it('delivers 100,000 tokens in 100 list pushes sharing one saved payload', async () => {
    const sim = await VivoSimulator.start();
    const provider = makeProvider(sim);
    const all = targets(100_000);
    const outs = await Promise.all(Array.from({ length: 100 }, (_, i) => provider.send(batch(all.slice(i * 1000, (i + 1) * 1000)))));
    await provider.close();
    await sim.close();
    expect(outs.reduce((n, o) => n + o.results.filter((r) => r.outcome === 'sent').length, 0)).toBe(100_000);
    expect(sim.accepted).toHaveLength(100_000);
    expect(sim.calls.auth).toBe(1);
    expect(sim.calls.pushToList).toBe(100);
  });
});
