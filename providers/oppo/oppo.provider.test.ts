import pino from 'pino';
import { startHttpSimulator } from '../shared/sim-server.js';
import type { DeliveryTarget, OutgoingMessage, ProviderDeps, PushProvider, ReceiptRequest, SendBatch } from '../types.js';
import { oppoProvider } from './index.js';
import type { OppoConfig } from './oppo.config.js';
import { OppoProvider } from './oppo.provider.js';
import { oppoReceipts } from './oppo.receipts.js';
import { buildOppoAuthForm, encodeOppoAuthForm, type OppoOverrides } from './oppo.request.js';
import { OPPO_DEMO, OppoSimulator } from './simulator.js';

const tok = (i: number) => `CN_${i.toString(16).padStart(32, '0')}`;

function message(over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { id: 'm1', notification: { title: 'New message', body: 'Ann: hi' }, data: { chat: '42' }, options: { priority: 'high', category: 'im' }, createdAt: 0, ...over };
}

function batch(n: number, over: Partial<SendBatch<OppoOverrides>> = {}, from = 0): SendBatch<OppoOverrides> {
  const targets: DeliveryTarget[] = Array.from({ length: n }, (_, i) => ({ deliveryId: `d${from + i}`, token: tok(from + i), registered: true }));
  return { message: message(), targets, callbackRef: 'ref-1', ...over };
}

let sim: OppoSimulator;
let clock: number;
let deps: ProviderDeps;
let config: OppoConfig;
let provider: OppoProvider;
/** Extra servers/providers a test opened; closed even when the test fails. */
let closers: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  clock = Date.now();
  sim = await OppoSimulator.start({ now: () => clock });
  deps = { now: () => clock, random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} };
  config = { appKey: OPPO_DEMO.appKey, masterSecret: OPPO_DEMO.masterSecret, region: 'china', endpoint: sim.url };
  provider = new OppoProvider(config, deps);
});

afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
  await provider.close();
  await sim.close();
});

