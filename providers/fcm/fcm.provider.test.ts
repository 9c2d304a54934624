/**
 * The FCM adapter against its simulator over real TLS HTTP/2 (and the real OAuth exchange):
 * one test per vendor behaviour of docs/vendors/fcm.md#error-codes-and-outcomes and the transport rules.
 */
import { generateKeyPairSync } from 'node:crypto';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import pino from 'pino';
import type { DeliveryTarget, OutgoingMessage, ProviderDeps, SendBatch } from '../types.js';
import { fcmConfigSchema, type FcmConfig } from './fcm.config.js';
import { FcmProvider } from './fcm.provider.js';
import { buildFcmMessage, buildFcmSendRequest, fcmOverridesSchema, type FcmDeviceExtras, type FcmOverrides } from './fcm.request.js';
import { fcmProvider } from './index.js';
import { FcmSimulator } from './simulator.js';

const silent = pino({ level: 'silent' });

function depsWith(now: () => number = () => Date.now()): ProviderDeps & { observed: (string | undefined)[] } {
  const observed: (string | undefined)[] = [];
  return { now, random: Math.random, logger: silent, observeRequest: (_s, reason) => observed.push(reason), observed };
}

function message(over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    notification: { title: 'Hello', body: 'World' },
    data: { orderId: '42' },
    options: { priority: 'high', ttlSeconds: 3600, collapseKey: 'order-42' },
    createdAt: 1_700_000_000_000,
    ...over,
  };
}

type Target = DeliveryTarget<FcmDeviceExtras>;

function targets(tokens: string[], extra: Partial<Target> = {}): Target[] {
  return tokens.map((token, i) => ({ deliveryId: `d${i}`, token, registered: true, ...extra }));
}

function batch(tokens: string[] | Target[], msg: OutgoingMessage = message(), overrides?: FcmOverrides): SendBatch<FcmOverrides, FcmDeviceExtras> {
  const ts = typeof tokens[0] === 'string' ? targets(tokens as string[]) : (tokens as Target[]);
  return { message: msg, overrides, targets: ts, callbackRef: msg.id };
}

