/**
 * One test per Huawei behaviour: the real adapter against the real simulator over HTTP.
 */
import pino from 'pino';
import type { DeliveryTarget, OutgoingMessage, ProviderDeps, SendBatch } from '../types.js';
import type { HuaweiConfig } from './huawei.config.js';
import type { HuaweiOverrides } from './huawei.request.js';
import { HuaweiProvider } from './huawei.provider.js';
import { HuaweiSimulator, type HuaweiSimulatorOptions } from './simulator.js';

const tok = (i: number) => `TOKEN${String(i).padStart(27, '0')}CN01`;
const tokens = (n: number, from = 0) => Array.from({ length: n }, (_, i) => tok(from + i));

function deps(now: () => number = Date.now): ProviderDeps {
  return { now, random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} };
}

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { id: 'm1', notification: { title: 'Hi', body: 'New message' }, data: { chat: '7' }, options: { priority: 'high', category: 'im' }, createdAt: 0, ...overrides };
}

function batch(toks: string[], msg: OutgoingMessage = message()): SendBatch<HuaweiOverrides> {
  const targets: DeliveryTarget[] = toks.map((token, i) => ({ deliveryId: `d${i}`, token, registered: true }));
  return { message: msg, targets, callbackRef: 'cb-ref-1' };
}

let sim: HuaweiSimulator;
let provider: HuaweiProvider;

async function setup(simOpts: HuaweiSimulatorOptions = {}, cfg: Partial<HuaweiConfig> = {}, now?: () => number) {
  sim = await HuaweiSimulator.start({ clientSecret: 'sekret', ...simOpts });
  const config: HuaweiConfig = { appId: sim.appId, clientSecret: 'sekret', endpoint: sim.url, authEndpoint: sim.url, ...cfg };
  provider = new HuaweiProvider(config, deps(now));
}

afterEach(async () => {
  await provider?.close();
  await sim?.close();
});