describe('OPPO adapter against the simulator', () => {
  it('sends one target through unicast with auth_token as a form field and returns OPPO’s messageId', async () => {
    const out = await provider.send(batch(1));
    expect(out.results).toEqual([{ deliveryId: 'd0', outcome: 'sent', vendorCode: '0', vendorMessageId: expect.stringMatching(/^30000001-1-1-/) }]);
    expect(sim.accepted).toEqual([tok(0)]);
    expect(sim.lastSend?.path).toBe('/server/v1/message/notification/unicast');
    expect(sim.authTokenVia).toEqual({ form: 1, header: 0 });
    const sent = JSON.parse(sim.lastSend!.form.get('message')!) as { notification: Record<string, unknown> };
    expect(sent.notification).toMatchObject({ app_message_id: 'd0', category: 'IM', notify_level: 16, action_parameters: '{"chat":"42"}' });
  });

  it('a send 100 s after the message was accepted asks OPPO to keep it offline only for the ttl left', async () => {
    await provider.send(batch(1, { message: message({ createdAt: clock - 100_000, options: { priority: 'high', ttlSeconds: 3600 } }) }));
    const sent = JSON.parse(sim.lastSend!.form.get('message')!) as { notification: Record<string, unknown> };
    expect(sent.notification).toMatchObject({ off_line: true, off_line_ttl: 3500 });
  });

  it('sends several targets in one unicast_batch request and returns one result per target', async () => {
    const out = await provider.send(batch(3));
    expect(out.results.map((r) => [r.deliveryId, r.outcome])).toEqual([
      ['d0', 'sent'],
      ['d1', 'sent'],
      ['d2', 'sent'],
    ]);
    expect(new Set(out.results.map((r) => r.vendorMessageId)).size).toBe(3);
    expect(sim.sendRequests).toBe(1);
    expect(sim.lastSend?.path).toBe('/server/v1/message/notification/unicast_batch');
    expect(sim.accepted).toEqual([tok(0), tok(1), tok(2)]);
  });

  it('carries 1000 targets in a single request', async () => {
    const out = await provider.send(batch(1000));
    expect(out.results.every((r) => r.outcome === 'sent')).toBe(true);
    expect(sim.sendRequests).toBe(1);
    expect(sim.accepted).toHaveLength(1000);
  });

  it('signs /server/v1/auth once and reuses the auth_token for later sends', async () => {
    await provider.send(batch(1));
    await provider.send(batch(2));
    await provider.send(batch(1));
    expect(sim.authRequests).toBe(1);
    expect(sim.sendRequests).toBe(3);
  });

  it('shares one in-flight auth between concurrent sends', async () => {
    const outs = await Promise.all(Array.from({ length: 6 }, (_, i) => provider.send(batch(2, {}, i * 2))));
    expect(outs.flatMap((o) => o.results).every((r) => r.outcome === 'sent')).toBe(true);
    expect(sim.authRequests).toBe(1);
  });

  it('fetches a new auth_token before the 24-hour one expires', async () => {
    await provider.send(batch(1));
    clock += 23 * 3600_000 + 1;
    const out = await provider.send(batch(1));
    expect(out.results[0]?.outcome).toBe('sent');
    expect(sim.authRequests).toBe(2);
  });

  it('answers auth_error for an expired auth_token, and a resend after refreshCredentials() succeeds', async () => {
    await provider.send(batch(1));
    sim.expireAccessTokens();
    const failed = await provider.send(batch(1));
    expect(failed.results).toEqual([{ deliveryId: 'd0', outcome: 'auth_error', vendorCode: '11', vendorMessage: 'Invalid AuthToken' }]);
    await provider.refreshCredentials();
    const resent = await provider.send(batch(1));
    expect(resent.results[0]?.outcome).toBe('sent');
    expect(sim.authRequests).toBe(2);
    expect(sim.accepted).toEqual([tok(0)]);
  });

  it('drops the cached token on refreshCredentials() so the next send signs a new auth', async () => {
    await provider.send(batch(1));
    await provider.refreshCredentials();
    await provider.send(batch(1, {}, 1));
    expect(sim.authRequests).toBe(2);
  });

  it('returns auth_error (code 16) for every target and sends nothing when the masterSecret is wrong', async () => {
    const bad = new OppoProvider({ ...config, masterSecret: 'wrong' }, deps);
    closers.push(() => bad.close());
    const out = await bad.send(batch(2));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['auth_error', '16'],
      ['auth_error', '16'],
    ]);
    expect(sim.sendRequests).toBe(0);
  });

  it('returns auth_error (code 19) when the adapter’s clock is more than 10 minutes off', async () => {
    const skewed = new OppoProvider(config, { ...deps, now: () => clock - 11 * 60_000 });
    closers.push(() => skewed.close());
    const out = await skewed.send(batch(1));
    expect([out.results[0]?.outcome, out.results[0]?.vendorCode]).toEqual(['auth_error', '19']);
  });

  it('prunes per-target errorCode 10000 and 10001 in a batch while the others are sent', async () => {
    sim.invalidTokens.add(tok(1));
    sim.unsubscribedTokens.add(tok(2));
    const out = await provider.send(batch(4));
    expect(out.results.map((r) => [r.deliveryId, r.outcome, r.vendorCode])).toEqual([
      ['d0', 'sent', '0'],
      ['d1', 'invalid_token', '10000'],
      ['d2', 'invalid_token', '10001'],
      ['d3', 'sent', '0'],
    ]);
    expect(sim.accepted).toEqual([tok(0), tok(3)]);
  });

  it('prunes a single target when unicast answers code 10000', async () => {
    sim.invalidTokens.add(tok(0));
    const out = await provider.send(batch(1));
    expect([out.results[0]?.outcome, out.results[0]?.vendorCode]).toEqual(['invalid_token', '10000']);
  });

  it('answers quota_exceeded (code 33) for every target when the daily quota is gone', async () => {
    sim.quotaExhausted = true;
    const out = await provider.send(batch(3));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual(Array(3).fill(['quota_exceeded', '33']));
    expect(sim.accepted).toEqual([]);
  });

  it('answers rate_limited (code -2) with the Retry-After when OPPO applies flow control', async () => {
    sim.throttle(1, 7);
    const out = await provider.send(batch(2));
    expect(out.results.map((r) => [r.outcome, r.vendorCode, r.retryAfterMs])).toEqual(Array(2).fill(['rate_limited', '-2', 7000]));
    const after = await provider.send(batch(2));
    expect(after.results.every((r) => r.outcome === 'sent')).toBe(true);
  });

  it('answers rate_limited for code 13 (app call limit) without a Retry-After', async () => {
    sim.throttleCode = 13;
    sim.throttle(1);
    const out = await provider.send(batch(1));
    expect(out.results[0]).toMatchObject({ outcome: 'rate_limited', vendorCode: '13', retryAfterMs: undefined });
  });

  it('answers retry for an HTTP 500', async () => {
    sim.fail(1);
    const out = await provider.send(batch(2));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual(Array(2).fill(['retry', 'http_500']));
  });

  it('answers retry for code -1 (service unavailable)', async () => {
    sim.failWith = 'code';
    sim.fail(1);
    const out = await provider.send(batch(1));
    expect([out.results[0]?.outcome, out.results[0]?.vendorCode]).toEqual(['retry', '-1']);
  });

  it('answers retry for every target when OPPO cannot be reached', async () => {
    await sim.close();
    const out = await provider.send(batch(3));
    expect(out.results.map((r) => r.outcome)).toEqual(['retry', 'retry', 'retry']);
    expect(out.results[0]?.vendorMessage).toMatch(/transport/);
    sim = await OppoSimulator.start(); // afterEach closes it
  });

  it('answers rejected (code 67) when an override asks for notify_level 16 on a marketing category', async () => {
    const out = await provider.send(batch(2, { message: message({ options: { priority: 'normal', category: 'marketing' } }), overrides: { notify_level: 16 } }));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual(Array(2).fill(['rejected', '67']));
  });

  it('truncates an over-long title and body so OPPO accepts them', async () => {
    const out = await provider.send(batch(1, { message: message({ notification: { title: 't'.repeat(80), body: 'b'.repeat(500) } }) }));
    expect(out.results[0]?.outcome).toBe('sent');
  });

  it('rejects a data-only message without calling OPPO', async () => {
    const out = await provider.send(batch(2, { message: message({ notification: undefined }) }));
    expect(out.results.map((r) => r.outcome)).toEqual(['rejected', 'rejected']);
    expect(out.results[0]?.vendorMessage).toMatch(/data-only/);
    expect(sim.sendRequests + sim.authRequests).toBe(0);
  });

  it('lets OPPO drop a resend of the same delivery through the app_message_id derived from the delivery id', async () => {
    await provider.send(batch(2));
    const again = await provider.send(batch(2));
    expect(again.results.every((r) => r.outcome === 'sent')).toBe(true);
    expect(sim.accepted).toEqual([tok(0), tok(1)]);
    expect(sim.duplicatesSuppressed).toBe(2);
  });

  it('delivers 100 000 targets through batches of 1000', async () => {
    const outs = await Promise.all(Array.from({ length: 100 }, (_, i) => provider.send(batch(1000, {}, i * 1000))));
    expect(outs.reduce((n, o) => n + o.results.filter((r) => r.outcome === 'sent').length, 0)).toBe(100_000);
    expect(sim.accepted).toHaveLength(100_000);
  });
});

