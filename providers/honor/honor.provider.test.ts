/**
 * One test per Honor behaviour: the real adapter against the real simulator over HTTP.
 */
import pino from 'pino';
import type { DeliveryTarget, OutgoingMessage, ProviderDeps, SendBatch } from '../types.js';
import { honorConfigSchema, type HonorConfig } from './honor.config.js';
import { HonorProvider } from './honor.provider.js';
import type { HonorOverrides } from './honor.request.js';
import { HonorSimulator, type HonorSimulatorOptions } from './simulator.js';

const tok = (i: number) => `HONORTOKEN${String(i).padStart(20, '0')}`;
const tokens = (n: number, from = 0) => Array.from({ length: n }, (_, i) => tok(from + i));

function deps(now: () => number = Date.now): ProviderDeps {
  return { now, random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} };
}

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { id: 'm1', notification: { title: 'Hi', body: 'New message' }, data: { chat: '7' }, options: { priority: 'high', category: 'im' }, createdAt: Date.now(), ...overrides };
}

function batch(toks: string[], msg: OutgoingMessage = message(), overrides?: HonorOverrides): SendBatch<HonorOverrides> {
  const targets: DeliveryTarget[] = toks.map((token, i) => ({ deliveryId: `d${i}`, token, registered: true }));
  return { message: msg, targets, callbackRef: 'cb-ref-1', ...(overrides ? { overrides } : {}) };
}

let sim: HonorSimulator;
let provider: HonorProvider;

async function setup(simOpts: HonorSimulatorOptions = {}, cfg: Record<string, unknown> = {}, now?: () => number) {
  sim = await HonorSimulator.start({ clientId: 'cid', clientSecret: 'sekret', ...simOpts });
  const config: HonorConfig = honorConfigSchema.parse({ appId: sim.appId, clientId: 'cid', clientSecret: 'sekret', endpoint: sim.url, authEndpoint: sim.url, ...cfg });
  provider = new HonorProvider(config, deps(now));
}

afterEach(async () => {
  await provider?.close();
  await sim?.close();
});

