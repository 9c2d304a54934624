/**
 * The FCM adapter against its simulator: one test per vendor behaviour of
 * docs/vendors/fcm.md#error-codes-and-outcomes (moved out of fcm.provider.test.ts; setup in fcm.test-helpers.ts).
 */
import type { ProviderDeps } from '../types.js';
import type { FcmConfig } from './fcm.config.js';
import { FcmProvider } from './fcm.provider.js';
import { fcmOverridesSchema } from './fcm.request.js';
import { FcmSimulator } from './simulator.js';
import { batch, configFor, depsWith, message, targets } from './fcm.test-helpers.js';

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
