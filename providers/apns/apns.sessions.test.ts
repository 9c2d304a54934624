/**
 * The APNs adapter against the APNs simulator: HTTP/2 sessions, stream limits, timeouts and scale
 * (moved out of apns.provider.test.ts; setup in apns.test-helpers.ts).
 */
import type { ProviderDeps } from '../types.js';
import type { ApnsConfig } from './apns.config.js';
import { ApnsProvider } from './apns.provider.js';
import { batchOf, configFor, makeDeps, raw, until, type Batch , apnsHarness } from './apns.test-helpers.js';
import { apnsProvider } from './index.js';
import { ApnsSimulator, type ApnsSimulatorOptions } from './simulator.js';

let sim: ApnsSimulator;
let provider: ApnsProvider;
const { start, defer } = apnsHarness();

async function setup(opts: ApnsSimulatorOptions = {}, extra: Record<string, unknown> = {}, deps: ProviderDeps = makeDeps()): Promise<ApnsConfig> {
  let config: ApnsConfig;
  ({ sim, provider, config } = await start(opts, extra, deps));
  return config;
}

describe('sessions and streams', () => {
  test('a new session is warmed with one request before the burst when APNs allows one stream at first', async () => {
    await setup({ initialMaxStreams: 1, maxConcurrentStreams: 1000 });
    const first = Array.from({ length: 300 }, (_, i) => raw(i));
    const second = Array.from({ length: 300 }, (_, i) => raw(i + 300));
    // Two batches at once on a cold provider: the second waits for the first one's warm-up.
    const [a, b] = await Promise.all([provider.send(batchOf(first)), provider.send(batchOf(second))]);
    expect([...a.results, ...b.results].filter((r) => r.outcome !== 'sent')).toEqual([]);
    expect(sim.accepted).toHaveLength(600);
    expect(sim.sessionsOpened).toBe(1);
    expect(sim.maxStreamsInFlight).toBeGreaterThan(1);
  });

  test('after APNs closes the session with GOAWAY, the new session is warmed again', async () => {
    await setup({ initialMaxStreams: 1 });
    expect((await provider.send(batchOf([raw(0), raw(1)]))).results.every((r) => r.outcome === 'sent')).toBe(true);
    sim.goAway('Shutdown');
    await until(() => sim.openSessions === 0);
    const { results } = await provider.send(batchOf(Array.from({ length: 100 }, (_, i) => raw(i + 10))));
    expect(results.filter((r) => r.outcome !== 'sent')).toEqual([]);
    expect(sim.sessionsOpened).toBe(2);
  });

  test('a GOAWAY in the middle of a batch: the rest goes out on a new session and every target ends sent, none lost', async () => {
    await setup({ initialMaxStreams: 1, maxConcurrentStreams: 20 });
    sim.delayMs = 5;
    const targets = Array.from({ length: 300 }, (_, i) => raw(i));
    const pending = provider.send(batchOf(targets));
    await until(() => sim.accepted.length >= 50);
    sim.goAway('Shutdown');
    const { results } = await pending;
    expect(results.filter((r) => r.outcome !== 'sent')).toEqual([]);
    expect(sim.sessionsOpened).toBe(2);
    // At least once: a stream APNs took before its GOAWAY may be sent again, never one left out.
    expect(new Set(sim.accepted)).toEqual(new Set(targets.map((t) => t.token)));
  });

  test('a connection reset in the middle of a batch: the streams it cut are retry (never pruned), the queued ones go out on a new session', async () => {
    await setup({ initialMaxStreams: 1, maxConcurrentStreams: 10 });
    sim.delayMs = 5;
    const targets = Array.from({ length: 200 }, (_, i) => raw(i));
    const pending = provider.send(batchOf(targets));
    await until(() => sim.accepted.length >= 30);
    sim.resetConnection(1);
    const { results } = await pending;
    const cut = results.filter((r) => r.outcome !== 'sent');
    expect(cut.length).toBeGreaterThan(0);
    // Only what was in flight when the connection went (10 streams, and one more that raced the teardown):
    // nothing that was still queued.
    expect(cut.length).toBeLessThanOrEqual(20);
    expect(new Set(cut.map((r) => [r.outcome, r.vendorCode].join(' ')))).toEqual(new Set(['retry transport']));
    expect(sim.sessionsOpened).toBe(2);
    const sentTokens = new Set(results.filter((r) => r.outcome === 'sent').map((r) => targets.find((t) => t.deliveryId === r.deliveryId)?.token));
    for (const token of sentTokens) expect(sim.accepted).toContain(token);
  });

  test('streams in flight per session stay under maxStreamsPerSession, across concurrent batches', async () => {
    await setup({}, { maxStreamsPerSession: 5 });
    sim.delayMs = 5;
    const batches = [0, 1].map((b) => batchOf(Array.from({ length: 60 }, (_, i) => raw(b * 100 + i))));
    const outs = await Promise.all(batches.map((b) => provider.send(b)));
    expect(outs.flatMap((o) => o.results).filter((r) => r.outcome !== 'sent')).toEqual([]);
    expect(sim.maxStreamsInFlight).toBeLessThanOrEqual(5);
    expect(sim.maxStreamsInFlight).toBeGreaterThan(1);
  });

  test('when APNs allows fewer streams than maxStreamsPerSession, the extra streams wait instead of being refused', async () => {
    await setup({ initialMaxStreams: 1, maxConcurrentStreams: 10 });
    sim.delayMs = 2;
    const { results } = await provider.send(batchOf(Array.from({ length: 300 }, (_, i) => raw(i))));
    expect(results.filter((r) => r.outcome !== 'sent')).toEqual([]);
    expect(sim.maxStreamsInFlight).toBeLessThanOrEqual(10);
  });

  test('a stream that gets no answer in time is retry (status-less failure)', async () => {
    await setup({}, { requestTimeoutMs: 200 });
    sim.delayMs = 2000;
    const { results } = await provider.send(batchOf([raw(1), raw(2)]));
    expect(results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['retry', 'transport'],
      ['retry', 'transport'],
    ]);
    expect(results[0]?.vendorMessage).toMatch(/timeout/);
  });

  test('when APNs cannot be reached every target is retry, after a single connection attempt', async () => {
    const closed = await ApnsSimulator.start();
    const config = configFor(closed);
    await closed.close();
    const p = new ApnsProvider(config, makeDeps());
    defer(() => p.close());
    const { results } = await p.send(batchOf(Array.from({ length: 50 }, (_, i) => raw(i))));
    expect(results).toHaveLength(50);
    expect(new Set(results.map((r) => r.outcome))).toEqual(new Set(['retry']));
    expect(results[0]?.vendorMessage).toMatch(/econnrefused/);
  });

  test('10,000 tokens in batches of maxTargetsPerRequest all reach the simulator, each once', async () => {
    await setup({ initialMaxStreams: 1 });
    const size = apnsProvider.limits.maxTargetsPerRequest;
    const all = Array.from({ length: 10_000 }, (_, i) => raw(i));
    const batches: Batch[] = [];
    for (let i = 0; i < all.length; i += size) batches.push(batchOf(all.slice(i, i + size)));
    let next = 0;
    const outs = await Promise.all(
      Array.from({ length: apnsProvider.limits.defaultRate.concurrency }, async () => {
        const mine = [];
        while (next < batches.length) mine.push(await provider.send(batches[next++] as Batch));
        return mine;
      }),
    );
    expect(outs.flat().flatMap((o) => o.results).filter((r) => r.outcome === 'sent')).toHaveLength(10_000);
    expect(sim.accepted).toHaveLength(10_000);
    expect(new Set(sim.accepted).size).toBe(10_000);
  });
});
