/**
 * The FCM adapter against its simulator over real TLS HTTP/2 (and the real OAuth exchange): credentials and
 * the persistent HTTP/2 session. The vendor's answers → outcomes are in fcm.outcomes.test.ts, the simulator's
 * own checks in fcm.simulator.test.ts; the shared setup is fcm.test-helpers.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { ProviderDeps } from '../types.js';
import type { FcmConfig } from './fcm.config.js';
import { FcmProvider } from './fcm.provider.js';
import { buildFcmMessage, buildFcmSendRequest } from './fcm.request.js';
import { FcmSimulator } from './simulator.js';
import { batch, closedPort, configFor, depsWith, message, targets, tokensOf, until } from './fcm.test-helpers.js';

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
