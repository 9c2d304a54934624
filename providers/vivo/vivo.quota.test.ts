/** The vivo adapter against its simulator: throttling and the daily quotas per class (moved out of vivo.provider.test.ts; setup in vivo.test-helpers.ts). */
import type { DeliveryTarget } from '../types.js';
import type { VivoProvider } from './vivo.provider.js';
import { MIN, batch, makeProvider, message, targets, type Clock } from './vivo.test-helpers.js';
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

  it('throttling (10072) gives rate_limited and honours Retry-After', async () => {
    sim.throttle(1, 7);
    const out = await provider.send(batch(targets(2)));
    expect(out.results.map((r) => [r.outcome, r.vendorCode, r.retryAfterMs])).toEqual([
      ['rate_limited', '10072', 7000],
      ['rate_limited', '10072', 7000],
    ]);
  });

  const marketing = (ts: DeliveryTarget[]) => batch(ts, { message: message({ id: 'msg-2' }, { category: 'marketing' }) });

  it('quota 10070 on /message/send stops send, saveListPayload and pushToList for that class until 00:00 Beijing; the other class flows', async () => {
    clock.now = Date.UTC(2025, 2, 10, 15, 30, 0); // 23:30 Beijing
    sim.quotaExhausted = true;
    sim.quotaScope = 'single';
    sim.quotaClass = 'system';
    const first = await provider.send(batch(targets(1, 'a'))); // category im: system
    expect(first.results[0]).toMatchObject({ outcome: 'quota_exceeded', vendorCode: '10070', quotaClass: 'system', retryAfterMs: 30 * MIN });
    expect(sim.calls.send).toBe(1);

    sim.quotaExhausted = false; // even a vivo that would accept again is not called that day
    clock.now += 29 * MIN; // 23:59 Beijing
    const single = await provider.send(batch(targets(1, 'b')));
    expect(single.results[0]).toMatchObject({ outcome: 'quota_exceeded', vendorCode: '10070', quotaClass: 'system', retryAfterMs: MIN });
    const list = await provider.send(batch(targets(2, 'c')));
    expect(list.results.map((r) => [r.outcome, r.vendorCode, r.quotaClass, r.retryAfterMs])).toEqual([
      ['quota_exceeded', '10070', 'system', MIN],
      ['quota_exceeded', '10070', 'system', MIN],
    ]);
    expect(sim.calls).toMatchObject({ send: 1, saveListPayload: 0, pushToList: 0 });

    // Operations messages have their own quota at vivo: still sent, single and list.
    expect((await provider.send(marketing(targets(1, 'd')))).results[0]?.outcome).toBe('sent');
    expect((await provider.send(marketing(targets(2, 'e')))).results.map((r) => r.outcome)).toEqual(['sent', 'sent']);

    clock.now = Date.UTC(2025, 2, 10, 16, 0, 1); // 00:00:01 Beijing, the next day
    expect((await provider.send(batch(targets(1, 'f')))).results[0]?.outcome).toBe('sent');
    expect((await provider.send(batch(targets(2, 'g')))).results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
  });

  it('quota 10070 on pushToList stops /message/send of the same class for the rest of the Beijing day', async () => {
    expect((await provider.send(marketing(targets(2, 'a')))).results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    sim.quotaExhausted = true;
    sim.quotaScope = 'list';
    sim.quotaClass = 'operation';
    // The saved payload is reused, so this batch goes straight to pushToList, which answers the quota code.
    const pushed = await provider.send(marketing(targets(2, 'b')));
    expect(pushed.results.map((r) => [r.outcome, r.vendorCode, r.quotaClass])).toEqual([
      ['quota_exceeded', '10070', 'operation'],
      ['quota_exceeded', '10070', 'operation'],
    ]);
    expect(sim.calls).toMatchObject({ send: 0, saveListPayload: 1, pushToList: 2 });

    sim.quotaExhausted = false;
    const single = await provider.send(marketing(targets(1, 'c')));
    expect(single.results[0]).toMatchObject({
      outcome: 'quota_exceeded',
      vendorCode: '10070',
      quotaClass: 'operation',
      retryAfterMs: 12 * 60 * MIN,
      vendorMessage: expect.stringContaining('10070 on /message/pushToList'),
    });
    expect(sim.calls.send).toBe(0);
    expect((await provider.send(batch(targets(1, 'd')))).results[0]?.outcome).toBe('sent'); // im: system
    expect(sim.calls.send).toBe(1);
  });

  it('quota 10252 on saveListPayload stops list and single sends of that class for the rest of the Beijing day', async () => {
    sim.quotaExhausted = true;
    sim.quotaCode = 10252;
    sim.quotaScope = 'list';
    const first = await provider.send(batch(targets(2, 'a')));
    expect(first.results.map((r) => [r.outcome, r.vendorCode, r.quotaClass])).toEqual([
      ['quota_exceeded', '10252', 'system'],
      ['quota_exceeded', '10252', 'system'],
    ]);
    expect(first.results[0]?.retryAfterMs).toBe(12 * 60 * MIN); // 12:00 → 00:00 Beijing
    sim.quotaExhausted = false;
    const again = await provider.send(batch(targets(3, 'b')));
    expect(again.results.every((r) => r.outcome === 'quota_exceeded')).toBe(true);
    expect((await provider.send(batch(targets(1, 'c')))).results[0]).toMatchObject({ outcome: 'quota_exceeded', vendorCode: '10252' });
    expect(sim.calls).toMatchObject({ send: 0, saveListPayload: 1, pushToList: 0 });
    expect((await provider.send(marketing(targets(1, 'd')))).results[0]?.outcome).toBe('sent');
  });

  it.each([
    [10050, 'rejected'],
    [10069, 'rejected'],
    [10096, 'rejected'],
    [10097, 'rejected'],
    [10153, 'rejected'],
    [10353, 'rejected'],
    [11000, 'rejected'],
    [99999, 'rejected'],
    [10094, 'auth_error'],
    [10072, 'rate_limited'],
    [10070, 'quota_exceeded'],
    [10254, 'quota_exceeded'],
  ])('vivo result %i gives %s', async (code, outcome) => {
    sim.answerNext(code);
    const out = await provider.send(batch(targets(1)));
    expect(out.results[0]).toMatchObject({ outcome, vendorCode: String(code) });
  });
});