describe('HonorProvider against the simulator', () => {
  it('sends one request for the batch, every token sent with the requestId, timestamp header in ms', async () => {
    await setup();
    const before = Date.now();
    const out = await provider.send(batch(tokens(3)));
    expect(out.results.map((r) => [r.deliveryId, r.outcome, r.vendorCode])).toEqual([
      ['d0', 'sent', '200'],
      ['d1', 'sent', '200'],
      ['d2', 'sent', '200'],
    ]);
    expect(new Set(out.results.map((r) => r.vendorMessageId)).size).toBe(1);
    expect(out.results[0]?.vendorMessageId).toMatch(/^\d+$/);
    expect(sim.accepted).toEqual(tokens(3));
    expect(sim.sendRequests).toBe(1);
    const ts = Number(sim.lastSend?.headers['timestamp']);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Date.now());
    expect(sim.lastSend?.body).toMatchObject({ data: '{"chat":"7"}', android: { biTag: 'cb-ref-1', notification: { importance: 'NORMAL', clickAction: { type: 3 } } } });
  });

  it("puts the batch's own overrides slice on the wire", async () => {
    await setup();
    expect((await provider.send(batch(tokens(1), message(), { notifyId: 7, targetUserType: 1 }))).results[0]?.outcome).toBe('sent');
    expect(sim.lastSend?.body).toMatchObject({ android: { targetUserType: 1, notification: { notifyId: 7 } } });
  });

  it.each([
    ['code 200 (number)', { successCode: 200 }],
    ['code "200"', { successCode: '200' }],
    ['code "80000000" without sendResult', { successCode: '80000000', sendResult: false }],
    ['code 200 without sendResult', { successCode: 200, sendResult: false }],
  ] as const)('recognises success in the form %s', async (_name, opts) => {
    await setup(opts);
    expect((await provider.send(batch(tokens(2)))).results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
  });

  it('recognises data.sendResult true with an unknown code, and a top-level requestId and msg', async () => {
    await setup();
    sim.answerNext({ status: 200, body: { code: 12200000, msg: 'ok', data: { sendResult: true } } }, { status: 200, body: { code: '80000000', msg: 'Success', requestId: 'top-1' } });
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome: 'sent', vendorCode: '12200000' });
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome: 'sent', vendorMessageId: 'top-1' });
  });

  it('marks data.expireTokens invalid_token (pruned) and the rest sent', async () => {
    await setup();
    sim.invalidTokens.add(tok(1));
    sim.invalidTokens.add(tok(3));
    const out = await provider.send(batch(tokens(4)));
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'invalid_token', 'sent', 'invalid_token']);
    expect(sim.accepted).toEqual([tok(0), tok(2)]);
  });

  it('marks every target invalid_token when all are in expireTokens (sendResult false)', async () => {
    await setup();
    for (const t of tokens(2)) sim.invalidTokens.add(t);
    expect((await provider.send(batch(tokens(2)))).results.map((r) => r.outcome)).toEqual(['invalid_token', 'invalid_token']);
  });

  it('retries data.failTokens and never prunes them', async () => {
    await setup();
    sim.answerNext({ status: 200, body: { code: 200, message: 'success', data: { sendResult: true, failTokens: [tok(0)], requestId: 'r' } } });
    expect((await provider.send(batch(tokens(2)))).results.map((r) => r.outcome)).toEqual(['retry', 'sent']);
  });

  it('retries an unknown code, keeping it visible, and never prunes on an HMS-looking one', async () => {
    await setup();
    sim.answerNext({ status: 200, body: { code: 80300007, message: 'Invalid token' } }, { status: 200, body: { code: 99999, message: 'new' } });
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome: 'retry', vendorCode: '80300007', vendorMessage: 'Invalid token' });
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome: 'retry', vendorCode: '99999' });
  });

  it('applies the tenant `codes` map to codes Honor has not documented', async () => {
    await setup({}, { codes: { '80300007': 'invalid_token' } });
    sim.answerNext({ status: 200, body: { code: 80300007, message: 'Invalid token' } });
    expect((await provider.send(batch(tokens(2)))).results.map((r) => r.outcome)).toEqual(['invalid_token', 'invalid_token']);
  });

  it('answers rate_limited with the Retry-After on HTTP 503 (throttle)', async () => {
    await setup();
    sim.throttle(1, 7);
    const out = await provider.send(batch(tokens(2)));
    expect(out.results.map((r) => [r.outcome, r.retryAfterMs])).toEqual([
      ['rate_limited', 7000],
      ['rate_limited', 7000],
    ]);
    expect((await provider.send(batch(tokens(1)))).results[0]?.outcome).toBe('sent');
  });

  it('answers quota_exceeded with the message quota class once the quota code is mapped', async () => {
    await setup({}, { codes: { SIM_QUOTA: 'quota_exceeded' } });
    sim.quotaExhausted = true;
    const marketing = await provider.send(batch(tokens(1), message({ options: { priority: 'normal', category: 'marketing' } })));
    expect(marketing.results[0]).toMatchObject({ outcome: 'quota_exceeded', quotaClass: 'marketing', vendorCode: 'SIM_QUOTA' });
    const service = await provider.send(batch(tokens(1)));
    expect(service.results[0]).toMatchObject({ outcome: 'quota_exceeded', quotaClass: 'service' });
    sim.quotaExhausted = false;
    expect((await provider.send(batch(tokens(1)))).results[0]?.outcome).toBe('sent');
  });

  it('retries a quota answer whose code nobody mapped (unknown code)', async () => {
    await setup();
    sim.quotaExhausted = true;
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome: 'retry', vendorCode: 'SIM_QUOTA' });
  });

  it('answers retry on a server error (fail) and on a transport failure', async () => {
    await setup();
    sim.fail(1);
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome: 'retry', vendorCode: '81000001' });
    await sim.close();
    expect((await provider.send(batch(tokens(1)))).results[0]?.outcome).toBe('retry');
  });

  it('answers rejected when Honor refuses the payload (HTTP 400)', async () => {
    await setup();
    const out = await provider.send(batch(tokens(1), message({ notification: { title: 'Hi', body: 'b', clickAction: { type: 'url', value: 'http://insecure.example' } } })));
    expect(out.results[0]).toMatchObject({ outcome: 'rejected', vendorCode: '80100001', vendorMessage: expect.stringMatching(/https url/) });
  });

  it('reuses one access token and shares one token request between concurrent sends', async () => {
    await setup();
    await Promise.all([provider.send(batch(tokens(1))), provider.send(batch(tokens(1, 1))), provider.send(batch(tokens(1, 2)))]);
    await provider.send(batch(tokens(1, 3)));
    expect(sim.tokenRequests).toBe(1);
    expect(sim.sendRequests).toBe(4);
  });

  it('fetches a new token before the old one expires (injected clock)', async () => {
    let clock = 1_700_000_000_000;
    await setup({ now: () => clock, tokenTtlSeconds: 3600 }, {}, () => clock);
    const m = message({ createdAt: clock });
    await provider.send(batch(tokens(1), m));
    clock += (3600 - 6 * 60) * 1000;
    await provider.send(batch(tokens(1), m));
    expect(sim.tokenRequests).toBe(1);
    clock += 2 * 60 * 1000;
    expect((await provider.send(batch(tokens(1), m))).results[0]?.outcome).toBe('sent');
    expect(sim.tokenRequests).toBe(2);
  });

  it('refreshes a short-lived token at half its life, not 5 minutes before it ends', async () => {
    let clock = 1_700_000_000_000;
    await setup({ now: () => clock, tokenTtlSeconds: 60 }, {}, () => clock);
    const m = message({ createdAt: clock });
    await provider.send(batch(tokens(1), m));
    clock += 29_999;
    await provider.send(batch(tokens(1), m));
    expect(sim.tokenRequests).toBe(1);
    clock += 1;
    expect((await provider.send(batch(tokens(1), m))).results[0]?.outcome).toBe('sent');
    expect(sim.tokenRequests).toBe(2);
  });

  it('assumes a 3600 s token when the token answer has no expires_in', async () => {
    let clock = 1_700_000_000_000;
    await setup({ now: () => clock, tokenTtlSeconds: 7200 }, {}, () => clock);
    sim.sendsExpiresIn = false;
    const m = message({ createdAt: clock });
    await provider.send(batch(tokens(1), m));
    clock += (3600 - 5 * 60) * 1000 - 1;
    await provider.send(batch(tokens(1), m));
    expect(sim.tokenRequests).toBe(1);
    clock += 1;
    expect((await provider.send(batch(tokens(1), m))).results[0]?.outcome).toBe('sent');
    expect(sim.tokenRequests).toBe(2);
  });

  it('keeps no refused token answer: once the credentials are right again, the next send asks anew', async () => {
    await setup();
    sim.rejectCredentials = true;
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: 'unauthorized_client' });
    sim.rejectCredentials = false;
    expect((await provider.send(batch(tokens(1)))).results[0]?.outcome).toBe('sent');
    expect(sim.tokenRequests).toBe(2);
  });

  it('answers auth_error on a stale access token and succeeds after refreshCredentials()', async () => {
    await setup();
    await provider.send(batch(tokens(1)));
    sim.expireAccessTokens();
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '80200003' });
    await provider.refreshCredentials();
    expect((await provider.send(batch(tokens(1)))).results[0]?.outcome).toBe('sent');
    expect(sim.tokenRequests).toBe(2);
  });

  it('answers auth_error for a wrong Client Secret (OAuth unauthorized_client) without sending', async () => {
    await setup({}, { clientSecret: 'wrong' });
    const out = await provider.send(batch(tokens(2)));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['auth_error', 'unauthorized_client'],
      ['auth_error', 'unauthorized_client'],
    ]);
    expect(out.results[0]?.vendorMessage).toMatch(/Invalid client/);
    expect(sim.sendRequests).toBe(0);
  });

  it('gets its token from the Keycloak path when configured', async () => {
    await setup({}, { tokenPath: '/auth/realms/developer/protocol/openid-connect/token' });
    expect((await provider.send(batch(tokens(1)))).results[0]?.outcome).toBe('sent');
    expect(sim.tokenRequests).toBe(1);
  });
});