describe('OPPO simulator protocol', () => {
  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', ...headers }, body });
    return (await res.json()) as { code: number; message: string; data?: { auth_token?: string } };
  };
  const authForm = (over: Record<string, string | undefined> = {}) => {
    const f: Record<string, string | undefined> = { ...buildOppoAuthForm(OPPO_DEMO.appKey, OPPO_DEMO.masterSecret, clock), ...over };
    return new URLSearchParams(Object.entries(f).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  };
  const token = async () => (await post('/server/v1/auth', authForm())).data!.auth_token!;
  const one = (notification: Record<string, unknown>) => JSON.stringify({ target_type: 2, target_value: tok(0), notification: { title: 't', content: 'c', ...notification } });

  it('issues an auth_token only for the exact sha256 sign and answers OPPO’s codes otherwise', async () => {
    expect((await post('/server/v1/auth', authForm())).code).toBe(0);
    expect((await post('/server/v1/auth', authForm({ sign: 'f'.repeat(64) }))).code).toBe(16);
    const upper = buildOppoAuthForm(OPPO_DEMO.appKey, OPPO_DEMO.masterSecret, clock).sign.toUpperCase();
    expect((await post('/server/v1/auth', authForm({ sign: upper }))).code).toBe(16);
    expect((await post('/server/v1/auth', authForm({ sign: undefined }))).code).toBe(17);
    expect((await post('/server/v1/auth', authForm({ timestamp: undefined }))).code).toBe(18);
    const stale = encodeOppoAuthForm(buildOppoAuthForm(OPPO_DEMO.appKey, OPPO_DEMO.masterSecret, clock - 10 * 60_000 - 1));
    expect((await post('/server/v1/auth', stale)).code).toBe(19);
    const fresh = encodeOppoAuthForm(buildOppoAuthForm(OPPO_DEMO.appKey, OPPO_DEMO.masterSecret, clock - 9 * 60_000));
    expect((await post('/server/v1/auth', fresh)).code).toBe(0);
    expect((await post('/server/v1/auth', authForm({ app_key: 'other' }))).code).toBe(14);
    expect((await post('/server/v1/auth', authForm({ app_key: undefined }))).code).toBe(15);
  });

  it('answers 29 without an auth_token, 11 for an unknown one, and accepts it as a form field or a header', async () => {
    const t = await token();
    const msg = `message=${encodeURIComponent(one({}))}`;
    expect((await post('/server/v1/message/notification/unicast', msg)).code).toBe(29);
    expect((await post('/server/v1/message/notification/unicast', `${msg}&auth_token=nope`)).code).toBe(11);
    expect((await post('/server/v1/message/notification/unicast', `${msg}&auth_token=${t}`)).code).toBe(0);
    expect((await post('/server/v1/message/notification/unicast', msg, { auth_token: t })).code).toBe(0);
    expect(sim.authTokenVia).toEqual({ form: 2, header: 1 });
  });

  it('answers 41 for over-long title or content, more than 1000 messages, and 67 for category rules', async () => {
    const t = await token();
    const uni = async (n: Record<string, unknown>) => (await post('/server/v1/message/notification/unicast', `auth_token=${t}&message=${encodeURIComponent(one(n))}`)).code;
    expect(await uni({ title: 'x'.repeat(51) })).toBe(41);
    expect(await uni({ title: '标'.repeat(50) })).toBe(0);
    expect(await uni({ content: 'x'.repeat(201) })).toBe(41);
    expect(await uni({ title: '' })).toBe(40);
    expect(await uni({ notify_level: 2 })).toBe(67);
    expect(await uni({ category: 'NEWS', notify_level: 16 })).toBe(67);
    expect(await uni({ category: 'ORDER', notify_level: 16 })).toBe(0);
    expect(await uni({ category: 'WEATHER' })).toBe(67);
    const messages = JSON.stringify(Array.from({ length: 1001 }, (_, i) => ({ target_type: 2, target_value: tok(i), notification: { title: 't', content: 'c' } })));
    expect((await post('/server/v1/message/notification/unicast_batch', `auth_token=${t}&messages=${encodeURIComponent(messages)}`)).code).toBe(41);
  });
});