const tokensOf = (n: number, prefix = 'tok') => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(6, '0')}`);

/** Await a condition without sleeping a fixed time. */
async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!cond()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function configFor(sim: FcmSimulator, extra: Record<string, unknown> = {}): FcmConfig {
  return fcmConfigSchema.parse({
    credential: { serviceAccountFile: sim.serviceAccountFile() },
    endpoint: sim.url,
    oauthEndpoint: sim.oauthEndpoint,
    ca: sim.caPem,
    ...extra,
  });
}

let sim: FcmSimulator;
let provider: FcmProvider | undefined;
const open = (config: FcmConfig, deps: ProviderDeps = depsWith()) => (provider = new FcmProvider(config, deps));

beforeEach(async () => {
  sim = await FcmSimulator.start({ recordRequests: true });
});
afterEach(async () => {
  await provider?.close();
  provider = undefined;
  await sim.close();
});

describe('credentials through firebase-admin and the OAuth exchange', () => {
  test('signs a JWT assertion with the service account, exchanges it at the simulated Google OAuth endpoint and sends with that bearer token', async () => {
    const p = open(configFor(sim));
    const out = await p.send(batch(['tok-a', 'tok-b']));
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    expect(sim.tokenRequests).toBe(1);
    const auth = sim.requests.map((r) => r.headers.authorization);
    expect(auth[0]).toMatch(/^Bearer ya29\.sim-/);
    expect(new Set(auth).size).toBe(1);
  });

  test('takes the project id from the service account when projectId is not configured', async () => {
    const p = open(configFor(sim));
    expect(p.projectId).toBe('pushgate-sim');
    await p.send(batch(['tok-a']));
    expect(sim.requests[0]?.path).toBe('/v1/projects/pushgate-sim/messages:send');
  });

  test('reuses the cached access token, and asks firebase-admin again once it nears expiry', async () => {
    await sim.close();
    // Tokens shorter-lived than google-auth's 5-minute margin make every getAccessToken() an exchange,
    // so the exchange count shows exactly when the adapter's own cache let a request through.
    sim = await FcmSimulator.start({ tokenLifetimeSeconds: 240 });
    let now = 1_000_000;
    const p = open(configFor(sim), depsWith(() => now));
    await p.send(batch(['tok-a']));
    await p.send(batch(['tok-b']));
    expect(sim.tokenRequests).toBe(1);
    now += 121_000; // past the lifetime minus min(5 min, half the lifetime)
    const out = await p.send(batch(['tok-c']));
    expect(out.results[0]?.outcome).toBe('sent');
    expect(sim.tokenRequests).toBe(2);
  });

  test('a 401 is answered auth_error; after refreshCredentials() a resend exchanges a new token and succeeds', async () => {
    const p = open(configFor(sim));
    expect((await p.send(batch(['tok-a']))).results[0]?.outcome).toBe('sent');
    sim.revokeAccessTokens();

    const denied = await p.send(batch(['tok-a', 'tok-b']));
    expect(denied.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['auth_error', 'UNAUTHENTICATED'],
      ['auth_error', 'UNAUTHENTICATED'],
    ]);
    expect(sim.tokenRequests).toBe(1); // the adapter does not loop on auth errors

    await p.refreshCredentials();
    const again = await p.send(batch(['tok-a', 'tok-b']));
    expect(again.results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    expect(sim.tokenRequests).toBe(2);
  });

  test('an assertion signed with a key the service account does not have is refused (invalid_grant) and answered auth_error', async () => {
    const sa = sim.serviceAccount;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const forged = sim.serviceAccountFile({ ...sa, private_key: privateKey, private_key_id: 'forged' });
    const p = open(configFor(sim, { credential: { serviceAccountFile: forged } }));
    const out = await p.send(batch(['tok-a', 'tok-b']));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['auth_error', 'oauth_invalid_grant'],
      ['auth_error', 'oauth_invalid_grant'],
    ]);
    expect(out.results[0]?.vendorMessage).toMatch(/Invalid JWT Signature/);
    expect(sim.sendRequests).toBe(0);
  });

  test('an unreachable OAuth endpoint is answered retry for every target', async () => {
    const p = open(configFor(sim, { oauthEndpoint: `127.0.0.1:${await closedPort()}` }));
    const out = await p.send(batch(['tok-a', 'tok-b']));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['retry', 'oauth_econnrefused'],
      ['retry', 'oauth_econnrefused'],
    ]);
    expect(sim.sendRequests).toBe(0);
  });

  test('application default credentials (GOOGLE_APPLICATION_CREDENTIALS) go through the same exchange', async () => {
    const before = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    process.env.GOOGLE_APPLICATION_CREDENTIALS = sim.serviceAccountFile();
    try {
      const p = open(configFor(sim, { credential: { applicationDefault: true }, projectId: sim.projectId }));
      const out = await p.send(batch(['tok-a']));
      expect(out.results[0]?.outcome).toBe('sent');
      expect(sim.tokenRequests).toBe(1);
    } finally {
      if (before === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      else process.env.GOOGLE_APPLICATION_CREDENTIALS = before;
    }
  });
});

describe('the FCM v1 request over one persistent HTTP/2 session', () => {
  test('sends one stream per token over one TLS HTTP/2 session with :scheme https and the exact v1 body', async () => {
    const msg = message();
    // Sent 100 s after the message was accepted: android.ttl is the 3500 s left of its 3600.
    const now = msg.createdAt + 100_000;
    const p = open(configFor(sim), depsWith(() => now));
    const out = await p.send(batch(['tok-a', 'tok-b', 'tok-c'], msg));
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'sent', 'sent']);
    expect(out.results[0]?.vendorMessageId).toMatch(/^projects\/pushgate-sim\/messages\/0:/);
    expect(sim.accepted).toEqual(['tok-a', 'tok-b', 'tok-c']);
    expect(sim.sessionsOpened).toBe(1);
    const first = sim.requests[0];
    expect(first?.httpVersion).toBe('2.0');
    expect(first?.headers[':scheme']).toBe('https');
    expect(first?.headers[':method']).toBe('POST');
    expect(first?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first?.body).toEqual(buildFcmSendRequest(buildFcmMessage(msg, 'android', { channels: {} }, now), 'tok-a'));
    expect(first?.body).toMatchObject({ message: { token: 'tok-a', data: { orderId: '42' }, android: { priority: 'HIGH', ttl: '3500s', collapse_key: 'order-42' } } });

    await p.send(batch(['tok-d']));
    expect(sim.sessionsOpened).toBe(1); // persistent
  });

  test('an iOS FCM token (apns in its extras) gets the apns block; an Android token does not', async () => {
    const p = open(configFor(sim));
    const ts = [...targets(['android-tok']), { deliveryId: 'ios', token: 'ios-tok', registered: true, extras: { apns: { environment: 'production' as const, topic: 'com.example.app' } } }];
    const out = await p.send(batch(ts));
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    const byToken = new Map(sim.requests.map((r) => [(r.body as { message: { token: string } }).message.token, (r.body as { message: Record<string, unknown> }).message]));
    expect(byToken.get('android-tok')?.apns).toBeUndefined();
    expect(byToken.get('ios-tok')?.apns).toEqual({
      headers: { 'apns-priority': '10', 'apns-push-type': 'alert', 'apns-expiration': String(1_700_000_000 + 3600), 'apns-collapse-id': 'order-42', 'apns-topic': 'com.example.app' },
      payload: { aps: {} },
    });
  });

  test('the server’s maxConcurrentStreams caps the streams in flight and the rest queue: 1000 tokens against a limit of 10 all go through', async () => {
    await sim.close();
    sim = await FcmSimulator.start({ maxConcurrentStreams: 10 });
    sim.delayMs = 1;
    const p = open(configFor(sim));
    const tokens = tokensOf(1000);
    const out = await p.send(batch(tokens));
    expect(out.results.filter((r) => r.outcome === 'sent')).toHaveLength(1000);
    expect(sim.peakConcurrentSends).toBeLessThanOrEqual(10);
    expect(sim.peakConcurrentSends).toBeGreaterThan(1);
    expect(sim.sessionsOpened).toBe(1);
  });

  test('10,000 tokens in 20 batches of 500, four batches at a time, are all accepted over one session', async () => {
    await sim.close();
    sim = await FcmSimulator.start();
    const p = open(configFor(sim));
    const tokens = tokensOf(10_000);
    const batches = Array.from({ length: 20 }, (_, i) => tokens.slice(i * 500, (i + 1) * 500));
    let sent = 0;
    for (let i = 0; i < batches.length; i += 4) {
      const outs = await Promise.all(batches.slice(i, i + 4).map((b) => p.send(batch(b))));
      for (const o of outs) sent += o.results.filter((r) => r.outcome === 'sent').length;
    }
    expect(sent).toBe(10_000);
    expect(sim.accepted).toHaveLength(10_000);
    expect(new Set(sim.accepted).size).toBe(10_000);
    expect(sim.sessionsOpened).toBe(1);
    expect(sim.tokenRequests).toBe(1);
  });

  test('after a GOAWAY the next batch goes out on a new session', async () => {
    const p = open(configFor(sim));
    expect((await p.send(batch(['tok-a']))).results[0]?.outcome).toBe('sent');
    sim.goAway();
    await until(() => !p.session.connected); // the client has read the GOAWAY
    const out = await p.send(batch(['tok-b', 'tok-c']));
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    expect(sim.sessionsOpened).toBe(2);
  });

  test('a GOAWAY in the middle of a batch: the streams in flight finish and the queued ones go out on a new session', async () => {
    await sim.close();
    sim = await FcmSimulator.start({ maxConcurrentStreams: 5 });
    sim.delayMs = 20;
    const p = open(configFor(sim));
    const pending = p.send(batch(tokensOf(50)));
    await until(() => sim.sendRequests >= 5);
    sim.goAway();
    const out = await pending;
    expect(out.results.filter((r) => r.outcome === 'sent')).toHaveLength(50);
    expect(sim.sessionsOpened).toBe(2);
    expect(new Set(sim.accepted).size).toBe(50);
  });

  test('streams reset without a status (REFUSED_STREAM) are answered retry; the others are sent', async () => {
    const p = open(configFor(sim, { maxConcurrentStreams: 1 }));
    sim.resetStreams(2);
    const out = await p.send(batch(['tok-a', 'tok-b', 'tok-c']));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['retry', 'refused_stream'],
      ['retry', 'refused_stream'],
      ['sent', undefined],
    ]);
  });

  test('a connection dropped with streams in flight answers them retry, and the next send reconnects', async () => {
    const p = open(configFor(sim));
    sim.delayMs = 30_000;
    const pending = p.send(batch(['tok-a', 'tok-b']));
    await until(() => sim.sendRequests === 2);
    sim.dropConnections();
    const out = await pending;
    expect(out.results.map((r) => r.outcome)).toEqual(['retry', 'retry']);
    sim.delayMs = 0;
    expect((await p.send(batch(['tok-c']))).results[0]?.outcome).toBe('sent');
    expect(sim.sessionsOpened).toBe(2);
  });

  test('a stream without an answer within timeoutMs is answered retry (timeout)', async () => {
    const p = open(configFor(sim, { timeoutMs: 100 }));
    sim.delayMs = 1000;
    const out = await p.send(batch(['tok-a']));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([['retry', 'timeout']]);
  });

  test('a closed simulator (connection refused) is answered retry for every target', async () => {
    const p = open(configFor(sim));
    expect((await p.send(batch(['tok-a']))).results[0]?.outcome).toBe('sent'); // the access token is cached
    await sim.close();
    const out = await p.send(batch(['tok-a', 'tok-b']));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['retry', 'econnrefused'],
      ['retry', 'econnrefused'],
    ]);
    sim = await FcmSimulator.start(); // for afterEach
  });

  test('every stream is reported to observeRequest with its error reason', async () => {
    const deps = depsWith();
    const p = open(configFor(sim), deps);
    sim.invalidTokens.add('dead');
    await p.send(batch(['ok', 'dead']));
    expect(deps.observed.sort()).toEqual(['http_404', undefined].sort());
  });
});

describe('FCM answers → outcomes (docs/vendors/fcm.md#error-codes-and-outcomes)', () => {
  test('UNREGISTERED (404) is invalid_token', async () => {
    sim.invalidTokens.add('dead');
    const out = await open(configFor(sim)).send(batch(['alive', 'dead']));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['sent', undefined],
      ['invalid_token', 'UNREGISTERED'],
    ]);
  });

  test('SENDER_ID_MISMATCH for some tokens is invalid_token for those', async () => {
    sim.mismatchTokens.add('foreign');
    const out = await open(configFor(sim)).send(batch(['mine', 'foreign']));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['sent', undefined],
      ['invalid_token', 'SENDER_ID_MISMATCH'],
    ]);
  });

  test('SENDER_ID_MISMATCH for every token of the batch is auth_error (wrong credentials, nothing pruned)', async () => {
    for (const t of ['a', 'b', 'c']) sim.mismatchTokens.add(t);
    const out = await open(configFor(sim)).send(batch(['a', 'b', 'c']));
    expect(out.results.map((r) => r.outcome)).toEqual(['auth_error', 'auth_error', 'auth_error']);
    expect(out.results.every((r) => r.vendorCode === 'SENDER_ID_MISMATCH')).toBe(true);
  });

  test('INVALID_ARGUMENT for a token whose payload was accepted for another token is invalid_token', async () => {
    sim.malformedTokens.add('garbled');
    const out = await open(configFor(sim)).send(batch(['fine', 'garbled']));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['sent', undefined],
      ['invalid_token', 'INVALID_ARGUMENT'],
    ]);
  });

  test('INVALID_ARGUMENT when no token got the payload through is rejected (a payload problem; nothing pruned)', async () => {
    const out = await open(configFor(sim)).send(batch(['a', 'b'], message({ data: { from: 'reserved key' } })));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['rejected', 'INVALID_ARGUMENT'],
      ['rejected', 'INVALID_ARGUMENT'],
    ]);
    expect(out.results[0]?.vendorMessage).toMatch(/Invalid data payload key: from/);
  });

  test('INVALID_ARGUMENT on an iOS token does not count the Android payload as proof', async () => {
    sim.malformedTokens.add('ios-garbled');
    const ts = [...targets(['android-ok']), { deliveryId: 'ios', token: 'ios-garbled', registered: true, extras: { apns: { environment: 'production' as const } } }];
    const out = await open(configFor(sim)).send(batch(ts));
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'rejected']);
  });

  test('QUOTA_EXCEEDED (429) is rate_limited with the Retry-After when longer than 60 s', async () => {
    sim.throttle(2, 120);
    const out = await open(configFor(sim)).send(batch(['a', 'b', 'c'], message()));
    const limited = out.results.filter((r) => r.outcome === 'rate_limited');
    expect(limited).toHaveLength(2);
    expect(limited.every((r) => r.vendorCode === 'QUOTA_EXCEEDED' && r.retryAfterMs === 120_000)).toBe(true);
    expect(out.results.filter((r) => r.outcome === 'sent')).toHaveLength(1);
  });

  test('QUOTA_EXCEEDED with a short or no Retry-After backs off at least 60 s (FCM: minimum initial delay of 1 minute)', async () => {
    const p = open(configFor(sim));
    sim.throttle(1, 5);
    expect((await p.send(batch(['a']))).results[0]).toMatchObject({ outcome: 'rate_limited', retryAfterMs: 60_000 });
    sim.throttle(1);
    expect((await p.send(batch(['a']))).results[0]).toMatchObject({ outcome: 'rate_limited', retryAfterMs: 60_000 });
  });

  test('quotaExhausted answers QUOTA_EXCEEDED until cleared: rate_limited, then sent', async () => {
    const p = open(configFor(sim));
    sim.quotaExhausted = true;
    expect((await p.send(batch(['a']))).results[0]?.outcome).toBe('rate_limited');
    sim.quotaExhausted = false;
    expect((await p.send(batch(['a']))).results[0]?.outcome).toBe('sent');
  });

  test('UNAVAILABLE (503) is retry with the Retry-After', async () => {
    sim.fail(1, 'UNAVAILABLE', 7);
    const out = await open(configFor(sim)).send(batch(['a']));
    expect(out.results[0]).toMatchObject({ outcome: 'retry', vendorCode: 'UNAVAILABLE', retryAfterMs: 7000 });
  });

  test('INTERNAL (500) is retry', async () => {
    sim.fail(1, 'INTERNAL');
    const out = await open(configFor(sim)).send(batch(['a']));
    expect(out.results[0]).toMatchObject({ outcome: 'retry', vendorCode: 'INTERNAL' });
    expect(out.results[0]?.retryAfterMs).toBeUndefined();
  });

  test('THIRD_PARTY_AUTH_ERROR (APNs credentials missing in the Firebase project) is auth_error', async () => {
    sim.thirdPartyAuthErrorTokens.add('ios-tok');
    const out = await open(configFor(sim)).send(batch(['ios-tok']));
    expect(out.results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: 'THIRD_PARTY_AUTH_ERROR' });
  });

  test('PERMISSION_DENIED (403) for a project the credentials may not send to is auth_error', async () => {
    const out = await open(configFor(sim, { projectId: 'someone-elses-project' })).send(batch(['a', 'b']));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['auth_error', 'PERMISSION_DENIED'],
      ['auth_error', 'PERMISSION_DENIED'],
    ]);
  });

  test('overrides.fcm are merged into the message on the wire', async () => {
    const overrides = fcmOverridesSchema.parse({ android: { direct_boot_ok: true, notification: { tag: 't1' } } });
    await open(configFor(sim)).send(batch(['a'], message({ options: { priority: 'high' } }), overrides));
    expect(sim.requests[0]?.body).toMatchObject({ message: { android: { priority: 'HIGH', direct_boot_ok: true, notification: { tag: 't1' } } } });
  });
});

describe('the simulator speaks FCM and Google OAuth', () => {
  async function rawSend(headers: Record<string, string>, body: unknown, project = sim.projectId): Promise<{ status: number; body: { error?: { status: string; message: string; details?: unknown[] } } }> {
    const session = http2.connect(sim.url, { ca: sim.caPem });
    try {
      return await new Promise((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': `/v1/projects/${project}/messages:send`, 'content-type': 'application/json', ...headers });
        let status = 0;
        let text = '';
        req.on('response', (h) => (status = Number(h[':status'])));
        req.on('data', (c: Buffer) => (text += c.toString()));
        req.on('end', () => resolve({ status, body: JSON.parse(text) as never }));
        req.on('error', reject);
        req.end(JSON.stringify(body));
      });
    } finally {
      session.close();
    }
  }

  const valid = { message: { token: 'tok', data: { a: 'b' }, android: { priority: 'HIGH', ttl: '60s' } } };

  test('a missing, unknown or revoked bearer token is answered 401 UNAUTHENTICATED', async () => {
    expect((await rawSend({}, valid)).status).toBe(401);
    const unknown = await rawSend({ authorization: 'Bearer ya29.not-issued' }, valid);
    expect(unknown.status).toBe(401);
    expect(unknown.body.error?.status).toBe('UNAUTHENTICATED');
    const token = sim.issueAccessToken();
    expect((await rawSend({ authorization: `Bearer ${token}` }, valid)).status).toBe(200);
    sim.revokeAccessTokens();
    expect((await rawSend({ authorization: `Bearer ${token}` }, valid)).status).toBe(401);
  });

  test('an expired access token is answered 401, a token without an FCM scope 403', async () => {
    await sim.close();
    let now = Date.now();
    sim = await FcmSimulator.start({ now: () => now });
    const token = sim.issueAccessToken();
    now += 3600_000;
    expect((await rawSend({ authorization: `Bearer ${token}` }, valid)).status).toBe(401);
    const noScope = sim.issueAccessToken(['https://www.googleapis.com/auth/userinfo.email']);
    const r = await rawSend({ authorization: `Bearer ${noScope}` }, valid);
    expect([r.status, r.body.error?.status]).toEqual([403, 'PERMISSION_DENIED']);
  });

  test('body shape errors are answered 400 INVALID_ARGUMENT with a field violation', async () => {
    const auth = { authorization: `Bearer ${sim.issueAccessToken()}` };
    const bad = [
      { message: { data: { a: 'b' } } }, // no target
      { message: { token: 'tok', data: { n: 1 } } }, // non-string data
      { message: { token: 'tok', android: { ttl: '60' } } }, // ttl not a Duration
      { message: { token: 'tok', android: { priority: 'URGENT' } } },
      { message: { token: 'tok', apns: { headers: { 'apns-priority': 10 } } } },
      { message: { token: 'tok', tokn: 'x' } }, // unknown field
      { message: { token: 'tok', data: { big: 'x'.repeat(5000) } } }, // > 4096 bytes
    ];
    for (const body of bad) {
      const r = await rawSend(auth, body);
      expect([r.status, r.body.error?.status]).toEqual([400, 'INVALID_ARGUMENT']);
      expect(JSON.stringify(r.body.error?.details)).toContain('google.rpc.BadRequest');
    }
    expect(sim.accepted).toEqual([]);
  });

  test('an OAuth assertion with a bad signature is answered 400 invalid_grant, like Google', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = Buffer.from(
      JSON.stringify({ iss: sim.serviceAccount.client_email, scope: 'https://www.googleapis.com/auth/firebase.messaging', aud: 'https://oauth2.googleapis.com/token', iat: now, exp: now + 3600 }),
    ).toString('base64url');
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: `${header}.${claims}.${Buffer.from('nope').toString('base64url')}` }).toString();
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.request(`${sim.url}/token`, { method: 'POST', ca: sim.caPem, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(form);
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
  });

  test('the playground config reaches its simulator with the real OAuth exchange', async () => {
    const pg = await fcmProvider.playground?.();
    if (!pg) throw new Error('no playground');
    const pgSim = pg.simulator as FcmSimulator;
    try {
      provider = new FcmProvider(pg.config, depsWith());
      const out = await provider.send(batch(['tok-a']));
      expect(out.results[0]?.outcome).toBe('sent');
      expect(pgSim.tokenRequests).toBe(1);
      expect(pgSim.accepted).toEqual(['tok-a']);
    } finally {
      await provider?.close();
      provider = undefined;
      await pgSim.close();
    }
  });
});
