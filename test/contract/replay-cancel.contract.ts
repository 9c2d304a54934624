/**
 * Part of the store conformance suite (store.contract.ts calls it for SQLite and PostgreSQL): what
 * DELETE /v1/messages/{id} and the replay routes ask of the store. A canceled delivery is never handed
 * to a vendor, whichever of cancel and claim comes first; a delivery already handed off is left to
 * finish; a requeue touches only failed and expired rows, moves the expiry it is given, and stores
 * its idempotent answer in the same transaction.
 */
import type { DeliveryRow, DeliveryUpdate, MessageRow, NewDelivery, Store } from '../../src/store/types.js';

const T0 = 1_764_000_000_000;
const LANE = { tenant: 'acme', provider: 'huawei' } as const;

export function describeReplayAndCancel(current: () => Store): void {
  describe('cancel and replay', () => {
    let store: Store;
    let seq: number;
    beforeEach(() => {
      store = current();
      seq = 0;
    });

    const next = () => String(++seq).padStart(6, '0');
    const send = async (count: number, over: Partial<MessageRow> = {}, tenant = 'acme') => {
      const m: MessageRow = { id: `msg_${next()}`, tenant, idempotencyKey: null, payload: '{}', createdAt: T0, expiresAt: null, category: null, ...over };
      const ds: NewDelivery[] = Array.from({ length: count }, () => {
        const n = next();
        return { id: `dlv_${n}`, provider: 'huawei', deviceId: null, tokenEnc: `enc:${n}`, tokenHash: `hash:${n}`, extras: null, quotaClass: 'default', registered: false };
      });
      await store.insertMessage(m, ds, null);
      return { message: m, ids: ds.map((d) => d.id) };
    };
    const claim = (owner: string, limit = 1000, tenant = 'acme') => store.claimBatch({ ...LANE, tenant, now: T0, leaseUntil: T0 + 60_000, owner, limit, excludeClasses: [] });
    const rows = async (messageId: string, tenant = 'acme'): Promise<Record<string, DeliveryRow>> =>
      Object.fromEntries((await store.listDeliveries(tenant, messageId, null, 10_000)).map((d) => [d.id, d]));
    const states = async (messageId: string) => Object.fromEntries(Object.values(await rows(messageId)).map((d) => [d.id, d.state]));
    const fail = (id: string, code = 'auth_error'): DeliveryUpdate => ({ id, state: 'failed', attempts: 3, error: { code, message: `${code} happened` } });

    it('cancels queued deliveries and claimed ones not yet handed off; the hand-off then finds them gone and the completion cannot revive them', async () => {
      const { message, ids } = await send(4);
      const batch = await claim('owner-a', 2);
      expect(batch?.deliveries.map((d) => d.id)).toEqual(ids.slice(0, 2));

      const canceled = await store.cancelDeliveries('acme', message.id, T0 + 1);
      expect(canceled.map((c) => c.id).sort()).toEqual(ids);
      expect(canceled[0]).toMatchObject({ tenant: 'acme', provider: 'huawei' });
      expect(await store.startSending('owner-a', ids.slice(0, 2), T0 + 2)).toEqual([]);
      await store.completeDeliveries('owner-a', ids.slice(0, 2).map((id) => ({ id, state: 'sent', vendorMessageId: 'v1', attempts: 1 })), T0 + 3);
      expect(Object.values(await states(message.id))).toEqual(['canceled', 'canceled', 'canceled', 'canceled']);
      // Final: nothing more to claim, nothing pending.
      expect(await claim('owner-b')).toBeNull();
      expect(await store.pendingCount('acme')).toBe(0);
    });

    it('leaves a delivery already handed to the vendor to finish, and cancels the rest', async () => {
      const { message, ids } = await send(3);
      await claim('owner-a', 2);
      expect((await store.startSending('owner-a', ids.slice(0, 2), T0 + 1)).sort()).toEqual(ids.slice(0, 2));
      const canceled = await store.cancelDeliveries('acme', message.id, T0 + 2);
      expect(canceled.map((c) => c.id)).toEqual([ids[2]]);
      await store.completeDeliveries('owner-a', ids.slice(0, 2).map((id) => ({ id, state: 'sent', vendorMessageId: 'v1', attempts: 1 })), T0 + 3);
      expect(await states(message.id)).toEqual({ [ids[0]!]: 'sent', [ids[1]!]: 'sent', [ids[2]!]: 'canceled' });
    });

    it('leaves a handed-off delivery to finish when the cancel lands while its completion waits to commit', async () => {
      const { message, ids } = await send(2);
      await claim('owner-a');
      expect((await store.startSending('owner-a', ids, T0 + 1)).sort()).toEqual([...ids].sort());
      const completing = store.completeDeliveries('owner-a', ids.map((id) => ({ id, state: 'sent', vendorMessageId: 'v1', attempts: 1 })), T0 + 2);
      expect(await store.cancelDeliveries('acme', message.id, T0 + 2)).toEqual([]);
      await completing;
      expect(Object.values(await states(message.id))).toEqual(['sent', 'sent']);
    });

    it('hands off only rows still leased by the caller', async () => {
      const { ids } = await send(2);
      await claim('owner-a');
      expect(await store.startSending('owner-b', ids, T0 + 1)).toEqual([]);
      expect((await store.startSending('owner-a', ids, T0 + 1)).sort()).toEqual(ids);
    });

    it('cancels a handed-off delivery whose lease ran out (its owner is gone), and never another tenant’s', async () => {
      const { message, ids } = await send(1);
      await claim('owner-a');
      await store.startSending('owner-a', ids, T0 + 1);
      expect(await store.cancelDeliveries('beta', message.id, T0 + 2)).toEqual([]);
      expect(await store.cancelDeliveries('acme', message.id, T0 + 2)).toEqual([]);
      expect((await store.cancelDeliveries('acme', message.id, T0 + 60_000)).map((c) => c.id)).toEqual(ids);
    });

    it('marks recalled sent deliveries canceled with last error recalled, and nothing else', async () => {
      const { message, ids } = await send(3);
      await claim('owner-a');
      await store.completeDeliveries('owner-a', [{ id: ids[0]!, state: 'sent', vendorMessageId: 'v', attempts: 1 }, { id: ids[1]!, state: 'sent', vendorMessageId: 'v', attempts: 1 }, fail(ids[2]!)], T0 + 1);
      expect(await store.markRecalled('beta', [ids[0]!], T0 + 2)).toBe(0);
      expect(await store.markRecalled('acme', [ids[0]!, ids[2]!], T0 + 2)).toBe(1);
      const r = await rows(message.id);
      expect(r[ids[0]!]).toMatchObject({ state: 'canceled', lastError: { code: 'recalled' } });
      expect(r[ids[1]!]?.state).toBe('sent');
      expect(r[ids[2]!]?.state).toBe('failed');
      expect((await store.deliverySummary('acme', T0)).find((c) => c.state === 'canceled')).toEqual({ provider: 'huawei', state: 'canceled', errorCode: 'recalled', vendorCode: null, count: 1 });
    });

    it('requeues failed and expired deliveries with fresh attempts, due now, the last error kept; sent and canceled ones stay', async () => {
      const { message, ids } = await send(4, { expiresAt: T0 + 1000 });
      await claim('owner-a');
      await store.completeDeliveries(
        'owner-a',
        [fail(ids[0]!), { id: ids[1]!, state: 'expired', attempts: 1, error: { code: 'expired', message: 'late' } }, { id: ids[2]!, state: 'sent', vendorMessageId: 'v', attempts: 1 }],
        T0 + 1,
      );
      await store.cancelDeliveries('acme', message.id, T0 + 2); // ids[3] was still sending, not handed off
      const out = await store.requeueDeliveries({ tenant: 'acme', ids, now: T0 + 5000, expiries: [{ messageId: message.id, expiresAt: T0 + 99_000 }], idempotency: null });
      expect(out.inserted && out.requeued.map((x) => x.id).sort()).toEqual(ids.slice(0, 2));
      const r = await rows(message.id);
      expect(r[ids[0]!]).toMatchObject({ state: 'queued', attempts: 0, nextAttemptAt: T0 + 5000, lastError: { code: 'auth_error' } });
      expect(r[ids[1]!]).toMatchObject({ state: 'queued', attempts: 0 });
      expect(r[ids[2]!]?.state).toBe('sent');
      expect(r[ids[3]!]?.state).toBe('canceled');
      expect((await store.getMessage('acme', message.id))?.expiresAt).toBe(T0 + 99_000);
      // Claimable again, like any queued delivery.
      expect((await store.claimBatch({ ...LANE, now: T0 + 5000, leaseUntil: T0 + 65_000, owner: 'owner-b', limit: 10, excludeClasses: [] }))?.deliveries.map((d) => d.id).sort()).toEqual(ids.slice(0, 2));
    });

    it('never requeues another tenant’s deliveries', async () => {
      const { ids } = await send(1, {}, 'beta');
      await claim('owner-a', 10, 'beta');
      await store.completeDeliveries('owner-a', [fail(ids[0]!)], T0 + 1);
      const out = await store.requeueDeliveries({ tenant: 'acme', ids, now: T0 + 2, expiries: [], idempotency: null });
      expect(out).toEqual({ inserted: true, requeued: [], response: null });
    });

    it('stores the idempotent answer with the requeue, and a second request with the key gets it and changes nothing', async () => {
      const { message, ids } = await send(2);
      await claim('owner-a');
      await store.completeDeliveries('owner-a', ids.map((id) => fail(id)), T0 + 1);
      const idempotency = { key: 'k-1', bodyHash: 'h', status: 200, createdAt: T0 + 2, answer: (r: Array<{ id: string }>) => JSON.stringify({ requeued: r.length }) };
      const first = await store.requeueDeliveries({ tenant: 'acme', ids, now: T0 + 2, expiries: [], idempotency });
      expect(first).toMatchObject({ inserted: true, response: '{"requeued":2}' });
      expect((await store.claimBatch({ ...LANE, now: T0 + 3, leaseUntil: T0 + 60_000, owner: 'owner-b', limit: 10, excludeClasses: [] }))?.deliveries).toHaveLength(2);
      await store.completeDeliveries('owner-b', ids.map((id) => fail(id)), T0 + 3);
      const again = await store.requeueDeliveries({ tenant: 'acme', ids, now: T0 + 4, expiries: [], idempotency: { ...idempotency, createdAt: T0 + 4 } });
      expect(again).toEqual({ inserted: false, existing: { key: 'k-1', bodyHash: 'h', status: 200, response: '{"requeued":2}', createdAt: T0 + 2 } });
      expect(Object.values(await states(message.id))).toEqual(['failed', 'failed']);
      expect(await store.getIdempotency('acme', 'k-1', T0)).toMatchObject({ response: '{"requeued":2}' });
    });
  });
}
