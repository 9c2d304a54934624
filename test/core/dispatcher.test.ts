/**
 * The dispatcher acting on every normalized outcome, driven lane run by lane run (no engine, no
 * timers) against the Huawei simulator, plus a scripted provider for outcomes Huawei cannot give
 * at send time (daily quota) and for send windows.
 */
import { z } from 'zod';
import { nextMidnight } from '../../src/core/time.js';
import { VivoSimulator } from '../../providers/vivo/simulator.js';
import { defineProvider, type Outcome, type AnyProviderDefinition, type SendBatch } from '../../providers/types.js';
import type { DeliveryRow } from '../../src/store/types.js';
import { CLIENT_KEY, hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

let t: TestGateway;
const lane = { tenant: 'acme', provider: 'huawei' };
const hello = { notification: { title: 'Hi', body: 'There' } };

async function sendTo(n: number, extra: object = {}): Promise<{ id: string; tokens: string[] }> {
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    tokens.push(hwToken(i));
    await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'huawei', token: hwToken(i), userId: 'u' }).expect((r) => expect([200, 201]).toContain(r.status));
  }
  const res = await t.server('post', '/v1/messages').send({ to: { userIds: ['u'] }, ...hello, ...extra }).expect(202);
  return { id: res.body.id, tokens };
}

