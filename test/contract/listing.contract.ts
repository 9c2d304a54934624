/**
 * Part of the store conformance suite (store.contract.ts calls it for SQLite and PostgreSQL): the
 * listings behind GET /v1/messages, /v1/messages/{id}/deliveries, /v1/deliveries and its summary.
 * Pages are keysets, so a walk sees every row once even when rows share a timestamp and when new
 * rows arrive mid-walk; every query stays inside its tenant.
 */
import type { DeliveryRow, DeliveryState, MessageRow, NewDelivery, Store, TimeKey } from '../../src/store/types.js';

const T0 = 1_764_000_000_000;
const OWNER = 'owner-list';

export function describeListings(current: () => Store): void {
  describe('listings', () => {
    let store: Store;
    let seq: number;
    beforeEach(() => {
      store = current();
      seq = 0;
    });

    const next = () => String(++seq).padStart(6, '0');
    const deliveries = (count: number, over: Partial<NewDelivery> = {}): NewDelivery[] =>
      Array.from({ length: count }, () => {
        const n = next();
        return { id: `dlv_${n}`, provider: 'huawei', deviceId: null, tokenEnc: `enc:${n}`, tokenHash: `hash:${n}`, extras: null, quotaClass: 'default', registered: false, ...over };
      });
    /** A message created at `at` with `count` deliveries (of `provider`). */
    const send = async (at: number, count: number, over: Partial<MessageRow> = {}, provider = 'huawei') => {
      const m: MessageRow = { id: `msg_${next()}`, tenant: 'acme', idempotencyKey: null, payload: '{}', createdAt: at, expiresAt: null, category: null, ...over };
      const ds = deliveries(count, { provider });
      await store.insertMessage(m, ds, null);
      return { message: m, ids: ds.map((d) => d.id) };
    };
    /** Claim the lane's due deliveries (one message per claim) and finish them in `state` at `at`. */
    const finish = async (tenant: string, provider: string, state: 'sent' | 'failed' | 'expired', at: number, code = 'rejected', only?: string[]) => {
      const batch = await store.claimBatch({ tenant, provider, now: at, leaseUntil: at + 60_000, owner: OWNER, limit: 1000, excludeClasses: [] });
      if (!batch) throw new Error(`nothing due in ${tenant}/${provider}`);
      const ids = batch.deliveries.map((d) => d.id).filter((id) => !only || only.includes(id));
      await store.completeDeliveries(
        OWNER,
        ids.map((id) => (state === 'sent' ? { id, state, vendorMessageId: null, attempts: 1 } : { id, state, error: { code, message: `${code} happened` }, attempts: 2 })),
        at,
      );
      await store.releaseClaims(OWNER, at);
      return { messageId: batch.message.id, ids };
    };
    /** Every page of a keyset walk, `limit` rows at a time. */
    async function walk<R>(page: (after: TimeKey | null) => Promise<R[]>, key: (r: R) => TimeKey): Promise<{ rows: R[]; pages: number }> {
      const rows: R[] = [];
      let after: TimeKey | null = null;
      for (let pages = 1; ; pages++) {
        const got = await page(after);
        rows.push(...got);
        const last = got[got.length - 1];
        if (!last) return { rows, pages };
        after = key(last);
      }
    }
    const messageKey = (m: MessageRow): TimeKey => ({ at: m.createdAt, id: m.id });
    const deliveryKey = (d: DeliveryRow): TimeKey => ({ at: d.updatedAt, id: d.id });

    describe('messages of a tenant', () => {
      it('lists newest first in stable keyset pages, ties on created_at by id, without another tenant’s messages', async () => {
        const sent: MessageRow[] = [];
        // 23 messages over 5 distinct timestamps: pages of 4 cut through runs of equal created_at.
        for (let i = 0; i < 23; i++) sent.push((await send(T0 + (i % 5) * 1000, 1)).message);
        await send(T0 + 2000, 1, { tenant: 'beta' });
        const expected = [...sent].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((m) => m.id);

        const { rows, pages } = await walk((after) => store.listMessages('acme', {}, after, 4), messageKey);
        expect(rows.map((m) => m.id)).toEqual(expected);
        expect(pages).toBe(7); // 6 pages of rows, then the empty one
        expect(rows.every((m) => m.tenant === 'acme')).toBe(true);
        expect((await store.listMessages('beta', {}, null, 100)).map((m) => m.tenant)).toEqual(['beta']);
      });

      it('keeps a walk exact when newer messages arrive between pages', async () => {
        for (let i = 0; i < 10; i++) await send(T0 + i, 1);
        const first = await store.listMessages('acme', {}, null, 4);
        await send(T0 + 100, 1); // newer than every page: belongs before the first, never inside the walk
        const { rows } = await walk((after) => store.listMessages('acme', {}, after ?? messageKey(first[first.length - 1]!), 4), messageKey);
        expect([...first, ...rows].map((m) => m.createdAt)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map((i) => T0 + i));
      });

      it('filters by creation time (from inclusive, to exclusive), category and status', async () => {
        const a = (await send(T0, 2, { category: 'im' })).message;
        const b = (await send(T0 + 1000, 1, { category: 'marketing' })).message;
        const c = (await send(T0 + 2000, 0)).message; // no deliveries: done
        const d = (await send(T0 + 3000, 1, { category: 'im' }, 'vivo')).message;
        await finish('acme', 'vivo', 'sent', T0 + 5000); // d is done
        const ids = async (filter: Parameters<Store['listMessages']>[1]) => (await store.listMessages('acme', filter, null, 100)).map((m) => m.id);

        expect(await ids({ createdFrom: T0 + 1000 })).toEqual([d.id, c.id, b.id]);
        expect(await ids({ createdTo: T0 + 1000 })).toEqual([a.id]);
        expect(await ids({ createdFrom: T0 + 1000, createdTo: T0 + 3000 })).toEqual([c.id, b.id]);
        expect(await ids({ category: 'im' })).toEqual([d.id, a.id]);
        expect(await ids({ status: 'in_progress' })).toEqual([b.id, a.id]);
        expect(await ids({ status: 'done' })).toEqual([d.id, c.id]);
        expect(await ids({ status: 'done', category: 'im', createdFrom: T0 })).toEqual([d.id]);
        expect((await store.getMessage('acme', a.id))?.category).toBe('im');
        expect((await store.getMessage('acme', c.id))?.category).toBeNull();
      });

      it('counts each message’s deliveries per state, within the tenant', async () => {
        const a = await send(T0, 3);
        const b = await send(T0 + 1, 2);
        await finish('acme', 'huawei', 'failed', T0 + 10, 'invalid_token', [a.ids[0]!]);
        const counts = async (tenant: string) =>
          Object.fromEntries((await store.messageStateCounts(tenant, [a.message.id, b.message.id, 'msg_none'])).map((r) => [`${r.messageId}:${r.state}`, r.count]));
        expect(await counts('acme')).toEqual({ [`${a.message.id}:failed`]: 1, [`${a.message.id}:queued`]: 2, [`${b.message.id}:queued`]: 2 });
        expect(await counts('beta')).toEqual({});
        expect(await store.messageStateCounts('acme', [])).toEqual([]);
      });
    });

    describe('deliveries of a message', () => {
      it('filters by state, provider and error code, paging in id order', async () => {
        const m: MessageRow = { id: 'msg_mixed', tenant: 'acme', idempotencyKey: null, payload: '{}', createdAt: T0, expiresAt: null, category: null };
        const hw = deliveries(6);
        const vivo = deliveries(3, { provider: 'vivo' });
        await store.insertMessage(m, [...hw, ...vivo], null);
        await finish('acme', 'huawei', 'failed', T0 + 10, 'invalid_token', [hw[0]!.id, hw[1]!.id]);
        await finish('acme', 'huawei', 'failed', T0 + 20, 'rejected', [hw[2]!.id]);
        await finish('acme', 'vivo', 'failed', T0 + 30, 'invalid_token', [vivo[0]!.id]);
        const ids = async (filter: Parameters<Store['listDeliveries']>[4], after: string | null = null, limit = 100, tenant = 'acme') =>
          (await store.listDeliveries(tenant, m.id, after, limit, filter)).map((d) => d.id);

        expect(await ids({ states: ['failed'] })).toEqual([hw[0]!.id, hw[1]!.id, hw[2]!.id, vivo[0]!.id]);
        expect(await ids({ states: ['queued'], provider: 'vivo' })).toEqual([vivo[1]!.id, vivo[2]!.id]);
        expect(await ids({ errorCode: 'invalid_token' })).toEqual([hw[0]!.id, hw[1]!.id, vivo[0]!.id]);
        expect(await ids({ errorCode: 'invalid_token', provider: 'huawei' })).toEqual([hw[0]!.id, hw[1]!.id]);
        expect(await ids({ errorCode: 'invalid_token' }, hw[1]!.id, 1)).toEqual([vivo[0]!.id]);
        expect(await ids({ states: ['queued', 'sending'] })).toHaveLength(5);
        expect(await ids({}, null, 100, 'beta')).toEqual([]);
        expect(await ids(undefined)).toHaveLength(9);
      });
    });

    describe('dead letters of a tenant', () => {
      it('lists failed and expired deliveries newest first across messages, in stable pages, without another tenant’s', async () => {
        const failed: string[] = [];
        // 5 messages, their deliveries failing at 3 distinct moments: pages of 7 cut through equal updated_at.
        for (let i = 0; i < 5; i++) await send(T0 + i, 6);
        for (let i = 0; i < 5; i++) failed.push(...(await finish('acme', 'huawei', i === 4 ? 'expired' : 'failed', T0 + 10_000 + (i % 3) * 1000, i === 4 ? 'expired' : 'rejected')).ids);
        await send(T0, 2, { tenant: 'beta' });
        await finish('beta', 'huawei', 'failed', T0 + 10_000);
        const sentOnes = (await send(T0 + 9, 3)).ids;
        await finish('acme', 'huawei', 'sent', T0 + 20_000);

        const rowsAll = await walk((after) => store.listDeadLetters('acme', { states: ['failed', 'expired'] }, after, 7), deliveryKey);
        expect(new Set(rowsAll.rows.map((d) => d.id)).size).toBe(30);
        expect(rowsAll.rows.map((d) => d.id).sort()).toEqual([...failed].sort());
        expect(rowsAll.rows.some((d) => sentOnes.includes(d.id))).toBe(false);
        const order = rowsAll.rows.map((d) => [d.updatedAt, d.id] as const);
        expect(order).toEqual([...order].sort((x, y) => y[0] - x[0] || (x[1] < y[1] ? 1 : -1)));
        expect(rowsAll.rows.every((d) => d.tenant === 'acme')).toBe(true);
        expect(await store.listDeadLetters('beta', { states: ['failed', 'expired'] }, null, 100)).toHaveLength(2);
      });

      it('filters by state, since, provider and error code', async () => {
        await send(T0, 2);
        await send(T0 + 1, 2, {}, 'vivo');
        await send(T0 + 2, 2);
        const early = await finish('acme', 'huawei', 'failed', T0 + 1000, 'invalid_token');
        const vivo = await finish('acme', 'vivo', 'expired', T0 + 2000, 'expired');
        const late = await finish('acme', 'huawei', 'failed', T0 + 3000, 'rejected');
        const ids = async (filter: Parameters<Store['listDeadLetters']>[1]) => (await store.listDeadLetters('acme', filter, null, 100)).map((d) => d.id).sort();
        const both: Array<'failed' | 'expired'> = ['failed', 'expired'];

        expect(await ids({ states: ['expired'] })).toEqual(vivo.ids.sort());
        expect(await ids({ states: both, since: T0 + 2000 })).toEqual([...vivo.ids, ...late.ids].sort());
        expect(await ids({ states: both, provider: 'huawei' })).toEqual([...early.ids, ...late.ids].sort());
        expect(await ids({ states: both, errorCode: 'invalid_token' })).toEqual(early.ids.sort());
        expect(await ids({ states: ['failed'], since: T0 + 3001 })).toEqual([]);
        expect(await ids({ states: [] })).toEqual([]);
      });
    });

    describe('summary', () => {
      it('counts finished deliveries since a moment by provider, state and error code, within the tenant', async () => {
        await send(T0, 3);
        await send(T0 + 1, 2, {}, 'vivo');
        await send(T0 + 2, 4);
        await send(T0 + 3, 1);
        await send(T0, 5, { tenant: 'beta' });
        const old = await finish('acme', 'huawei', 'failed', T0 + 100, 'rejected'); // before `since`
        await finish('acme', 'vivo', 'expired', T0 + 2000, 'expired');
        const four = await finish('acme', 'huawei', 'failed', T0 + 2000, 'invalid_token');
        expect(four.ids).toHaveLength(4);
        // The 1-delivery message stays queued: pending rows are not in the summary.
        await finish('beta', 'huawei', 'failed', T0 + 2000, 'rejected');
        expect(old.ids).toHaveLength(3);

        const rows = await store.deliverySummary('acme', T0 + 1000);
        const cells = Object.fromEntries(rows.map((r) => [`${r.provider}:${r.state}:${r.errorCode}`, r.count]));
        expect(cells).toEqual({ 'huawei:failed:invalid_token': 4, 'vivo:expired:expired': 2 });

        // A delivered row (a receipt) and a sent one count with a null error code.
        const s = await send(T0 + 4, 2, {}, 'fcm');
        await finish('acme', 'fcm', 'sent', T0 + 3000);
        await store.markReceipt({ tenant: 'acme', provider: 'fcm', messageId: s.message.id, tokenHash: 'hash:' + s.ids[0]!.slice(4) }, 'delivered', T0 + 3500);
        const states = (await store.deliverySummary('acme', T0 + 3000)).map((r) => [r.provider, r.state, r.errorCode, r.count] as [string, DeliveryState, string | null, number]);
        expect(states).toEqual([
          ['fcm', 'delivered', null, 1],
          ['fcm', 'sent', null, 1],
        ]);
        expect(await store.deliverySummary('nobody', 0)).toEqual([]);
      });

      it('splits the counts by the vendor code the adapter recorded (null where there is none), and filters by it', async () => {
        const m = await send(T0, 4);
        const claimed = await store.claimBatch({ tenant: 'acme', provider: 'huawei', now: T0 + 10, leaseUntil: T0 + 60_000, owner: OWNER, limit: 10, excludeClasses: [] });
        expect(claimed?.deliveries).toHaveLength(4);
        const [a, b, c, d] = m.ids as [string, string, string, string];
        const fail = (id: string, vendorCode?: string) => ({ id, state: 'failed' as const, attempts: 1, error: { code: 'rejected', ...(vendorCode ? { vendorCode } : {}), message: 'no' } });
        await store.completeDeliveries(OWNER, [fail(a, '80100003'), fail(b, '80100003'), fail(c, '80300008'), fail(d)], T0 + 20);
        const rows = await store.deliverySummary('acme', T0);
        expect(rows.map((r) => [r.errorCode, r.vendorCode, r.count])).toEqual([
          ['rejected', null, 1],
          ['rejected', '80100003', 2],
          ['rejected', '80300008', 1],
        ]);
        // Each group is addressable by its vendor code, in the dead-letter view and in a message's deliveries.
        const dead = await store.listDeadLetters('acme', { states: ['failed'], errorCode: 'rejected', vendorCode: '80100003' }, null, 100);
        expect(dead.map((x) => x.id).sort()).toEqual([a, b].sort());
        expect((await store.listDeliveries('acme', m.message.id, null, 100, { vendorCode: '80300008' })).map((x) => x.id)).toEqual([c]);
        expect(await store.listDeadLetters('beta', { states: ['failed'], vendorCode: '80100003' }, null, 100)).toEqual([]);
      });
    });

    describe('lane activity of a tenant', () => {
      it('counts queued and sending deliveries per provider, the oldest pending one, and those sent since a moment', async () => {
        const first = await send(T0, 3); // huawei: claimed below, so sending
        await send(T0 + 5, 2); // huawei: queued
        await send(T0 + 7, 4, {}, 'vivo');
        await finish('acme', 'vivo', 'sent', T0 + 1000, undefined);
        await send(T0 + 8, 2, {}, 'vivo'); // queued after the others were sent
        const fcm = await send(T0 + 9, 3, {}, 'fcm');
        await finish('acme', 'fcm', 'sent', T0 + 100); // before `since`: not counted
        // A receipt after `since` makes one of them delivered: counted again, by its last change.
        await store.markReceipt({ tenant: 'acme', provider: 'fcm', messageId: fcm.message.id, tokenHash: 'hash:' + fcm.ids[0]!.slice(4) }, 'delivered', T0 + 1500);
        const failed = await send(T0 + 10, 2, {}, 'fcm');
        await finish('acme', 'fcm', 'failed', T0 + 1500, 'rejected', failed.ids); // failed: not sent
        await send(T0 - 50, 6, { tenant: 'beta' });
        const claim = await store.claimBatch({ tenant: 'acme', provider: 'huawei', now: T0 + 2000, leaseUntil: T0 + 60_000, owner: OWNER, limit: 1000, excludeClasses: [] });
        expect(claim?.message.id).toBe(first.message.id);

        expect(await store.laneActivity('acme', T0 + 1000)).toEqual([
          { provider: 'fcm', queued: 0, sending: 0, oldestPendingAt: null, sentSince: 1 },
          { provider: 'huawei', queued: 2, sending: 3, oldestPendingAt: T0, sentSince: 0 },
          { provider: 'vivo', queued: 2, sending: 0, oldestPendingAt: T0 + 8, sentSince: 4 },
        ]);
        expect(await store.laneActivity('acme', T0 + 1001)).toContainEqual({ provider: 'vivo', queued: 2, sending: 0, oldestPendingAt: T0 + 8, sentSince: 0 });
        expect(await store.laneActivity('beta', 0)).toEqual([{ provider: 'huawei', queued: 6, sending: 0, oldestPendingAt: T0 - 50, sentSince: 0 }]);
        expect(await store.laneActivity('nobody', 0)).toEqual([]);
      });
    });
  });
}
