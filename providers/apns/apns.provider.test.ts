/**
 * The APNs adapter against the APNs simulator over real TLS HTTP/2 (pushgate's own session):
 * one test per vendor behaviour. Authentication is in apns.auth.test.ts, sessions and streams in
 * apns.sessions.test.ts; the shared setup is apns.test-helpers.ts.
 */
import type { ProviderDeps, PushProvider } from '../types.js';
import type { ApnsConfig } from './apns.config.js';
import type { ApnsProvider } from './apns.provider.js';
import { apnsIdFor, apnsOverridesSchema } from './apns.request.js';
import { TOPIC, batchOf, device, makeDeps, message, raw, tok , apnsHarness } from './apns.test-helpers.js';
import { apnsProvider } from './index.js';
import type { ApnsSimulator} from './simulator.js';
import { type ApnsSimulatorOptions } from './simulator.js';

let sim: ApnsSimulator;
let provider: ApnsProvider;
const { start, defer } = apnsHarness();

async function setup(opts: ApnsSimulatorOptions = {}, extra: Record<string, unknown> = {}, deps: ProviderDeps = makeDeps()): Promise<ApnsConfig> {
  let config: ApnsConfig;
  ({ sim, provider, config } = await start(opts, extra, deps));
  return config;
}

describe('sending', () => {
  test('a notification goes out over token auth as an alert with priority 10, and the apns-id is reported as the vendor message id', async () => {
    await setup();
    const { results } = await provider.send(batchOf([raw(1)]));
    expect(results).toEqual([{ deliveryId: 'del-1', outcome: 'sent', vendorMessageId: apnsIdFor('del-1') }]);
    const [req] = sim.requests;
    expect(req).toMatchObject({ environment: 'production', token: tok(1), auth: 'token', status: 200 });
    expect(req?.headers).toEqual({
      ':authority': 'api.push.apple.com',
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-topic': TOPIC,
      'apns-id': apnsIdFor('del-1'),
    });
    expect(JSON.parse(req?.body ?? '')).toEqual({ orderId: '42', aps: { alert: { title: 'Hello', body: 'World' } } });
    expect(sim.accepted).toEqual([tok(1)]);
  });

  test('a data-only message goes out as a background push with content-available and priority 5', async () => {
    await setup();
    const { results } = await provider.send(batchOf([raw(1)], message({ notification: undefined, data: { sync: '1' } })));
    expect(results[0]?.outcome).toBe('sent');
    expect(sim.requests[0]?.headers).toMatchObject({ 'apns-push-type': 'background', 'apns-priority': '5' });
    expect(JSON.parse(sim.requests[0]?.body ?? '')).toEqual({ sync: '1', aps: { 'content-available': 1 } });
  });

  test('ttlSeconds, collapseKey and normal priority become apns-expiration (createdAt + ttl), apns-collapse-id and priority 5', async () => {
    const now = 1_900_000_000_000;
    await setup({}, {}, makeDeps(() => now));
    // Sent 100 s after it was accepted: APNs keeps it for the 500 s left, not for a whole ttl from now.
    await provider.send(batchOf([raw(1)], message({ createdAt: now - 100_000 }, { priority: 'normal', ttlSeconds: 600, collapseKey: 'order-42' })));
    expect(sim.requests[0]?.headers).toMatchObject({ 'apns-expiration': '1900000500', 'apns-collapse-id': 'order-42', 'apns-priority': '5' });
  });

  test('a resend of the same delivery carries the same apns-id, another delivery a different one', async () => {
    await setup();
    await provider.send(batchOf([raw(1, 'delivery-A')]));
    await provider.send(batchOf([raw(1, 'delivery-A'), raw(2, 'delivery-B')]));
    const ids = sim.requests.map((r) => r.headers['apns-id']);
    expect(ids[0]).toBe(apnsIdFor('delivery-A'));
    expect(ids.filter((id) => id === apnsIdFor('delivery-A'))).toHaveLength(2);
    expect(ids).toContain(apnsIdFor('delivery-B'));
  });

  test('the parsed overrides.apns are merged: push type, topic and aps keys reach the wire', async () => {
    await setup();
    const overrides = apnsOverridesSchema.parse({ pushType: 'voip', topic: `${TOPIC}.voip`, aps: { 'thread-id': 'chat-7' }, payload: { callId: 'c1' } });
    expect((await provider.send(batchOf([raw(1)], message(), overrides))).results[0]?.outcome).toBe('sent');
    expect(sim.requests[0]?.headers).toMatchObject({ 'apns-push-type': 'voip', 'apns-topic': `${TOPIC}.voip` });
    expect(JSON.parse(sim.requests[0]?.body ?? '')).toMatchObject({ callId: 'c1', aps: { 'thread-id': 'chat-7' } });
    // What the API refuses at accept (400), before any adapter could see it.
    expect(apnsOverridesSchema.safeParse({ priority: 7 }).success).toBe(false);
  });

  test('a device registered with its own topic is sent with that apns-topic', async () => {
    await setup();
    await provider.send(batchOf([device(1, 'production', 'com.example.watch')]));
    expect(sim.requests[0]?.headers['apns-topic']).toBe('com.example.watch');
  });

  test('every request is observed for the provider metrics, with a bounded reason on failure', async () => {
    const deps = makeDeps();
    await setup({}, {}, deps);
    sim.invalidTokens.add(tok(2));
    await provider.send(batchOf([raw(1), raw(2)]));
    expect(deps.observed.map((o) => o.reason).sort()).toEqual(['http_410', undefined]);
  });
});

