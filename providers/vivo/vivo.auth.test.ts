/** The vivo adapter against its simulator: the authToken's life, refresh and auth errors (moved out of vivo.provider.test.ts; setup in vivo.test-helpers.ts). */
import { vivoConfigSchema } from './vivo.config.js';
import { VivoProvider } from './vivo.provider.js';
import { MIN, batch, deps, headerOf, makeProvider, targets, until, type Clock } from './vivo.test-helpers.js';
import { VivoSimulator } from './simulator.js';

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
});
