/**
 * Replay and cancel over HTTP, against the Huawei simulator (and the HarmonyOS one for recall):
 * a replay after the cause is fixed sends exactly the failed deliveries once, never a pruned or
 * removed device's, never an expired message's unless the TTL is extended; cancel racing a running
 * lane never lets a canceled delivery reach the vendor; sent HarmonyOS deliveries are recalled.
 */
import type { Server } from 'node:http';
import { keyBytes } from '../../src/config/schema.js';
import { TokenCipher } from '../../src/privacy/token-cipher.js';
import { harmonyProvider } from '../../providers/harmony/index.js';
import type { HarmonySimulator } from '../../providers/harmony/simulator.js';
import { CLIENT_KEY, ENCRYPTION_KEY, OTHER_SERVER_KEY, hwToken, testGateway, type TestGateway } from '../factories/gateway.js';
import { until } from '../factories/process.js';

const HUAWEI = { tenant: 'acme', provider: 'huawei' } as const;
const hello = { notification: { title: 'Hi', body: 'there' } };

/** Run the lane until nothing is due, moving the test clock to each next due time (backoff, pauses). */
async function drain(t: TestGateway, lane: { tenant: string; provider: string } = HUAWEI): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await t.gw.dispatcher.runLane(lane);
    if (r.kind === 'more') continue;
    if (r.nextDueAt === null) return;
    t.clock.t = Math.max(t.clock.t, r.nextDueAt);
  }
  throw new Error('the lane never ran dry');
}

async function register(t: TestGateway, userId: string, tokens: string[], provider = 'huawei'): Promise<string[]> {
  const ids: string[] = [];
  for (const token of tokens) ids.push((await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider, token, userId }).expect(201)).body.id);
  return ids;
}

const counts = async (t: TestGateway, id: string) => (await t.server('get', `/v1/messages/${id}`).expect(200)).body.counts as Record<string, number>;