describe('HuaweiProvider against the simulator', () => {
  it('sends one request for the batch and reports every token sent with the requestId', async () => {
    await setup();
    const out = await provider.send(batch(tokens(3)));
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'sent', 'sent']);
    expect(out.results.map((r) => r.deliveryId)).toEqual(['d0', 'd1', 'd2']);
    const ids = new Set(out.results.map((r) => r.vendorMessageId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^\d+$/);
    expect(out.results[0]?.vendorCode).toBe('80000000');
    expect(sim.accepted).toEqual(tokens(3));
    expect(sim.sendRequests).toBe(1);
    expect(sim.lastSendBody?.message.android).toMatchObject({ bi_tag: 'cb-ref-1', urgency: 'HIGH', category: 'IM' });
    expect(sim.lastSendBody?.message.data).toBe('{"chat":"7"}');
  });

  it.each(['illegal_tokens', 'illegalTokens'] as const)(
    'on partial success (80100000, msg form %s) marks the listed tokens invalid and the rest sent',
    async (partialForm) => {
      await setup({ partialForm });
      sim.invalidTokens.add(tok(1));
      sim.invalidTokens.add(tok(3));
      const out = await provider.send(batch(tokens(4)));
      expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'invalid_token', 'sent', 'invalid_token']);
      expect(out.results.every((r) => r.vendorCode === '80100000')).toBe(true);
      expect(sim.accepted).toEqual([tok(0), tok(2)]);
    },
  );

  it('on a partial success whose msg lists no tokens keeps every target sent rather than resending', async () => {
    await setup();
    sim.answerNext({ status: 200, body: { code: '80100000', msg: 'not json', requestId: 'r1' } });
    const out = await provider.send(batch(tokens(2)));
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
  });

  it('when every token is invalid (80300007) marks all of them invalid_token', async () => {
    await setup();
    for (const t of tokens(2)) sim.invalidTokens.add(t);
    const out = await provider.send(batch(tokens(2)));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['invalid_token', '80300007'],
      ['invalid_token', '80300007'],
    ]);
  });

  it('reuses one access token for later sends and shares one token request between concurrent sends', async () => {
    await setup();
    await Promise.all([provider.send(batch(tokens(1))), provider.send(batch(tokens(1, 1))), provider.send(batch(tokens(1, 2)))]);
    await provider.send(batch(tokens(1, 3)));
    expect(sim.tokenRequests).toBe(1);
    expect(sim.sendRequests).toBe(4);
  });

  it('fetches a new access token about five minutes before the old one expires (injected clock)', async () => {
    let clock = 1_700_000_000_000;
    await setup({ now: () => clock, tokenTtlSeconds: 3600 }, {}, () => clock);
    await provider.send(batch(tokens(1)));
    clock += (3600 - 6 * 60) * 1000; // 6 min before expiry: still cached
    await provider.send(batch(tokens(1)));
    expect(sim.tokenRequests).toBe(1);
    clock += 2 * 60 * 1000; // 4 min before expiry: refreshed before it runs out
    const out = await provider.send(batch(tokens(1)));
    expect(sim.tokenRequests).toBe(2);
    expect(out.results[0]?.outcome).toBe('sent');
    clock += 2 * 60 * 1000; // the first token has now expired at the vendor; the new one is used
    expect((await provider.send(batch(tokens(1)))).results[0]?.outcome).toBe('sent');
    expect(sim.tokenRequests).toBe(2);
  });

  it('answers auth_error on an expired access token (80200003) and succeeds after refreshCredentials()', async () => {
    await setup();
    await provider.send(batch(tokens(1)));
    sim.expireAccessTokens();
    const failed = await provider.send(batch(tokens(2)));
    expect(failed.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['auth_error', '80200003'],
      ['auth_error', '80200003'],
    ]);
    expect(sim.tokenRequests).toBe(1); // the adapter itself does not loop on auth errors
    await provider.refreshCredentials();
    const ok = await provider.send(batch(tokens(2)));
    expect(ok.results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    expect(sim.tokenRequests).toBe(2);
  });

  it('answers auth_error on an access token the vendor does not know (80200001)', async () => {
    await setup();
    await provider.send(batch(tokens(1)));
    sim.revokeAccessTokens();
    const out = await provider.send(batch(tokens(1)));
    expect(out.results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '80200001' });
  });

  it('answers auth_error when the app id in the path is not the token’s app (80200001)', async () => {
    await setup({ appId: '100000001' }, { appId: '100000002', clientId: '100000001' });
    const out = await provider.send(batch(tokens(1)));
    expect(out.results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '80200001' });
    expect(sim.accepted).toEqual([]);
  });

  it('answers auth_error for every target when the token endpoint refuses the client secret (1101)', async () => {
    await setup({}, { clientSecret: 'wrong' });
    const out = await provider.send(batch(tokens(2)));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['auth_error', '1101'],
      ['auth_error', '1101'],
    ]);
    expect(out.results[0]?.vendorMessage).toContain('20002');
    expect(out.results[0]?.vendorMessage).not.toContain('wrong');
    expect(sim.sendRequests).toBe(0);
  });

  it('answers rate_limited when the token endpoint is flow-controlled (503), then recovers', async () => {
    await setup();
    sim.throttleTokenEndpoint(1);
    const out = await provider.send(batch(tokens(2)));
    expect(out.results.map((r) => r.outcome)).toEqual(['rate_limited', 'rate_limited']);
    expect(sim.sendRequests).toBe(0);
    expect((await provider.send(batch(tokens(2)))).results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
  });

  it('answers rate_limited with retryAfterMs when the send API is flow-controlled (HTTP 503 + Retry-After)', async () => {
    await setup();
    sim.throttle(2, 7);
    const out = await provider.send(batch(tokens(2)));
    expect(out.results.map((r) => [r.outcome, r.retryAfterMs])).toEqual([
      ['rate_limited', 7000],
      ['rate_limited', 7000],
    ]);
    sim.throttle(1);
    const plain = (await provider.send(batch(tokens(1)))).results[0];
    expect(plain?.outcome).toBe('rate_limited');
    expect(plain).not.toHaveProperty('retryAfterMs');
    expect(sim.accepted).toEqual([]);
  });

  it('answers retry on an internal error (HTTP 500, 81000001)', async () => {
    await setup();
    sim.fail(1);
    const out = await provider.send(batch(tokens(2)));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['retry', '81000001'],
      ['retry', '81000001'],
    ]);
    expect((await provider.send(batch(tokens(1)))).results[0]?.outcome).toBe('sent');
  });

  it.each([
    [200, '80200003', 'auth_error'],
    [403, '80300002', 'auth_error'],
    [400, '80100001', 'rejected'],
    [400, '80100003', 'rejected'],
    [400, '80100004', 'rejected'],
    [400, '80100013', 'rejected'],
    [400, '80100016', 'rejected'],
    [400, '80100018', 'rejected'],
    [400, '80300008', 'rejected'],
    [400, '80300010', 'rejected'],
    [400, '80300011', 'rejected'],
    [200, '80100017', 'rate_limited'],
    [500, '80600003', 'retry'],
    [200, '89999999', 'retry'],
  ])('maps an HTTP %i answer with code %s to %s', async (status, code, outcome) => {
    await setup();
    sim.answerNext({ status, body: { code, msg: 'canned', requestId: 'r' } });
    const out = await provider.send(batch(tokens(2)));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      [outcome, code],
      [outcome, code],
    ]);
  });

  it('maps a codeless 502 from a proxy to retry', async () => {
    await setup();
    sim.answerNext({ status: 502, body: 'Bad Gateway' });
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome: 'retry', vendorCode: 'http_502' });
  });

  it('answers rejected (80300008) when the message body without tokens exceeds 4096 bytes', async () => {
    await setup();
    const big = message({ notification: { title: 'T', body: '长'.repeat(1400) } }); // 4200 bytes of UTF-8
    const out = await provider.send(batch(tokens(2), big));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['rejected', '80300008'],
      ['rejected', '80300008'],
    ]);
    expect(sim.accepted).toEqual([]);
  });

  it('sends a full batch of 1000 long tokens although the whole body is far over 4096 bytes', async () => {
    await setup();
    const long = Array.from({ length: 1000 }, (_, i) => `${'A'.repeat(140)}${String(i).padStart(4, '0')}`);
    const out = await provider.send(batch(long));
    expect(out.results.every((r) => r.outcome === 'sent')).toBe(true);
    expect(sim.accepted.length).toBe(1000);
    // The dispatcher never sends more than limits.maxTargetsPerRequest (1000): one request carries them all.
    expect(sim.sendRequests).toBe(1);
  });

  it('answers retry for every target when the vendor cannot be reached', async () => {
    await setup();
    await sim.close();
    const out = await provider.send(batch(tokens(2)));
    expect(out.results.map((r) => r.outcome)).toEqual(['retry', 'retry']);
    expect(out.results[0]?.vendorMessage).toMatch(/^token request failed|^transport/);
  });

  it('delivers 100,000 tokens in 100 concurrent batches, each recorded by the simulator', async () => {
    await setup();
    const sends = Array.from({ length: 100 }, (_, b) => provider.send(batch(tokens(1000, b * 1000))));
    const outs = await Promise.all(sends);
    expect(outs.every((o) => o.results.length === 1000 && o.results.every((r) => r.outcome === 'sent'))).toBe(true);
    expect(sim.accepted.length).toBe(100_000);
    expect(sim.tokenRequests).toBe(1);
  });

  it('sends a data-only message that the simulator accepts, with no notification on the wire', async () => {
    await setup();
    const out = await provider.send(batch(tokens(1), message({ notification: undefined, data: { k: 'v' } })));
    expect(out.results[0]?.outcome).toBe('sent');
    expect(sim.lastSendBody?.message.android?.notification).toBeUndefined();
    expect(sim.lastSendBody?.message.data).toBe('{"k":"v"}');
  });
});
