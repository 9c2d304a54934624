/**
 * One test per HarmonyOS behaviour: the real adapter against the real simulator over HTTP.
 */
import pino from 'pino';
import type { DeliveryTarget, OutgoingMessage, ProviderDeps, SendBatch } from '../types.js';
import { harmonyConfigSchema, type HarmonyConfig } from './harmony.config.js';
import { HarmonyProvider } from './harmony.provider.js';
import { harmonyNotifyIdOf, type HarmonyOverrides } from './harmony.request.js';
import { HarmonySimulator, type HarmonySimulatorOptions } from './simulator.js';

const tok = (i: number) => `MAAALgE4G98BAAAA${String(i).padStart(24, '0')}`;
const tokens = (n: number, from = 0) => Array.from({ length: n }, (_, i) => tok(from + i));

function deps(now: () => number = Date.now): ProviderDeps {
  return { now, random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} };
}

function message(over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { id: 'msg_1', notification: { title: 'Hi', body: 'New message' }, data: { chat: '7' }, options: { priority: 'high', category: 'im' }, createdAt: Date.now(), ...over };
}

function batch(toks: string[], msg: OutgoingMessage = message(), overrides?: HarmonyOverrides): SendBatch<HarmonyOverrides> {
  const targets: DeliveryTarget[] = toks.map((token, i) => ({ deliveryId: `d${i}`, token, registered: true }));
  return { message: msg, targets, callbackRef: 'cb-ref-1', ...(overrides ? { overrides } : {}) };
}

let sim: HarmonySimulator;
let provider: HarmonyProvider;

async function setup(simOpts: HarmonySimulatorOptions = {}, cfg: Partial<Record<keyof HarmonyConfig, unknown>> = {}, now?: () => number) {
  sim = await HarmonySimulator.start(simOpts);
  const config = harmonyConfigSchema.parse({ serviceAccount: sim.serviceAccount(), clientId: sim.clientId, endpoint: sim.url, ...cfg });
  provider = new HarmonyProvider(config, deps(now));
}

afterEach(async () => {
  await provider?.close();
  await sim?.close();
});

const outcomes = (out: { results: Array<{ outcome: string }> }) => out.results.map((r) => r.outcome);