describe('replay', () => {
  let t: TestGateway;
  beforeEach(async () => {
    t = await testGateway();
  });
  afterEach(async () => {
    await t.close();
  });

  it('after a vendor outage, sends exactly the failed deliveries again, once; never the sent ones, a pruned token or a removed device', async () => {
    const tokens = [0, 1, 2, 3].map((i) => hwToken(100 + i));
    const devices = await register(t, 'r', tokens);
    const sentFirst = await t.server('post', '/v1/messages').send({ to: { deviceIds: devices.slice(0, 2) }, ...hello }).expect(202);
    await drain(t);
    expect(await counts(t, sentFirst.body.id)).toMatchObject({ sent: 2 });

    // A token the vendor calls invalid: failed, its device pruned.
    t.sim.invalidTokens.add(hwToken(900));
    await t.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'huawei', token: hwToken(900) }] }, ...hello }).expect(202);
    await drain(t);

    // The outage: every attempt answers 5xx until the attempt limit (3).
    t.sim.fail(3);
    const outage = await t.server('post', '/v1/messages').send({ to: { userIds: ['r'] }, ...hello }).expect(202);
    await drain(t);
    expect(await counts(t, outage.body.id)).toMatchObject({ failed: 4, sent: 0 });
    await t.server('delete', `/v1/devices/${devices[3]}`).expect(204);

    const before = t.sim.accepted.length;
    const replay = await t.server('post', '/v1/deliveries/retry').send({}).expect(200);
    expect(replay.body).toEqual({ requeued: 3, skipped: { invalid_token: 1, device_removed: 1, ttl_passed: 0 }, more: false, nextCursor: null });
    await drain(t);
    expect(t.sim.accepted.slice(before).sort()).toEqual(tokens.slice(0, 3).sort());
    expect(await counts(t, outage.body.id)).toMatchObject({ sent: 3, failed: 1, queued: 0 });
    expect(await counts(t, sentFirst.body.id)).toMatchObject({ sent: 2 });
    const metrics = (await t.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/pushgate_deliveries_requeued_total\{tenant="acme",provider="huawei"\} 3/);
  });

  it('after credentials were rejected past the TTL, replays the expired deliveries only with extendTtlSeconds, filtered, idempotently', async () => {
    const tokens = [0, 1].map((i) => hwToken(200 + i));
    await register(t, 'x', tokens);
    t.sim.rejectCredentials = true;
    const { body } = await t.server('post', '/v1/messages').send({ to: { userIds: ['x'] }, ...hello, options: { ttlSeconds: 60 } }).expect(202);
    await drain(t);
    expect(await counts(t, body.id)).toMatchObject({ expired: 2 });
    t.sim.rejectCredentials = false;

    const url = `/v1/messages/${body.id}/retry`;
    expect((await t.server('post', url).send({}).expect(200)).body).toEqual({ id: body.id, requeued: 0, skipped: { invalid_token: 0, device_removed: 0, ttl_passed: 2 } });
    expect((await t.server('post', url).send({ providers: ['huawei'], errorCodes: ['rejected'], extendTtlSeconds: 600 }).expect(200)).body.requeued).toBe(0);

    const retry = { providers: ['huawei'], extendTtlSeconds: 600 };
    const first = await t.server('post', url).set('Idempotency-Key', 'fix-1').send(retry).expect(200);
    expect(first.body).toEqual({ id: body.id, requeued: 2, skipped: { invalid_token: 0, device_removed: 0, ttl_passed: 0 } });
    const again = await t.server('post', url).set('Idempotency-Key', 'fix-1').send(retry).expect(200);
    expect(again.body).toEqual(first.body);
    const conflict = await t.server('post', url).set('Idempotency-Key', 'fix-1').send({ extendTtlSeconds: 60 }).expect(409);
    expect(conflict.body.error.code).toBe('idempotency_conflict');
    // The message's expiry moved: the replayed deliveries are sent, not expired again.
    await drain(t);
    expect(await counts(t, body.id)).toMatchObject({ sent: 2, expired: 0, queued: 0 });
    expect(t.sim.accepted.filter((x) => tokens.includes(x)).sort()).toEqual([...tokens].sort());
  });

  it('refuses bad bodies by field, and answers 404 for a message of another tenant', async () => {
    await register(t, 'o', [hwToken(300)]);
    const { body } = await t.server('post', '/v1/messages').send({ to: { userIds: ['o'] }, ...hello }).expect(202);
    expect((await t.server('post', `/v1/messages/${body.id}/retry`, OTHER_SERVER_KEY).send({}).expect(404)).body.error.code).toBe('not_found');
    expect((await t.server('delete', `/v1/messages/${body.id}`, OTHER_SERVER_KEY).expect(404)).body.error.code).toBe('not_found');
    expect((await t.server('post', '/v1/messages/msg_nope/retry').send({}).expect(404)).body.error.code).toBe('not_found');
    const bad = await t.server('post', `/v1/messages/${body.id}/retry`).send({ providers: ['nokia'], extendTtlSeconds: -1 }).expect(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['extendTtlSeconds', 'providers.0']);
    expect((await t.server('post', '/v1/deliveries/retry').send({ limit: 10_001, cursor: 'x' }).expect(400)).body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['cursor', 'limit']);
    // The message of acme is untouched.
    expect(await counts(t, body.id)).toMatchObject({ queued: 1 });
  });

  it('bounds a tenant-wide replay per call and continues from nextCursor', async () => {
    t.sim.fail(3);
    const tokens = [0, 1, 2, 3, 4].map((i) => ({ provider: 'huawei', token: hwToken(400 + i) }));
    await t.server('post', '/v1/messages').send({ to: { tokens }, ...hello }).expect(202);
    await drain(t);
    const first = await t.server('post', '/v1/deliveries/retry').send({ limit: 3 }).expect(200);
    expect(first.body).toMatchObject({ requeued: 3, more: true, nextCursor: expect.any(String) });
    const second = await t.server('post', '/v1/deliveries/retry').send({ limit: 3, cursor: first.body.nextCursor }).expect(200);
    expect(second.body).toMatchObject({ requeued: 2, more: false, nextCursor: null });
  });
});