async function deliveries(messageId: string): Promise<DeliveryRow[]> {
  return t.gw.store.listDeliveries('acme', messageId, null, 10_000);
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const m = await t.gw.registry.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

describe('dispatcher with the Huawei simulator', () => {
  beforeEach(async () => {
    t = await testGateway();
  });
  afterEach(async () => {
    await t.close();
  });

  it('sends a batch in one vendor request and marks every delivery sent with the vendor id', async () => {
    const { id, tokens } = await sendTo(3);
    expect(await t.gw.dispatcher.runLane(lane)).toEqual({ kind: 'more', full: false });
    expect(t.sim.sendRequests).toBe(1);
    expect([...t.sim.accepted].sort()).toEqual([...tokens].sort());
    const rows = await deliveries(id);
    expect(rows.map((r) => r.state)).toEqual(['sent', 'sent', 'sent']);
    expect(rows.every((r) => r.attempts === 1 && r.vendorMessageId)).toBe(true);
    expect(await t.gw.dispatcher.runLane(lane)).toEqual({ kind: 'idle', nextDueAt: null });
  });

  it('splits a message into batches of the provider limit (1000 for Huawei)', async () => {
    const tokens = Array.from({ length: 2500 }, (_, i) => ({ provider: 'huawei', token: hwToken(10_000 + i) }));
    const { body } = await t.server('post', '/v1/messages').send({ to: { tokens }, ...hello }).expect(202);
    while ((await t.gw.dispatcher.runLane(lane)).kind === 'more');
    expect(t.sim.sendRequests).toBe(3);
    expect(t.sim.accepted).toHaveLength(2500);
    expect((await deliveries(body.id)).every((d) => d.state === 'sent')).toBe(true);
  });

  it('prunes the device when the vendor says the token is invalid, and fails that delivery', async () => {
    const { id, tokens } = await sendTo(3);
    t.sim.invalidTokens.add(tokens[1]!);
    await t.gw.dispatcher.runLane(lane);
    const rows = await deliveries(id);
    expect(rows.filter((r) => r.state === 'failed').map((r) => r.lastError?.code)).toEqual(['invalid_token']);
    expect(rows.filter((r) => r.state === 'sent')).toHaveLength(2);
    const devices = (await t.server('get', '/v1/devices?userId=u').expect(200)).body.devices;
    expect(devices).toHaveLength(2);
    expect(await metric('pushgate_tokens_pruned_total', { tenant: 'acme', provider: 'huawei' })).toBe(1);
  });

  it('retries a 5xx with full-jitter backoff and sends once it is due', async () => {
    const { id } = await sendTo(2);
    t.sim.fail(1);
    const t0 = t.clock.now();
    await t.gw.dispatcher.runLane(lane);
    let rows = await deliveries(id);
    expect(rows.map((r) => r.state)).toEqual(['queued', 'queued']);
    // random() is 0.5 in tests: 0.5 × min(max, 1000 ms × 2^1) = 1000 ms
    expect(rows.map((r) => r.nextAttemptAt - t0)).toEqual([1000, 1000]);
    expect(rows.map((r) => r.attempts)).toEqual([1, 1]);
    expect(await t.gw.dispatcher.runLane(lane)).toEqual({ kind: 'idle', nextDueAt: t0 + 1000 });
    t.clock.advance(1000);
    await t.gw.dispatcher.runLane(lane);
    rows = await deliveries(id);
    expect(rows.map((r) => [r.state, r.attempts])).toEqual([['sent', 2], ['sent', 2]]);
  });

  it('fails a delivery after maxAttempts retries, keeping the last error', async () => {
    const { id } = await sendTo(1);
    t.sim.fail(10);
    for (let i = 0; i < 3; i++) {
      await t.gw.dispatcher.runLane(lane);
      t.clock.advance(60_000);
    }
    const [row] = await deliveries(id);
    expect(row).toMatchObject({ state: 'failed', attempts: 3 });
    expect(row?.lastError?.message).toMatch(/gave up after 3 attempts/);
  });

  it('pauses the whole lane on a rate-limit answer for Retry-After, without counting an attempt', async () => {
    const { id } = await sendTo(2);
    t.sim.throttle(1, 7);
    const t0 = t.clock.now();
    await t.gw.dispatcher.runLane(lane);
    const rows = await deliveries(id);
    expect(rows.map((r) => [r.state, r.attempts, r.nextAttemptAt - t0])).toEqual([
      ['queued', 0, 7000],
      ['queued', 0, 7000],
    ]);
    expect(await t.gw.dispatcher.runLane(lane)).toEqual({ kind: 'idle', nextDueAt: t0 + 7000 });
    expect(await metric('pushgate_lane_paused', { tenant: 'acme', provider: 'huawei', reason: 'rate_limited' })).toBe(1);
    t.clock.advance(7000);
    await t.gw.dispatcher.runLane(lane);
    expect((await deliveries(id)).every((r) => r.state === 'sent')).toBe(true);
    expect(await metric('pushgate_lane_paused', { tenant: 'acme', provider: 'huawei', reason: 'rate_limited' })).toBe(0);
  });

  it('refreshes an expired OAuth token once and resends the batch', async () => {
    const { id } = await sendTo(2);
    await t.gw.dispatcher.runLane(lane); // obtains a token
    const second = await t.server('post', '/v1/messages').send({ to: { userIds: ['u'] }, ...hello }).expect(202);
    t.sim.expireAccessTokens();
    const before = t.sim.tokenRequests;
    await t.gw.dispatcher.runLane(lane);
    expect(t.sim.tokenRequests).toBe(before + 1);
    expect((await deliveries(second.body.id)).map((r) => r.state)).toEqual(['sent', 'sent']);
    expect((await deliveries(id)).map((r) => r.state)).toEqual(['sent', 'sent']);
  });

  it('rejects at once with the vendor reason for a permanent error', async () => {
    const { id } = await sendTo(1);
    t.sim.answerNext({ status: 400, body: { code: '80100016', msg: 'message contains sensitive content', requestId: 'r1' } });
    await t.gw.dispatcher.runLane(lane);
    const [row] = await deliveries(id);
    expect(row).toMatchObject({ state: 'failed', attempts: 1, lastError: { code: 'rejected', vendorCode: '80100016' } });
  });

  it('expires deliveries whose ttlSeconds passed before they could be sent', async () => {
    const { id } = await sendTo(2, { options: { ttlSeconds: 60 } });
    t.clock.advance(61_000);
    await t.gw.dispatcher.runLane(lane);
    expect((await deliveries(id)).map((r) => r.state)).toEqual(['expired', 'expired']);
    expect(t.sim.sendRequests).toBe(0);
  });

  it('sends a ttlSeconds 0 message ("now or never") once and expires it instead of retrying', async () => {
    const sent = await sendTo(1, { options: { ttlSeconds: 0 } });
    await t.gw.dispatcher.runLane(lane);
    expect((await deliveries(sent.id))[0]?.state).toBe('sent');
    expect(t.sim.sendRequests).toBe(1);

    const failed = await t.server('post', '/v1/messages').send({ to: { userIds: ['u'] }, ...hello, options: { ttlSeconds: 0 } }).expect(202);
    t.sim.fail(1);
    await t.gw.dispatcher.runLane(lane);
    expect((await deliveries(failed.body.id))[0]).toMatchObject({ state: 'expired', attempts: 1 });
    expect(t.sim.sendRequests).toBe(2);
  });

  it('expires instead of retrying when the next attempt would fall after the ttl', async () => {
    const { id } = await sendTo(1, { options: { ttlSeconds: 1 } });
    t.sim.fail(1);
    await t.gw.dispatcher.runLane(lane);
    expect((await deliveries(id))[0]?.state).toBe('expired');
  });

  it('reclaims deliveries whose lease ran out (a process that died) and sends them', async () => {
    const { id } = await sendTo(2);
    const claimed = await t.gw.store.claimBatch({ ...lane, now: t.clock.now(), leaseUntil: t.clock.now() + 30_000, owner: 'dead-process', limit: 1000, excludeClasses: [] });
    expect(claimed?.deliveries).toHaveLength(2);
    expect((await t.gw.dispatcher.runLane(lane)).kind).toBe('idle');
    t.clock.advance(30_000);
    await t.gw.dispatcher.runLane(lane);
    expect((await deliveries(id)).map((r) => r.state)).toEqual(['sent', 'sent']);
    // the dead process's late answer changes nothing
    await t.gw.store.completeDeliveries('dead-process', claimed!.deliveries.map((d) => ({ id: d.id, state: 'failed', attempts: 9, error: { code: 'x', message: 'late' } })), t.clock.now());
    expect((await deliveries(id)).map((r) => r.state)).toEqual(['sent', 'sent']);
  });
});

describe('dispatcher with a persistent auth failure', () => {
  beforeEach(async () => {
    t = await testGateway();
    // revoke every token and refuse new ones: the refresh cannot help
    t.sim.revokeAccessTokens();
  });
  afterEach(async () => {
    await t.close();
  });

  it('refreshes once, then pauses the lane and drops pushgate_provider_up to 0', async () => {
    const { id } = await sendTo(1);
    t.sim.answerNext(
      { status: 401, body: { code: '80200001', msg: 'OAuth authentication error', requestId: 'a' } },
      { status: 401, body: { code: '80200001', msg: 'OAuth authentication error', requestId: 'b' } },
    );
    await t.gw.dispatcher.runLane(lane);
    expect(t.sim.sendRequests).toBe(2);
    const [row] = await deliveries(id);
    expect(row).toMatchObject({ state: 'queued', attempts: 0, lastError: { code: 'auth_error' } });
    expect(await metric('pushgate_provider_up', { tenant: 'acme', provider: 'huawei' })).toBe(0);
    expect(await metric('pushgate_lane_paused', { tenant: 'acme', provider: 'huawei', reason: 'auth' })).toBe(1);
    const idle = await t.gw.dispatcher.runLane(lane);
    expect(idle).toEqual({ kind: 'idle', nextDueAt: t.clock.now() + 1000 });
    t.clock.advance(1000);
    await t.gw.dispatcher.runLane(lane);
    expect((await deliveries(id))[0]?.state).toBe('sent');
    expect(await metric('pushgate_provider_up', { tenant: 'acme', provider: 'huawei' })).toBe(1);
  });
});

/** A provider whose answers the test scripts, for quota classes and send windows. */
function scriptedProvider(script: { next: Outcome[] }, opts: { window?: boolean } = {}): AnyProviderDefinition {
  return defineProvider<Record<string, never>>({
    id: 'scripted',
    configSchema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
    tokenSchema: z.string().min(3),
    limits: { maxTargetsPerRequest: 10, defaultRate: { perSecond: 10, concurrency: 1 } },
    secretFields: [],
    quotaClassOf: (category) => (category === 'marketing' ? 'public' : 'private'),
    ...(opts.window ? { sendWindow: (cls: string) => (cls === 'public' ? { fromHour: 7, toHour: 23, timeZone: 'Asia/Shanghai' } : undefined) } : {}),
    create: () => ({
      async send(batch: SendBatch) {
        const outcome = script.next.shift() ?? 'sent';
        return { results: batch.targets.map((x) => ({ deliveryId: x.deliveryId, outcome })) };
      },
      async close() {},
    }),
  }) as AnyProviderDefinition;
}

describe('quota classes and send windows', () => {
  const script = { next: [] as Outcome[] };
  const scripted = { tenant: 'acme', provider: 'scripted' };
  afterEach(async () => {
    await t.close();
  });

  async function sendScripted(category: string) {
    const res = await t.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'scripted', token: `tok-${category}` }] }, ...hello, options: { category } }).expect(202);
    return res.body.id as string;
  }

  it('pauses only the exhausted class until midnight Beijing time, while other classes flow', async () => {
    t = await testGateway({ extraProviders: [scriptedProvider(script)], acmeProviders: { scripted: {} } });
    t.clock.t = Date.parse('2026-11-25T10:00:00+08:00');
    const marketing = await sendScripted('marketing');
    script.next.push('quota_exceeded');
    await t.gw.dispatcher.runLane(scripted);
    const midnight = Date.parse('2026-11-26T00:00:00+08:00');
    expect(nextMidnight(t.clock.now(), 'Asia/Shanghai')).toBe(midnight);
    expect((await t.gw.store.listDeliveries('acme', marketing, null, 10))[0]).toMatchObject({ state: 'queued', nextAttemptAt: midnight, attempts: 0 });
    expect(await metric('pushgate_lane_paused', { tenant: 'acme', provider: 'scripted', reason: 'quota:public' })).toBe(1);

    const im = await sendScripted('im');
    await t.gw.dispatcher.runLane(scripted);
    expect((await t.gw.store.listDeliveries('acme', im, null, 10))[0]?.state).toBe('sent');

    const marketing2 = await sendScripted('marketing');
    expect(await t.gw.dispatcher.runLane(scripted)).toEqual({ kind: 'idle', nextDueAt: midnight });
    expect((await t.gw.store.listDeliveries('acme', marketing2, null, 10))[0]?.state).toBe('queued');

    t.clock.t = midnight;
    await t.gw.dispatcher.runLane(scripted);
    await t.gw.dispatcher.runLane(scripted);
    expect((await t.gw.store.listDeliveries('acme', marketing, null, 10))[0]?.state).toBe('sent');
    expect((await t.gw.store.listDeliveries('acme', marketing2, null, 10))[0]?.state).toBe('sent');
  });

  it('holds messages of a windowed class outside 07:00–23:00 Beijing and sends them when it opens', async () => {
    t = await testGateway({ extraProviders: [scriptedProvider(script, { window: true })], acmeProviders: { scripted: {} } });
    t.clock.t = Date.parse('2026-11-25T23:30:00+08:00');
    const marketing = await sendScripted('marketing');
    const im = await sendScripted('im');
    await t.gw.dispatcher.runLane(scripted);
    await t.gw.dispatcher.runLane(scripted);
    const opens = Date.parse('2026-11-26T07:00:00+08:00');
    expect((await t.gw.store.listDeliveries('acme', marketing, null, 10))[0]).toMatchObject({ state: 'queued', nextAttemptAt: opens });
    expect((await t.gw.store.listDeliveries('acme', im, null, 10))[0]?.state).toBe('sent');
    t.clock.t = opens;
    await t.gw.dispatcher.runLane(scripted);
    expect((await t.gw.store.listDeliveries('acme', marketing, null, 10))[0]?.state).toBe('sent');
  });
});

