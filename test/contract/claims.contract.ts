/**
 * Part of the store conformance suite (store.contract.ts calls it for SQLite and PostgreSQL): how
 * workers take deliveries. A claim hands out due deliveries of one message under a lease, skips
 * excluded quota classes, and never gives one delivery to two claimers; only the lease owner
 * completes or releases them. Lane pauses and per-lane stats feed the scheduler and /metrics.
 * `open` gives a second store instance on the same database (closed by the suite).
 */
import type { DeliveryUpdate, Store } from '../../src/store/types.js';
import { LANE, storeFixtures, T0 } from './store-fixtures.js';

export function describeClaims(current: () => Store, open: () => Promise<Store>): void {
  describe('claims', () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });
    const { message, delivery, send, claim, all, counts } = storeFixtures(current);

    it('knows when the lane’s next delivery falls due, ignoring excluded classes', async () => {
      expect(await store.nextDueAt(LANE, [])).toBeNull();
      await send(2, { createdAt: T0 + 500 }, { quotaClass: 'marketing' });
      await send(1, { createdAt: T0 + 900 });
      await send(1, { tenant: 'beta', createdAt: T0 });
      await send(1, { createdAt: T0 }, { provider: 'xiaomi' });
      expect(await store.nextDueAt(LANE, [])).toBe(T0 + 500);
      expect(await store.nextDueAt(LANE, ['marketing'])).toBe(T0 + 900);
      expect(await store.nextDueAt(LANE, ['marketing', 'default'])).toBeNull();
      // A sending delivery falls due again when its lease ends.
      await claim(store, { now: T0 + 1000, leaseUntil: T0 + 5000, excludeClasses: ['marketing'] });
      expect(await store.nextDueAt(LANE, ['marketing'])).toBe(T0 + 5000);
    });

    it('claims due deliveries of one message at a time, oldest first, up to the limit, with a lease', async () => {
      const a = await send(5, { createdAt: T0 });
      const b = await send(3, { createdAt: T0 + 10 });
      await send(4, { createdAt: T0 + 20, tenant: 'beta' });
      await send(4, { createdAt: T0 }, { provider: 'xiaomi' });
      expect(await claim(store, { now: T0 - 1 })).toBeNull();

      const first = await claim(store, { now: T0 + 100, leaseUntil: T0 + 60_100, limit: 3 });
      expect(first?.message).toEqual(a.message);
      expect(first?.deliveries.map((x) => x.id)).toEqual(a.ids.slice(0, 3));
      for (const x of first!.deliveries) {
        expect(x).toMatchObject({ tenant: 'acme', messageId: a.message.id, provider: 'huawei', state: 'sending', leaseUntil: T0 + 60_100, nextAttemptAt: 0, attempts: 0, lastError: null, vendorMessageId: null, updatedAt: T0 + 100 });
      }
      // What the claim returned is what the store holds.
      const held = new Map((await all('acme', a.message.id)).map((x) => [x.id, x]));
      for (const x of first!.deliveries) expect(x).toEqual(held.get(x.id));

      const second = await claim(store, { now: T0 + 100, owner: 'owner-b' });
      expect(second?.message.id).toBe(a.message.id);
      expect(second?.deliveries.map((x) => x.id)).toEqual(a.ids.slice(3));
      const third = await claim(store, { now: T0 + 100 });
      expect(third?.message.id).toBe(b.message.id);
      expect(third?.deliveries.map((x) => x.id)).toEqual(b.ids);
      expect(await claim(store, { now: T0 + 100 })).toBeNull();
      expect(await counts('acme', a.message.id)).toEqual({ 'huawei:sending': 5 });
    });

    it('skips excluded quota classes', async () => {
      const m = message();
      const ds = [delivery({ quotaClass: 'marketing' }), delivery(), delivery({ quotaClass: 'marketing' })];
      await store.insertMessage(m, ds, null);
      const batch = await claim(store, { excludeClasses: ['marketing'] });
      expect(batch?.deliveries.map((x) => x.id)).toEqual([ds[1]!.id]);
      expect(await claim(store, { excludeClasses: ['marketing'] })).toBeNull();
      expect((await claim(store))?.deliveries.map((x) => x.quotaClass)).toEqual(['marketing', 'marketing']);
    });

    it('reclaims deliveries whose lease ran out, and only the new owner can complete them', async () => {
      const { message: m, ids } = await send(3);
      const a = await claim(store, { owner: 'owner-a', now: T0, leaseUntil: T0 + 1000 });
      expect(a?.deliveries).toHaveLength(3);
      expect(await claim(store, { owner: 'owner-b', now: T0 + 999 })).toBeNull();
      const b = await claim(store, { owner: 'owner-b', now: T0 + 1000, leaseUntil: T0 + 9000 });
      expect(b?.deliveries.map((x) => x.id)).toEqual(ids);
      expect(b?.deliveries.every((x) => x.leaseUntil === T0 + 9000 && x.state === 'sending')).toBe(true);

      // The old owner comes back late: its answer is ignored.
      await store.completeDeliveries('owner-a', ids.map((id) => ({ id, state: 'failed', attempts: 1, error: { code: 'rejected', message: 'late' } })), T0 + 1500);
      expect(await counts('acme', m.id)).toEqual({ 'huawei:sending': 3 });
      await store.completeDeliveries('owner-b', ids.map((id) => ({ id, state: 'sent', vendorMessageId: null, attempts: 1 })), T0 + 1600);
      expect(await counts('acme', m.id)).toEqual({ 'huawei:sent': 3 });
    });

    it('applies sent, failed, expired and retry decisions from the lease owner', async () => {
      const { message: m, ids } = await send(6);
      await claim(store);
      const [s, f, e, r, untouched, s2] = ids as [string, string, string, string, string, string];
      const err = { code: 'rejected', vendorCode: '80100003', message: 'bad payload' };
      const updates: DeliveryUpdate[] = [
        { id: s, state: 'sent', vendorMessageId: 'vendor-1', attempts: 1 },
        // Each target's own vendor id (APNs answers every stream with its own apns-id).
        { id: s2, state: 'sent', vendorMessageId: 'vendor-2', attempts: 1 },
        { id: f, state: 'failed', error: err, attempts: 1 },
        { id: e, state: 'expired', error: { code: 'expired', message: 'ttl' }, attempts: 0 },
        { id: r, state: 'queued', nextAttemptAt: T0 + 30_000, error: { code: 'retry', message: '503' }, attempts: 2 },
      ];
      await store.completeDeliveries('owner-a', updates, T0 + 50);
      await store.completeDeliveries('owner-a', [], T0 + 50);
      const rows = new Map((await all('acme', m.id)).map((x) => [x.id, x]));
      expect(rows.get(s)).toMatchObject({ state: 'sent', vendorMessageId: 'vendor-1', attempts: 1, lastError: null, leaseUntil: null, updatedAt: T0 + 50 });
      expect(rows.get(s2)).toMatchObject({ state: 'sent', vendorMessageId: 'vendor-2', attempts: 1 });
      expect(rows.get(f)).toMatchObject({ state: 'failed', lastError: err, attempts: 1, vendorMessageId: null, leaseUntil: null });
      expect(rows.get(e)).toMatchObject({ state: 'expired', lastError: { code: 'expired', message: 'ttl' }, attempts: 0 });
      expect(rows.get(r)).toMatchObject({ state: 'queued', nextAttemptAt: T0 + 30_000, lastError: { code: 'retry', message: '503' }, attempts: 2, leaseUntil: null });
      expect(rows.get(untouched)).toMatchObject({ state: 'sending', leaseUntil: T0 + 60_000 });
      expect(await counts('acme', m.id)).toEqual({ 'huawei:sent': 2, 'huawei:failed': 1, 'huawei:expired': 1, 'huawei:queued': 1, 'huawei:sending': 1 });

      // The retried one is due again at its next attempt, not before.
      expect(await store.nextDueAt(LANE, [])).toBe(T0 + 30_000);
      expect((await claim(store, { now: T0 + 29_999 }))).toBeNull();
      const again = await claim(store, { now: T0 + 30_000, owner: 'owner-b' });
      expect(again?.deliveries.map((x) => ({ id: x.id, attempts: x.attempts, lastError: x.lastError }))).toEqual([{ id: r, attempts: 2, lastError: { code: 'retry', message: '503' } }]);
    });

    it('keeps one vendor request id on every row sent with it, and leaves rows another owner took over', async () => {
      const { message: m, ids } = await send(4);
      await claim(store, { now: T0, leaseUntil: T0 + 1000 });
      // The lease of every row ran out and owner-b took them; then owner-a completes late.
      await claim(store, { now: T0 + 1000, owner: 'owner-b' });
      await store.completeDeliveries('owner-a', ids.map((id) => ({ id, state: 'sent', vendorMessageId: 'stale', attempts: 1 })), T0 + 1001);
      const [x, y, z, w] = ids as [string, string, string, string];
      await store.completeDeliveries('owner-b', [
        { id: x, state: 'sent', vendorMessageId: 'request-1', attempts: 1 },
        { id: y, state: 'sent', vendorMessageId: 'request-1', attempts: 1 },
        { id: z, state: 'sent', vendorMessageId: 'request-1', attempts: 2 },
      ], T0 + 1002);
      const rows = new Map((await all('acme', m.id)).map((r) => [r.id, r]));
      expect([x, y, z].map((id) => rows.get(id))).toEqual([
        expect.objectContaining({ state: 'sent', vendorMessageId: 'request-1', attempts: 1, updatedAt: T0 + 1002 }),
        expect.objectContaining({ state: 'sent', vendorMessageId: 'request-1', attempts: 1 }),
        expect.objectContaining({ state: 'sent', vendorMessageId: 'request-1', attempts: 2 }),
      ]);
      expect(rows.get(w)).toMatchObject({ state: 'sending', vendorMessageId: null });
    });

    it('releases every claim of an owner on shutdown, due at once', async () => {
      const { message: m } = await send(4);
      await claim(store, { owner: 'owner-a', limit: 3 });
      await claim(store, { owner: 'owner-b', limit: 3 });
      expect(await store.releaseClaims('owner-a', T0 + 100)).toBe(3);
      expect(await store.releaseClaims('owner-a', T0 + 100)).toBe(0);
      expect(await counts('acme', m.id)).toEqual({ 'huawei:queued': 3, 'huawei:sending': 1 });
      expect(await store.nextDueAt(LANE, [])).toBe(T0 + 100);
      expect((await claim(store, { owner: 'owner-c', now: T0 + 100 }))?.deliveries).toHaveLength(3);
    });

    it('never hands the same delivery to two claimers (two store instances claiming in parallel)', async () => {
      const other = await open();
      const total = 3000;
      const sent: string[] = [];
      for (let i = 0; i < 6; i++) sent.push(...(await send(total / 6, { createdAt: T0 + i })).ids);
      const claimed: string[][] = [];
      const claimer = async (s: Store, owner: string) => {
        const mine: string[] = [];
        for (;;) {
          const batch = await claim(s, { owner, limit: 37, now: T0 + 10 });
          if (!batch) break;
          expect(new Set(batch.deliveries.map((x) => x.messageId))).toEqual(new Set([batch.message.id]));
          mine.push(...batch.deliveries.map((x) => x.id));
        }
        claimed.push(mine);
      };
      // Several loops per instance: in PostgreSQL these are separate connections and transactions.
      await Promise.all([0, 1, 2, 3].flatMap((k) => [claimer(store, `a-${k}`), claimer(other, `b-${k}`)]));
      const flat = claimed.flat();
      expect(flat.length).toBe(total);
      expect(new Set(flat).size).toBe(total);
      expect(new Set(flat)).toEqual(new Set(sent));
      expect(claimed.filter((c) => c.length > 0).length).toBeGreaterThan(1);
    });
  });

  describe('lane pauses and stats', () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });
    const { send, claim } = storeFixtures(current);

    it('sets, updates and lists active pauses per lane and for all lanes', async () => {
      await store.setPause({ ...LANE, quotaClass: '*', until: T0 + 1000, reason: 'rate_limited' });
      await store.setPause({ ...LANE, quotaClass: 'marketing', until: T0 + 5000, reason: 'quota:marketing' });
      await store.setPause({ tenant: 'beta', provider: 'huawei', quotaClass: '*', until: T0 + 2000, reason: 'auth' });
      const sorted = <T extends { quotaClass: string; tenant: string }>(xs: T[]) => [...xs].sort((p, q) => (p.tenant + p.quotaClass < q.tenant + q.quotaClass ? -1 : 1));
      expect(sorted(await store.activePauses(LANE, T0))).toEqual([
        { ...LANE, quotaClass: '*', until: T0 + 1000, reason: 'rate_limited' },
        { ...LANE, quotaClass: 'marketing', until: T0 + 5000, reason: 'quota:marketing' },
      ]);
      expect(await store.activePauses(LANE, T0 + 1000)).toEqual([{ ...LANE, quotaClass: 'marketing', until: T0 + 5000, reason: 'quota:marketing' }]);
      await store.setPause({ ...LANE, quotaClass: '*', until: T0 + 9000, reason: 'auth' });
      expect(sorted(await store.activePauses(LANE, T0 + 6000))).toEqual([{ ...LANE, quotaClass: '*', until: T0 + 9000, reason: 'auth' }]);
      expect(sorted(await store.allActivePauses(T0 + 1500))).toEqual([
        { ...LANE, quotaClass: '*', until: T0 + 9000, reason: 'auth' },
        { ...LANE, quotaClass: 'marketing', until: T0 + 5000, reason: 'quota:marketing' },
        { tenant: 'beta', provider: 'huawei', quotaClass: '*', until: T0 + 2000, reason: 'auth' },
      ]);
      expect(await store.allActivePauses(T0 + 9000)).toEqual([]);
    });

    it('reports depth and oldest pending delivery per lane', async () => {
      await send(3, { createdAt: T0 + 10 });
      const old = await send(2, { createdAt: T0 });
      await send(1, { tenant: 'beta', createdAt: T0 + 5 });
      const batch = await claim(store, { limit: 2 });
      expect(batch?.message.id).toBe(old.message.id);
      await store.completeDeliveries('owner-a', old.ids.map((id) => ({ id, state: 'sent', vendorMessageId: null, attempts: 1 })), T0 + 20);
      const stats = (await store.laneStats()).sort((p, q) => (p.tenant < q.tenant ? -1 : 1));
      expect(stats).toEqual([
        { tenant: 'acme', provider: 'huawei', depth: 3, oldestCreatedAt: T0 + 10 },
        { tenant: 'beta', provider: 'huawei', depth: 1, oldestCreatedAt: T0 + 5 },
      ]);
    });
  });
}