describe('cancel', () => {
  it('cancels queued deliveries: never sent, counted canceled in status, listings and metrics; a second cancel changes nothing', async () => {
    const t = await testGateway();
    try {
      const tokens = [0, 1, 2].map((i) => ({ provider: 'huawei', token: hwToken(500 + i) }));
      const { body } = await t.server('post', '/v1/messages').send({ to: { tokens }, ...hello }).expect(202);
      const answer = await t.server('delete', `/v1/messages/${body.id}`).expect(200);
      expect(answer.body).toEqual({ id: body.id, canceled: 3, in_flight: 0, recalled: 0, not_recallable: 0, recall_failed: 0, already_final: 0 });
      await drain(t);
      expect(t.sim.sendRequests).toBe(0);
      const status = (await t.server('get', `/v1/messages/${body.id}`).expect(200)).body;
      expect(status).toMatchObject({ status: 'done', counts: { canceled: 3, queued: 0 } });
      const listed = (await t.server('get', `/v1/messages/${body.id}/deliveries?state=canceled`).expect(200)).body.deliveries;
      expect(listed).toHaveLength(3);
      expect((await t.server('get', '/v1/messages?status=done').expect(200)).body.messages[0].counts.canceled).toBe(3);
      expect((await t.http.get('/metrics').expect(200)).text).toMatch(/pushgate_deliveries_total\{tenant="acme",provider="huawei",state="canceled"\} 3/);
      expect((await t.server('delete', `/v1/messages/${body.id}`).expect(200)).body).toMatchObject({ canceled: 0, already_final: 3 });
      // Canceled is final: a replay does not bring it back.
      expect((await t.server('post', `/v1/messages/${body.id}/retry`).send({}).expect(200)).body.requeued).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('racing a running lane, never sends a canceled delivery, and the counts add up', async () => {
    // One lane run at a time, each batch (≤ 1000 tokens) slow at the vendor: the cancel lands mid-message.
    const t = await testGateway({ realClock: true, huawei: { rateLimit: { perSecond: 50, concurrency: 2 } } });
    let server: Server | undefined;
    try {
      t.sim.delayMs = 150;
      const total = 4000;
      const tokens = Array.from({ length: total }, (_, i) => ({ provider: 'huawei', token: hwToken(10_000 + i) }));
      const { body } = await t.server('post', '/v1/messages').send({ to: { tokens }, ...hello }).expect(202);
      await t.gw.start();
      await until(() => (t.sim.accepted.length > 0 ? true : undefined), 'the first batch at the vendor', 20_000);
      const answer = (await t.server('delete', `/v1/messages/${body.id}`).expect(200)).body;
      const done = await until(async () => {
        const c = await counts(t, body.id);
        return c.queued === 0 && c.sending === 0 ? c : undefined;
      }, 'the message to settle', 20_000);

      const cipher = new TokenCipher(keyBytes(ENCRYPTION_KEY));
      const rows = await t.gw.store.listDeliveries('acme', body.id, null, 10_000);
      const canceledTokens = new Set(rows.filter((d) => d.state === 'canceled').map((d) => cipher.decrypt(d.tokenEnc)));
      const accepted = t.sim.accepted.filter((x) => x.startsWith('IQAAAACy0000'));
      expect(accepted.filter((x) => canceledTokens.has(x))).toEqual([]);
      expect(answer.canceled).toBeGreaterThan(0);
      expect(done.canceled).toBe(answer.canceled);
      expect(done.sent).toBe(accepted.length);
      expect((done.sent ?? 0) + (done.canceled ?? 0)).toBe(total);
      expect(answer.canceled + answer.in_flight + answer.not_recallable).toBe(total);
    } finally {
      server?.close();
      await t.close();
    }
  });

  it('stops a batch claimed but not yet handed to the vendor when the cancel lands in between', async () => {
    const t = await testGateway();
    try {
      const tokens = [0, 1].map((i) => ({ provider: 'huawei', token: hwToken(700 + i) }));
      const { body } = await t.server('post', '/v1/messages').send({ to: { tokens }, ...hello }).expect(202);
      // The cancel arrives (as from another instance) right after the claim, before the hand-off check.
      const store = t.gw.store;
      const startSending = store.startSending.bind(store);
      let answer: Record<string, number> | undefined;
      store.startSending = async (...args) => {
        answer = (await t.server('delete', `/v1/messages/${body.id}`).expect(200)).body;
        return startSending(...args);
      };
      await t.gw.dispatcher.runLane(HUAWEI);
      expect(answer).toMatchObject({ canceled: 2, in_flight: 0 });
      expect(t.sim.sendRequests).toBe(0);
      expect(await counts(t, body.id)).toMatchObject({ canceled: 2, sending: 0, sent: 0 });
    } finally {
      await t.close();
    }
  });

  it('recalls sent HarmonyOS deliveries through the simulator, and reports the others not_recallable', async () => {
    const pg = await harmonyProvider.playground!();
    const sim = pg.simulator as HarmonySimulator;
    const t = await testGateway({ acmeProviders: { harmony: pg.config } });
    try {
      const hm = (i: number) => `MAAALgE4G98BAAAAe2e${String(i).padStart(20, '0')}`;
      await register(t, 'h', [hm(1), hm(2)], 'harmony');
      await register(t, 'h', [hwToken(600)]);
      const { body } = await t.server('post', '/v1/messages').send({ to: { userIds: ['h'] }, ...hello }).expect(202);
      await drain(t, { tenant: 'acme', provider: 'harmony' });
      await drain(t);
      expect(await counts(t, body.id)).toMatchObject({ sent: 3 });

      const answer = (await t.server('delete', `/v1/messages/${body.id}`).expect(200)).body;
      expect(answer).toEqual({ id: body.id, canceled: 0, in_flight: 0, recalled: 2, not_recallable: 1, recall_failed: 0, already_final: 0 });
      expect(sim.revoked.map((r) => r.token).sort()).toEqual([hm(1), hm(2)]);
      const status = (await t.server('get', `/v1/messages/${body.id}`).expect(200)).body;
      expect(status.providers).toEqual({ harmony: { canceled: 2 }, huawei: { sent: 1 } });
      expect(status.deliveries.filter((d: { provider: string }) => d.provider === 'harmony').map((d: { lastError: { code: string } }) => d.lastError.code)).toEqual(['recalled', 'recalled']);
      expect((await t.http.get('/metrics').expect(200)).text).toMatch(/pushgate_recalls_total\{tenant="acme",provider="harmony",outcome="recalled"\} 2/);
    } finally {
      await t.close();
      await sim.close();
    }
  });
});