describe('vivo through the dispatcher', () => {
  let vivo: VivoSimulator;
  afterEach(async () => {
    await t.close();
    await vivo.close();
  });

  it('holds marketing messages outside 07:00–23:00 Beijing, sends IM at once, and marketing when the window opens', async () => {
    const clock = { t: Date.parse('2026-11-25T23:30:00+08:00') };
    vivo = await VivoSimulator.start({ appId: '10004', appKey: 'vivo-key', appSecret: 'vivo-secret', now: () => clock.t });
    t = await testGateway({ acmeProviders: { vivo: { appId: '10004', appKey: 'vivo-key', appSecret: 'vivo-secret', endpoint: vivo.url } } });
    t.clock.t = clock.t;
    const vlane = { tenant: 'acme', provider: 'vivo' };
    const send = async (category: string, regId: string) =>
      (await t.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'vivo', token: regId }] }, notification: { title: 'Hi', body: 'There' }, options: { category } }).expect(202)).body.id as string;
    const marketing = await send('marketing', '16043498931190202600001');
    const im = await send('im', '16043498931190202600002');
    await t.gw.dispatcher.runLane(vlane);
    await t.gw.dispatcher.runLane(vlane);
    expect((await t.gw.store.listDeliveries('acme', im, null, 10))[0]?.state).toBe('sent');
    const opens = Date.parse('2026-11-26T07:00:00+08:00');
    expect((await t.gw.store.listDeliveries('acme', marketing, null, 10))[0]).toMatchObject({ state: 'queued', nextAttemptAt: opens });
    expect(vivo.accepted).toEqual(['16043498931190202600002']);
    clock.t = t.clock.t = opens;
    await t.gw.dispatcher.runLane(vlane);
    expect((await t.gw.store.listDeliveries('acme', marketing, null, 10))[0]?.state).toBe('sent');
    expect(vivo.accepted).toEqual(['16043498931190202600002', '16043498931190202600001']);
  });
});

describe('lane pauses are decided once per batch', () => {
  beforeEach(async () => {
    t = await testGateway();
  });
  afterEach(async () => {
    await t.close();
  });

  it('pauses for the base interval, not once per target, when a throttled batch has no Retry-After, and doubles on the next strike', async () => {
    const { id } = await sendTo(3);
    const t0 = t.clock.now();
    t.sim.throttle(2);
    await t.gw.dispatcher.runLane(lane);
    expect((await deliveries(id)).map((r) => r.nextAttemptAt - t0)).toEqual([1000, 1000, 1000]);
    t.clock.advance(1000);
    await t.gw.dispatcher.runLane(lane);
    expect((await deliveries(id)).map((r) => r.nextAttemptAt - t0)).toEqual([3000, 3000, 3000]);
    t.clock.advance(2000);
    await t.gw.dispatcher.runLane(lane);
    expect((await deliveries(id)).map((r) => r.state)).toEqual(['sent', 'sent', 'sent']);
  });
});