describe('environments', () => {
  test('a sandbox device goes to the sandbox host, a production device to production, a raw token to the tenant default', async () => {
    await setup({}, { production: false });
    const { results } = await provider.send(batchOf([device(1, 'production'), device(2, 'sandbox'), raw(3)]));
    expect(results.map((r) => r.outcome)).toEqual(['sent', 'sent', 'sent']);
    const envOf = (i: number) => sim.requests.find((r) => r.token === tok(i))?.environment;
    expect([envOf(1), envOf(2), envOf(3)]).toEqual(['production', 'sandbox', 'sandbox']);
    expect(sim.requests.find((r) => r.token === tok(2))?.headers[':authority']).toBe('api.sandbox.push.apple.com');
    expect(sim.sessionsOpened).toBe(2);
  });

  test('BadDeviceToken prunes a device whose environment was registered, and only flags a raw token', async () => {
    await setup();
    // Both tokens were issued by the sandbox but are sent to production.
    sim.tokenEnvironments.set(tok(1), 'sandbox');
    sim.tokenEnvironments.set(tok(2), 'sandbox');
    const { results } = await provider.send(batchOf([device(1, 'production'), raw(2)]));
    expect(results[0]).toMatchObject({ outcome: 'invalid_token', vendorCode: 'BadDeviceToken' });
    expect(results[1]).toMatchObject({ outcome: 'rejected', vendorCode: 'BadDeviceToken' });
    expect(results[1]?.vendorMessage).toMatch(/other APNs environment/);
  });
});

describe('outcomes', () => {
  test('each answer maps to its outcome, one result per target in order', async () => {
    await setup({ topics: [TOPIC, 'com.example.watch'] });
    sim.invalidTokens.add(tok(2));
    sim.wrongTopicTokens.add(tok(3));
    sim.wrongEnvironmentTokens.add(tok(4));
    const targets = [raw(1), raw(2), raw(3), raw(4), device(5, 'production', 'com.example.forbidden')];
    const { results } = await provider.send(batchOf(targets));
    expect(results.map((r) => [r.deliveryId, r.outcome, r.vendorCode])).toEqual([
      ['del-1', 'sent', undefined],
      ['del-2', 'invalid_token', 'Unregistered'],
      ['del-3', 'invalid_token', 'DeviceTokenNotForTopic'],
      ['del-4', 'rejected', 'BadDeviceToken'],
      ['del-5', 'rejected', 'TopicDisallowed'],
    ]);
  });

  test('413 PayloadTooLarge from APNs is rejected', async () => {
    await setup({ maxPayloadBytes: 100 });
    const { results } = await provider.send(batchOf([raw(1)], message({ data: { text: 'x'.repeat(200) } })));
    expect(results[0]).toMatchObject({ outcome: 'rejected', vendorCode: 'PayloadTooLarge' });
    expect(sim.sendRequests).toBe(1);
  });

  test('a payload over 4096 bytes is rejected without a request', async () => {
    await setup();
    const { results } = await provider.send(batchOf([raw(1), raw(2)], message({ data: { text: 'x'.repeat(5000) } })));
    expect(results.map((r) => r.outcome)).toEqual(['rejected', 'rejected']);
    expect(results[0]?.vendorMessage).toMatch(/4096/);
    expect(sim.sendRequests).toBe(0);
  });

  test('429 TooManyRequests (one device) is retry for that target only, and not retried by the adapter itself', async () => {
    await setup();
    sim.throttle(1, 30);
    const { results } = await provider.send(batchOf([raw(1)]));
    expect(results[0]).toMatchObject({ outcome: 'retry', vendorCode: 'TooManyRequests' });
    expect(sim.sendRequests).toBe(1);
  });

  test('503 ServiceUnavailable is retry, left to the dispatcher’s backoff', async () => {
    await setup();
    sim.fail(1);
    const { results } = await provider.send(batchOf([raw(1)]));
    expect(results[0]).toMatchObject({ outcome: 'retry', vendorCode: 'ServiceUnavailable' });
    expect(sim.sendRequests).toBe(1);
  });

  test('quotaExhausted (APNs has no daily quota) answers 429 TooManyRequests: retry, never a lane pause', async () => {
    await setup();
    sim.quotaExhausted = true;
    const { results } = await provider.send(batchOf([raw(1)]));
    expect(results[0]?.outcome).toBe('retry');
  });
});

describe('definition', () => {
  test('limits: 1000 targets per request (one stream each), 20 requests/s, 4 in flight', () => {
    expect(apnsProvider.limits).toEqual({ maxTargetsPerRequest: 1000, defaultRate: { perSecond: 20, concurrency: 4 } });
    expect(apnsProvider.secretFields).toEqual(['auth', 'key', 'passphrase']);
  });

  test('playground() starts an Apple-like simulator and a config that delivers through it', async () => {
    const pg = await apnsProvider.playground?.();
    if (!pg) throw new Error('no playground');
    const p: PushProvider = apnsProvider.create(pg.config, makeDeps());
    defer(async () => {
      await p.close();
      await pg.simulator.close();
    });
    const { results } = await p.send(batchOf(Array.from({ length: 20 }, (_, i) => raw(i))));
    expect(results.every((r) => r.outcome === 'sent')).toBe(true);
    expect(pg.simulator.accepted).toHaveLength(20);
  });
});