describe('HarmonyProvider against the simulator', () => {
  it('sends one request with a verified PS256 JWT and push-type 0, every token sent with the requestId', async () => {
    await setup();
    const out = await provider.send(batch(tokens(3)));
    expect(outcomes(out)).toEqual(['sent', 'sent', 'sent']);
    expect(out.results[0]).toMatchObject({ deliveryId: 'd0', vendorCode: '80000000', vendorMessageId: expect.stringMatching(/^\d+$/) });
    expect(sim.accepted).toEqual(tokens(3));
    expect(sim.lastSend?.pushType).toBe(0);
    expect(sim.lastSend?.body.payload).toMatchObject({ notification: { category: 'IM', clickAction: { actionType: 0, data: { chat: '7' } } } });
    expect(sim.lastSend?.body.pushOptions).toMatchObject({ biTag: 'cb-ref-1' });
  });

  it('sends a data-only message as a background message (push-type 6)', async () => {
    await setup();
    const out = await provider.send(batch(tokens(1), message({ notification: undefined })));
    expect(outcomes(out)).toEqual(['sent']);
    expect(sim.lastSend).toMatchObject({ pushType: 6, body: { payload: { extraData: '{"chat":"7"}' } } });
  });

  it('on 80100000 prunes the tokens listed as tokenFormatError / tokenPlatformNotSupport and keeps the rest sent', async () => {
    await setup();
    sim.invalidTokens.add(tok(1));
    sim.tokenReasons.set(tok(3), 'tokenPlatformNotSupport');
    const out = await provider.send(batch(tokens(4)));
    expect(out.results.map((r) => [r.outcome, r.vendorCode, r.vendorMessage])).toEqual([
      ['sent', '80100000', undefined],
      ['invalid_token', '80100000', 'tokenFormatError'],
      ['sent', '80100000', undefined],
      ['invalid_token', '80100000', 'tokenPlatformNotSupport'],
    ]);
    expect(sim.accepted).toEqual([tok(0), tok(2)]);
  });

  it('on 80300007 prunes every token', async () => {
    await setup();
    for (const t of tokens(2)) sim.invalidTokens.add(t);
    const out = await provider.send(batch(tokens(2)));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['invalid_token', '80300007'],
      ['invalid_token', '80300007'],
    ]);
  });

  it('rejects, never prunes, a token the app may not reach with this push-type, and retries an unknown reason', async () => {
    await setup();
    sim.tokenReasons.set(tok(0), 'noPushTypeRight');
    sim.tokenReasons.set(tok(1), 'someNewReason');
    const out = await provider.send(batch(tokens(3)));
    expect(outcomes(out)).toEqual(['rejected', 'retry', 'sent']);
  });

  it('prunes noRight only once the project id is known right; before that, several noRight tokens are a config error', async () => {
    await setup();
    for (const t of tokens(2)) sim.tokenReasons.set(t, 'noRight');
    expect(outcomes(await provider.send(batch(tokens(2))))).toEqual(['auth_error', 'auth_error']);
    expect(outcomes(await provider.send(batch([tok(0)])))).toEqual(['retry']);
    expect(outcomes(await provider.send(batch([tok(5)])))).toEqual(['sent']);
    expect(outcomes(await provider.send(batch(tokens(2))))).toEqual(['invalid_token', 'invalid_token']);
  });

  it('keeps every target sent on an 80100000 without a readable list, rather than resend', async () => {
    await setup();
    sim.answerNext({ status: 200, body: { code: '80100000', msg: 'not json', requestId: 'r1' } });
    expect(outcomes(await provider.send(batch(tokens(2))))).toEqual(['sent', 'sent']);
  });

  it('retries, never prunes, every target of an 80300007 without a readable list (the reasons may not be the tokens\' fault)', async () => {
    await setup();
    sim.answerNext({ status: 400, body: { code: '80300007', msg: 'all tokens invalid', requestId: 'r2' } });
    expect((await provider.send(batch(tokens(2)))).results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['retry', '80300007'],
      ['retry', '80300007'],
    ]);
  });

  it('answers rate_limited with retryAfterMs on HTTP 503 flow control', async () => {
    await setup();
    sim.throttle(1, 7);
    const out = await provider.send(batch(tokens(2)));
    expect(out.results.map((r) => [r.outcome, r.retryAfterMs])).toEqual([
      ['rate_limited', 7000],
      ['rate_limited', 7000],
    ]);
    expect(sim.accepted).toEqual([]);
    expect(outcomes(await provider.send(batch(tokens(1))))).toEqual(['sent']);
  });

  it('answers retry on an internal error (HTTP 500, 81000001) and on an unknown code', async () => {
    await setup();
    sim.fail(1);
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome: 'retry', vendorCode: '81000001' });
    sim.answerNext({ status: 200, body: { code: '89999999', msg: 'new', requestId: 'r' } });
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome: 'retry', vendorCode: '89999999' });
    sim.answerNext({ status: 502, body: 'Bad Gateway' });
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome: 'retry', vendorCode: 'http_502' });
  });

  it('answers auth_error when the key is no longer valid (80200001), and sends again after refreshCredentials', async () => {
    await setup();
    sim.rotateKey();
    const out = await provider.send(batch(tokens(2)));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['auth_error', '80200001'],
      ['auth_error', '80200001'],
    ]);
    sim.restoreKey();
    await provider.refreshCredentials();
    expect(outcomes(await provider.send(batch(tokens(2))))).toEqual(['sent', 'sent']);
  });

  it('answers auth_error (80200005) on a JWT the vendor sees expired', async () => {
    let simClock = Date.now();
    await setup({ now: () => simClock });
    await provider.send(batch(tokens(1)));
    simClock += 3601_000; // the vendor's clock is past exp; ours is not
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '80200005' });
    expect(sim.jwtsSeen).toHaveLength(1);
  });

  it('signs one JWT for its life and a new one shortly before it expires (injected clock)', async () => {
    let clock = Date.now();
    await setup({ now: () => clock }, {}, () => clock);
    await provider.send(batch(tokens(1)));
    clock += (3600 - 6 * 60) * 1000;
    await provider.send(batch(tokens(1)));
    clock += 2 * 60 * 1000;
    await provider.send(batch(tokens(1)));
    const iats = sim.jwtsSeen.map((j) => j.claims['iat']);
    expect(new Set(iats).size).toBe(2);
    expect(sim.jwtsSeen[2]?.claims).toMatchObject({ exp: (iats[2] as number) + 3600 });
  });

  it('answers auth_error for a wrong projectId (80200001) and sends nothing', async () => {
    await setup({}, { projectId: '999' });
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '80200001' });
    expect(sim.accepted).toEqual([]);
  });

  it.each([
    [400, '80100001', 'rejected'],
    [400, '80100003', 'rejected'],
    [400, '80100004', 'rejected'],
    [400, '80100022', 'rejected'],
    [400, '80300008', 'rejected'],
    [400, '80300010', 'rejected'],
    [400, '80300030', 'rejected'],
    [403, '80300002', 'auth_error'],
    [401, '80300036', 'auth_error'],
    [403, '80300037', 'auth_error'],
    [200, '80300029', 'rate_limited'],
  ])('maps an HTTP %i answer with code %s to %s', async (status, code, outcome) => {
    await setup();
    sim.answerNext({ status, body: { code, msg: 'canned', requestId: 'r' } });
    expect((await provider.send(batch(tokens(1)))).results[0]).toMatchObject({ outcome, vendorCode: code });
  });

  it('is refused with 80300008 (rejected) when the body without tokens is over 4096 bytes', async () => {
    await setup();
    const out = await provider.send(batch(tokens(1), message({ notification: { title: 'T', body: '长'.repeat(1400) } })));
    expect(out.results[0]).toMatchObject({ outcome: 'rejected', vendorCode: '80300008' });
  });

  it('sends a test message in requests of at most 10 tokens (a limit the dispatcher cannot know: it is an override)', async () => {
    await setup();
    const out = await provider.send(batch(tokens(25), message(), { testMessage: true }));
    expect(new Set(outcomes(out))).toEqual(new Set(['sent']));
    expect(sim.sendRequests).toBe(3);
    expect(sim.lastSend?.body.pushOptions).toMatchObject({ testMessage: true });
  });

  it('puts its own overrides slice on the wire', async () => {
    await setup();
    await provider.send(batch(tokens(1), message(), { notifyId: 77, foregroundShow: false }));
    expect(sim.lastSend?.body.payload.notification).toMatchObject({ notifyId: 77, foregroundShow: false });
  });

  it('signs one JWT for concurrent first sends, and a new one after refreshCredentials', async () => {
    await setup();
    await Promise.all([provider.send(batch([tok(0)])), provider.send(batch([tok(1)])), provider.send(batch([tok(2)]))]);
    await provider.refreshCredentials();
    await provider.send(batch([tok(3)]));
    expect(sim.jwtsSeen).toHaveLength(4);
    // PSS signatures are randomised: two distinct JWTs means two signings.
    expect(new Set(sim.jwtsSeen.map((j) => j.jwt)).size).toBe(2);
  });

  it('answers auth_error while the console has revoked the key, and recovers with a newly signed JWT', async () => {
    await setup();
    await provider.send(batch([tok(0)]));
    sim.rejectCredentials = true;
    expect((await provider.send(batch([tok(1)]))).results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '80200001' });
    sim.rejectCredentials = false;
    // The JWT signed before the revocation stays refused: only refreshCredentials (a new JWT) gets through.
    expect((await provider.send(batch([tok(1)]))).results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '80200001' });
    await provider.refreshCredentials();
    expect(outcomes(await provider.send(batch([tok(1)])))).toEqual(['sent']);
  });

  it('lets the vendor accept the send when the daily quota is gone: the cap shows in receipts (256 for MARKETING, 102 otherwise)', async () => {
    let arrived: (body: unknown) => void = () => {};
    const received = new Promise<unknown>((resolve) => (arrived = resolve));
    const http = await import('node:http');
    const server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        arrived(JSON.parse(raw));
        res.end('{"errno":0}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      await setup({ receipts: { url: `http://127.0.0.1:${port}/r` } });
      sim.receipts.delayMs = 0;
      sim.quotaExhausted = true;
      const out = await provider.send(batch(tokens(1), message({ options: { priority: 'normal', category: 'marketing' } })));
      expect(outcomes(out)).toEqual(['sent']);
      expect(await received).toEqual({ statuses: [expect.objectContaining({ token: tok(0), biTag: 'cb-ref-1', deliveryStatus: expect.objectContaining({ result: 256 }) })] });
      await sim.receipts.close();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('HarmonyProvider.recall', () => {
  it('revokes by the notify id derived at send, one result per token', async () => {
    await setup();
    const msg = message({ id: 'msg_recall' });
    await provider.send(batch(tokens(2), msg));
    const out = await provider.recall({ message: msg, tokens: [...tokens(2), tok(9)] });
    expect(out).toEqual([
      { token: tok(0), outcome: 'recalled' },
      { token: tok(1), outcome: 'recalled' },
      { token: tok(9), outcome: 'not_recallable', reason: 'messageNotFound', vendorCode: '80100000' },
    ]);
    expect(sim.revoked).toEqual(tokens(2).map((token) => ({ notifyId: harmonyNotifyIdOf(msg), token })));
    expect((await provider.recall({ message: msg, tokens: [tok(0)] }))[0]).toMatchObject({ outcome: 'not_recallable', vendorCode: '80300007' });
  });

  it('revokes by the notify id the sender chose in its overrides, handed back with the recall', async () => {
    await setup();
    const msg = message({ id: 'msg_own_id' });
    await provider.send(batch(tokens(1), msg, { notifyId: 4242 }));
    expect(await provider.recall({ message: msg, tokens: tokens(1), overrides: { notifyId: 4242 } })).toEqual([{ token: tok(0), outcome: 'recalled' }]);
    expect(sim.revoked).toEqual([{ notifyId: 4242, token: tok(0) }]);
  });

  it('has nothing to recall for a data-only message, and needs clientId', async () => {
    await setup({}, { clientId: undefined });
    expect(await provider.recall({ message: message({ notification: undefined }), tokens: [tok(0)] })).toEqual([
      { token: tok(0), outcome: 'not_recallable', reason: 'a data-only (background) message has no notification to recall' },
    ]);
    expect((await provider.recall({ message: message(), tokens: [tok(0)] }))[0]).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('clientId') });
    expect(sim.revokeRequests).toBe(0);
  });

  it('reports failed when the revoke request is refused for auth', async () => {
    await setup();
    const msg = message();
    await provider.send(batch(tokens(1), msg));
    sim.rotateKey();
    expect(await provider.recall({ message: msg, tokens: [tok(0)] })).toEqual([{ token: tok(0), outcome: 'failed', reason: expect.any(String), vendorCode: '80200001' }]);
  });
});