describe('OPPO receipts', () => {
  const capture = async () => {
    let resolve!: (r: ReceiptRequest) => void;
    const got = new Promise<ReceiptRequest>((r) => (resolve = r));
    const server = await startHttpSimulator((req) => {
      resolve({ headers: req.headers, body: req.body, rawBody: req.rawBody, query: Object.fromEntries(req.query) });
      return { body: 'ok' };
    });
    closers.push(() => server.close());
    return { server, got };
  };

  it('parses the JSON array OPPO posts into one event per registration id', async () => {
    const { server, got } = await capture();
    await sim.sendReceipt(`${server.url}/v1/receipts/oppo/acme`, [
      sim.receipt('push_arrive', [tok(1), tok(2)], { messageId: 'mid-1', param: 'ref-9' }),
      sim.receipt('regid_invalid', [tok(3)], { messageId: 'mid-1', param: 'ref-9' }),
      sim.receipt('user_daily_limit', [tok(4)], { messageId: 'mid-2' }),
      sim.receipt('push_click', [tok(5)], { messageId: 'mid-3' }),
    ]);
    const req = await got;
    expect(oppoReceipts.verify(req, config, clock)).toBe('unsigned');
    expect(oppoReceipts.parse(req)).toEqual([
      { status: 'delivered', vendorStatus: 'push_arrive', token: tok(1), callbackRef: 'ref-9', vendorMessageId: 'mid-1' },
      { status: 'delivered', vendorStatus: 'push_arrive', token: tok(2), callbackRef: 'ref-9', vendorMessageId: 'mid-1' },
      { status: 'invalid_token', vendorStatus: 'regid_invalid', token: tok(3), callbackRef: 'ref-9', vendorMessageId: 'mid-1' },
      { status: 'quota_exceeded', vendorStatus: 'user_daily_limit', token: tok(4), callbackRef: undefined, vendorMessageId: 'mid-2' },
      { status: 'other', vendorStatus: 'push_click', token: tok(5), callbackRef: undefined, vendorMessageId: 'mid-3' },
    ]);
  });

  it('parses the raw body when the body was not parsed, and ignores junk', () => {
    const raw = JSON.stringify([{ messageId: 'm', registrationIds: tok(1), eventType: 'push_arrive', param: 'p' }, 5, { registrationIds: tok(2) }]);
    expect(oppoReceipts.parse({ headers: {}, body: undefined, rawBody: raw, query: {} })).toEqual([
      { status: 'delivered', vendorStatus: 'push_arrive', token: tok(1), callbackRef: 'p', vendorMessageId: 'm' },
    ]);
    expect(oppoReceipts.parse({ headers: {}, body: undefined, rawBody: 'not json', query: {} })).toEqual([]);
  });

  it('puts call_back_url and call_back_parameter on sends so the simulator’s push_arrive receipt maps back', async () => {
    const { server, got } = await capture();
    const auto = await OppoSimulator.start({ autoReceipts: true });
    const p = new OppoProvider({ ...config, endpoint: auto.url }, { ...deps, now: Date.now });
    closers.push(() => p.close(), () => auto.close());
    const out = await p.send(batch(2, { callbackUrl: `${server.url}/v1/receipts/oppo/acme?s=secret`, callbackRef: 'ref-77' }));
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    const events = oppoReceipts.parse(await got);
    expect(events.map((e) => [e.status, e.token, e.callbackRef, e.vendorMessageId])).toEqual([
      ['delivered', tok(0), 'ref-77', out.results[0]?.vendorMessageId],
      ['delivered', tok(1), 'ref-77', out.results[1]?.vendorMessageId],
    ]);
  });
});

describe('OPPO provider definition', () => {
  it('declares 1000 targets per request, 50 requests/s with 8 in flight, and masterSecret as the secret', () => {
    expect(oppoProvider.limits).toEqual({ maxTargetsPerRequest: 1000, defaultRate: { perSecond: 50, concurrency: 8 } });
    expect(oppoProvider.secretFields).toEqual(['masterSecret']);
    expect(oppoProvider.quotaClassOf?.('im', config)).toBe('service');
    expect(oppoProvider.quotaClassOf?.(undefined, config)).toBe('marketing');
  });

  it('starts a playground whose config sends through its simulator', async () => {
    const { simulator, config: cfg } = await oppoProvider.playground!();
    const p: PushProvider = oppoProvider.create(oppoProvider.configSchema.parse(cfg), { ...deps, now: Date.now });
    closers.push(() => p.close(), () => simulator.close());
    const out = await p.send(batch(1));
    expect(out.results[0]?.outcome).toBe('sent');
    expect(simulator.accepted).toEqual([tok(0)]);
  });
});
