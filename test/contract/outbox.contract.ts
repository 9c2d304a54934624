/**
 * Part of the store conformance suite (store.contract.ts calls it for SQLite and PostgreSQL): the
 * webhook outbox. Rows are written in the transaction of the change that causes them (a writer
 * that throws rolls the change back), message completion is seen once even when two lanes finish
 * one message at the same moment on two connections, and claims lease rows like deliveries.
 */
import type { NewDelivery, NewOutboxEvent, OutboxWriter, Store, StoreChange } from '../../src/store/types.js';

const T0 = 1_764_000_000_000;

export function describeOutbox(current: () => Store, openAnother: () => Promise<Store>): void {
  describe('webhook outbox', () => {
    let store: Store;
    let seq: number;
    beforeEach(() => {
      store = current();
      seq = 0;
    });
    const next = () => String(++seq).padStart(6, '0');
    const changes: StoreChange[] = [];
    /** Records each change and writes one row per change, the change as its body. */
    const writer: OutboxWriter = (c, now) => {
      changes.push(c);
      return [{ id: `evt_${next()}`, tenant: c.tenant, url: 'https://hooks.example.com/a', event: c.kind, body: JSON.stringify(c), giveUpAt: now + 86_400_000 }];
    };
    beforeEach(() => void changes.splice(0));
    const rows = async (state: 'pending' | 'delivered' | 'failed' = 'pending') => (await store.listOutbox('acme', state, null, 1000)).map((r) => ({ event: r.event, body: JSON.parse(r.body) as Record<string, unknown> }));
    const send = async (providers: string[]) => {
      const ds: NewDelivery[] = providers.map((provider) => {
        const n = next();
        return { id: `dlv_${n}`, provider, deviceId: null, tokenEnc: `enc:${n}`, tokenHash: `hash:${n}`, extras: null, quotaClass: 'default', registered: false };
      });
      const id = `msg_${next()}`;
      await store.insertMessage({ id, tenant: 'acme', idempotencyKey: null, payload: '{}', createdAt: T0, expiresAt: null, category: null }, ds, null);
      return { id, ds };
    };
    const claim = (s: Store, provider: string, owner = 'o1') => s.claimBatch({ tenant: 'acme', provider, now: T0, leaseUntil: T0 + 60_000, owner, limit: 100, excludeClasses: [] });

    it('writes an event for each finished delivery and message.completed once, when the last pending delivery of the message finishes', async () => {
      const { id, ds } = await send(['huawei', 'huawei', 'xiaomi']);
      const hw = (await claim(store, 'huawei'))!;
      await store.completeDeliveries('o1', [
        { id: ds[0]!.id, state: 'sent', vendorMessageId: 'v1', attempts: 1 },
        { id: ds[1]!.id, state: 'failed', attempts: 1, error: { code: 'rejected', message: 'no' } },
      ], T0 + 1, writer);
      expect(hw.deliveries).toHaveLength(2);
      expect((await rows()).map((r) => r.event).sort()).toEqual(['delivery', 'delivery']);
      await claim(store, 'xiaomi');
      await store.completeDeliveries('o1', [{ id: ds[2]!.id, state: 'queued', nextAttemptAt: T0 + 5, error: null, attempts: 1 }], T0 + 2, writer);
      expect(changes.filter((c) => c.kind === 'message_done')).toHaveLength(0);
      await store.claimBatch({ tenant: 'acme', provider: 'xiaomi', now: T0 + 10, leaseUntil: T0 + 60_000, owner: 'o1', limit: 100, excludeClasses: [] });
      await store.completeDeliveries('o1', [{ id: ds[2]!.id, state: 'expired', attempts: 1, error: { code: 'expired', message: 'ttl' } }], T0 + 11, writer);
      const done = changes.filter((c) => c.kind === 'message_done');
      expect(done).toEqual([{ kind: 'message_done', tenant: 'acme', messageId: id, counts: { sent: 1, failed: 1, expired: 1 } }]);
      // A receipt on the finished message is a delivery change, never a second completion.
      await store.markReceipt({ tenant: 'acme', provider: 'huawei', messageId: id, tokenHash: ds[0]!.tokenHash }, 'delivered', T0 + 12, writer);
      expect(changes.filter((c) => c.kind === 'message_done')).toHaveLength(1);
      expect(changes.at(-1)).toMatchObject({ kind: 'delivery', deliveryId: ds[0]!.id, state: 'delivered' });
      expect(await rows()).toHaveLength(5);
    });

    it('writes message.completed when erasing a user removes the last pending deliveries of a message', async () => {
      await store.upsertDevice({ id: 'dev_e', tenant: 'acme', provider: 'huawei', tokenEnc: 'e', tokenHash: 'he', userId: 'gone', extras: null, now: T0 });
      const { id, ds } = await send(['huawei']);
      await claim(store, 'huawei');
      await store.completeDeliveries('o1', [{ id: ds[0]!.id, state: 'sent', vendorMessageId: null, attempts: 1 }], T0 + 1, writer);
      // The first message is complete already; a second one's only delivery is the erased user's.
      const other = { id: `dlv_${next()}`, provider: 'huawei', deviceId: 'dev_e', tokenEnc: 'e', tokenHash: 'he', extras: null, quotaClass: 'default', registered: true };
      await store.insertMessage({ id: `${id}_2`, tenant: 'acme', idempotencyKey: null, payload: '{}', createdAt: T0, expiresAt: null, category: null }, [other], null);
      expect(await store.eraseUser('acme', 'gone', { now: T0 + 2, outbox: writer })).toEqual({ devices: 1, deliveries: 1 });
      expect(changes.filter((c) => c.kind === 'message_done').map((c) => c.kind === 'message_done' && c.messageId)).toEqual([id, `${id}_2`]);
      expect(changes.filter((c) => c.kind === 'delivery')).toHaveLength(1);
    });

    it('writes message.completed when a cancel leaves nothing queued or sending, and again after a replay ends the message anew', async () => {
      const { id, ds } = await send(['huawei', 'huawei']);
      await claim(store, 'huawei');
      await store.completeDeliveries('o1', [{ id: ds[0]!.id, state: 'failed', attempts: 1, error: { code: 'rejected', message: 'no' } }], T0 + 1, writer);
      // The second delivery was claimed but never handed to the vendor: the cancel takes it and completes the message.
      const canceled = await store.cancelDeliveries('acme', id, T0 + 2, writer);
      expect(canceled.map((c) => c.id)).toEqual([ds[1]!.id]);
      expect(changes.filter((c) => c.kind === 'message_done')).toEqual([{ kind: 'message_done', tenant: 'acme', messageId: id, counts: { failed: 1, canceled: 1 } }]);
      expect(await store.cancelDeliveries('acme', id, T0 + 3, writer)).toEqual([]);
      expect(changes.filter((c) => c.kind === 'message_done')).toHaveLength(1);
      // Replaying the failed one re-arms completion: when it ends, the message completes once more.
      const replay = await store.requeueDeliveries({ tenant: 'acme', ids: [ds[0]!.id], now: T0 + 4, expiries: [], idempotency: null });
      expect(replay).toMatchObject({ inserted: true, requeued: [{ id: ds[0]!.id }] });
      await store.claimBatch({ tenant: 'acme', provider: 'huawei', now: T0 + 5, leaseUntil: T0 + 60_000, owner: 'o1', limit: 100, excludeClasses: [] });
      await store.completeDeliveries('o1', [{ id: ds[0]!.id, state: 'sent', vendorMessageId: 'v2', attempts: 1 }], T0 + 6, writer);
      expect(changes.filter((c) => c.kind === 'message_done').map((c) => (c as { counts: unknown }).counts)).toEqual([
        { failed: 1, canceled: 1 },
        { sent: 1, canceled: 1 },
      ]);
    });

    it('rolls the change back with its events when writing them fails: no state change without its event, no event without its change', async () => {
      const { ds } = await send(['huawei']);
      await claim(store, 'huawei');
      const boom: OutboxWriter = () => {
        throw new Error('outbox write failed');
      };
      await expect(store.completeDeliveries('o1', [{ id: ds[0]!.id, state: 'failed', attempts: 1, error: { code: 'rejected', message: 'no' } }], T0 + 1, boom)).rejects.toThrow('outbox write failed');
      expect((await store.listDeliveries('acme', (await store.listMessages('acme', {}, null, 1))[0]!.id, null, 10))[0]!.state).toBe('sending');
      expect(await rows()).toEqual([]);

      await store.upsertDevice({ id: 'dev_1', tenant: 'acme', provider: 'huawei', tokenEnc: 'e', tokenHash: 'h1', userId: 'u1', extras: null, now: T0 });
      await expect(store.deleteDeviceByHash('acme', 'huawei', 'h1', { now: T0, outbox: boom })).rejects.toThrow();
      expect(await store.getDevices('acme', ['dev_1'])).toHaveLength(1);
      expect(await store.deleteDeviceByHash('acme', 'huawei', 'h1', { now: T0, outbox: writer })).toBe(true);
      expect(changes).toEqual([{ kind: 'device_pruned', tenant: 'acme', provider: 'huawei', deviceId: 'dev_1', userId: 'u1' }]);
      expect(await store.getDevices('acme', ['dev_1'])).toEqual([]);
    });

    it('writes nothing for a delivery whose lease another instance took over', async () => {
      const { ds } = await send(['huawei']);
      await claim(store, 'huawei', 'o1');
      await store.completeDeliveries('o2', [{ id: ds[0]!.id, state: 'failed', attempts: 1, error: { code: 'rejected', message: 'no' } }], T0 + 1, writer);
      expect(changes).toEqual([]);
      expect(await rows()).toEqual([]);
    });

    it('sees a message completed once when two lanes finish it at the same moment on two connections', async () => {
      const other = await openAnother();
      try {
        for (let round = 0; round < 5; round++) {
          const { id, ds } = await send(['huawei', 'xiaomi']);
          await claim(store, 'huawei');
          await claim(other, 'xiaomi');
          await Promise.all([
            store.completeDeliveries('o1', [{ id: ds[0]!.id, state: 'sent', vendorMessageId: null, attempts: 1 }], T0 + 1, writer),
            other.completeDeliveries('o1', [{ id: ds[1]!.id, state: 'sent', vendorMessageId: null, attempts: 1 }], T0 + 1, writer),
          ]);
          expect(changes.filter((c) => c.kind === 'message_done' && c.messageId === id)).toHaveLength(1);
        }
      } finally {
        await other.close();
      }
    });

    it('leases due events to one claimer at a time, applies only the lease holder’s verdict, retries failed ones by hand and reports the backlog', async () => {
      const events: NewOutboxEvent[] = [];
      const w: OutboxWriter = (c, now) => {
        const r = writer(c, now);
        events.push(...r);
        return r;
      };
      for (let i = 0; i < 6; i++) {
        await store.upsertDevice({ id: `dev_${i}`, tenant: 'acme', provider: 'huawei', tokenEnc: 'e', tokenHash: `h${i}`, userId: null, extras: null, now: T0 });
        await store.deleteDeviceByHash('acme', 'huawei', `h${i}`, { now: T0 + i, outbox: w });
      }
      expect(await store.outboxStats()).toEqual([{ tenant: 'acme', pending: 6, oldestCreatedAt: T0 }]);
      const other = await openAnother();
      try {
        const [a, b] = await Promise.all([store.claimOutbox('o1', T0 + 10, T0 + 1000, 4), other.claimOutbox('o2', T0 + 10, T0 + 1000, 4)]);
        const ids = [...a, ...b].map((r) => r.id);
        expect(new Set(ids).size).toBe(6);
        expect(await store.claimOutbox('o3', T0 + 20, T0 + 1000, 10)).toEqual([]);
        expect(await store.nextOutboxDueAt()).toBe(T0 + 1000);
        const mine = a.length ? a : b;
        const owner = a.length ? 'o1' : 'o2';
        // Not the holder: ignored.
        await store.completeOutbox('o9', [{ id: mine[0]!.id, state: 'delivered', attempts: 1, error: null }], T0 + 30);
        await store.completeOutbox(owner, [
          { id: mine[0]!.id, state: 'delivered', attempts: 1, error: null },
          ...mine.slice(1).map((r) => ({ id: r.id, state: 'failed' as const, attempts: 3, error: 'the receiver answered 500' })),
        ], T0 + 30);
        expect(await store.listOutbox('acme', 'delivered', null, 10)).toHaveLength(1);
        const failed = await store.listOutbox('acme', 'failed', null, 10);
        expect(failed).toHaveLength(mine.length - 1);
        expect(failed[0]).toMatchObject({ state: 'failed', attempts: 3, lastError: 'the receiver answered 500' });
        expect(await store.listOutbox('beta', 'failed', null, 10)).toEqual([]);
        // The other claimer gives its leases back (shutdown): due again at once.
        expect(await (a.length ? other : store).releaseOutbox(a.length ? 'o2' : 'o1', T0 + 40)).toBe(6 - mine.length);
        expect(await store.retryOutbox('beta', null, T0 + 50, T0 + 99_000, 10)).toBe(0);
        expect(await store.retryOutbox('acme', failed.length > 1 ? [failed[0]!.id] : null, T0 + 50, T0 + 99_000, 10)).toBe(1);
        const again = await store.claimOutbox('o1', T0 + 60, T0 + 2000, 10);
        expect(again.length).toBe(6 - mine.length + 1);
        expect(again.find((r) => r.id === failed[0]!.id)).toMatchObject({ attempts: 0, giveUpAt: T0 + 99_000 });
        expect(events).toHaveLength(6);
      } finally {
        await other.close();
      }
    });
  });
}
