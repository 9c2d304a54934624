/**
 * Part of the store conformance suite (store.contract.ts calls it for SQLite and PostgreSQL): targets no
 * lane has claimed yet. Both stores keep them as chunk rows (src/store/chunks.ts) until a claim, or
 * anything else that needs them one by one, turns them into deliveries; none of that may show. Each
 * case uses more targets than one chunk holds, so a message spans chunks and claims split them.
 */
import { CHUNK_TARGETS } from '../../src/store/chunks.js';
import type { DeliveryState, NewOutboxEvent, OutboxWriter, Store, StoreChange } from '../../src/store/types.js';
import { LANE, storeFixtures, T0 } from './store-fixtures.js';

export function describeChunks(current: () => Store): void {
  describe('targets not yet claimed (chunk rows)', () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });
    const { device, delivery, message, send, claim, all, counts } = storeFixtures(current);
    const big = CHUNK_TARGETS + CHUNK_TARGETS / 2;

    it('claims a message across its chunks in insertion order, at a limit that splits them, each target once', async () => {
      const a = await send(big);
      const taken: string[] = [];
      const sizes: number[] = [];
      for (let b = await claim(store, { limit: 400 }); b; b = await claim(store, { limit: 400 })) {
        expect(b.message.id).toBe(a.message.id);
        sizes.push(b.deliveries.length);
        taken.push(...b.deliveries.map((d) => d.id));
        expect(await counts('acme', a.message.id)).toEqual({ 'huawei:sending': taken.length, ...(taken.length < big ? { 'huawei:queued': big - taken.length } : {}) });
      }
      expect(taken).toEqual(a.ids);
      expect(sizes.every((n) => n <= 400)).toBe(true);
      expect(sizes.reduce((x, y) => x + y, 0)).toBe(big);
    });

    it('returns claimed targets with every field the accept stored (device, extras, registered, class)', async () => {
      const m = message();
      const extras = { apns: { environment: 'sandbox', topic: 'com.example\tapp' }, note: 'line\nbreak' };
      const ds = [delivery({ deviceId: 'dev_x', extras, registered: true }), delivery({ quotaClass: 'marketing' }), delivery()];
      await store.insertMessage(m, ds, null);
      const batch = await claim(store, { excludeClasses: ['marketing'] });
      expect(batch?.deliveries.map((d) => [d.id, d.deviceId, d.extras, d.registered, d.quotaClass, d.tokenEnc, d.tokenHash])).toEqual([
        [ds[0]!.id, 'dev_x', extras, true, 'default', ds[0]!.tokenEnc, ds[0]!.tokenHash],
        [ds[2]!.id, null, null, false, 'default', ds[2]!.tokenEnc, ds[2]!.tokenHash],
      ]);
      const listed = new Map((await all('acme', m.id)).map((d) => [d.id, d]));
      expect(listed.get(ds[1]!.id)).toMatchObject({ state: 'queued', quotaClass: 'marketing', deviceId: null, nextAttemptAt: T0, attempts: 0 });
    });

    it('lists, counts and reports lanes with the targets still in chunks as queued', async () => {
      const a = await send(big);
      await claim(store, { limit: 300, now: T0 + 5 });
      const listed = await all('acme', a.message.id);
      expect(listed.map((d) => d.id)).toEqual(a.ids);
      expect(listed.filter((d) => d.state === 'sending')).toHaveLength(300);
      expect(listed.filter((d) => d.state === 'queued').every((d) => d.nextAttemptAt === T0 && d.updatedAt === T0 && d.messageId === a.message.id)).toBe(true);
      const page = await store.listDeliveries('acme', a.message.id, a.ids[9]!, 5);
      expect(page.map((d) => d.id)).toEqual(a.ids.slice(10, 15));
      expect(await store.messageStateCounts('acme', [a.message.id])).toEqual(
        expect.arrayContaining([
          { messageId: a.message.id, state: 'sending' as DeliveryState, count: 300 },
          { messageId: a.message.id, state: 'queued' as DeliveryState, count: big - 300 },
        ]),
      );
      expect(await store.pendingCount('acme')).toBe(big);
      expect(await store.laneStats()).toEqual([{ ...LANE, depth: big, oldestCreatedAt: T0 }]);
      expect(await store.laneActivity('acme', T0)).toEqual([{ provider: 'huawei', queued: big - 300, sending: 300, oldestPendingAt: T0, sentSince: 0 }]);
      expect((await store.listMessages('acme', { status: 'in_progress' }, null, 10)).map((m) => m.id)).toEqual([a.message.id]);
    });

    it('pages a message across providers and chunks in id order, each target once, while claims take chunks between pages', async () => {
      const m = message();
      // Interleaved providers: each chunk (one per provider) spans the whole id range of the message.
      const ds = Array.from({ length: big }, (_, i) => delivery(i % 3 === 0 ? { provider: 'xiaomi' } : {}));
      await store.insertMessage(m, ds, null);
      const seen: string[] = [];
      let after: string | null = null;
      for (let n = 0; ; n++) {
        const page = await store.listDeliveries('acme', m.id, after, 250);
        if (!page.length) break;
        seen.push(...page.map((d) => d.id));
        after = page[page.length - 1]!.id;
        if (n === 1) await claim(store, { limit: 400 });
        if (n === 3) await claim(store, { provider: 'xiaomi', limit: 700 });
      }
      expect(seen).toEqual(ds.map((d) => d.id).sort());
      const states = (await all('acme', m.id)).reduce<Record<string, number>>((acc, d) => ({ ...acc, [d.state]: (acc[d.state] ?? 0) + 1 }), {});
      expect(states).toEqual({ sending: 400 + 500, queued: big - 900 });
    });

    it('filters targets still in chunks by state, provider and error like rows', async () => {
      const m = message();
      const ds = [delivery(), delivery({ provider: 'xiaomi' }), delivery()];
      await store.insertMessage(m, ds, null);
      const ids = async (filter: Parameters<Store['listDeliveries']>[4]) => (await store.listDeliveries('acme', m.id, null, 10, filter)).map((d) => d.id);
      expect(await ids({ states: ['queued'] })).toEqual([ds[0]!.id, ds[1]!.id, ds[2]!.id]);
      expect(await ids({ states: ['sent', 'failed'] })).toEqual([]);
      expect(await ids({ provider: 'xiaomi' })).toEqual([ds[1]!.id]);
      expect(await ids({ states: ['queued'], provider: 'huawei' })).toEqual([ds[0]!.id, ds[2]!.id]);
      expect(await ids({ errorCode: 'invalid_token' })).toEqual([]);
      expect(await store.listDeliveries('beta', m.id, null, 10)).toEqual([]);
    });

    it('takes the lane’s earliest due work whether a row or a chunk, rows first when both fall due together', async () => {
      const retried = await send(1);
      const first = await claim(store);
      await store.completeDeliveries('owner-a', [{ id: retried.ids[0]!, state: 'queued', nextAttemptAt: T0 + 100, error: null, attempts: 1 }], T0 + 1);
      const tie = await send(2, { createdAt: T0 + 100 });
      const early = await send(2, { createdAt: T0 + 50 });
      expect(first?.message.id).toBe(retried.message.id);
      const order: string[] = [];
      for (let b = await claim(store, { now: T0 + 200 }); b; b = await claim(store, { now: T0 + 200 })) order.push(b.message.id);
      expect(order).toEqual([early.message.id, retried.message.id, tie.message.id]);
    });

    it('counts, lists and finds due targets of a message no claim has touched', async () => {
      const a = await send(big, { createdAt: T0 + 7 });
      expect(await store.nextDueAt(LANE, [])).toBe(T0 + 7);
      expect(await store.nextDueAt(LANE, ['default'])).toBeNull();
      expect(await counts('acme', a.message.id)).toEqual({ 'huawei:queued': big });
      expect(await store.messageStateCounts('acme', [a.message.id])).toEqual([{ messageId: a.message.id, state: 'queued', count: big }]);
      expect(await store.pendingCount('acme')).toBe(big);
      expect(await store.laneActivity('acme', T0)).toEqual([{ provider: 'huawei', queued: big, sending: 0, oldestPendingAt: T0 + 7, sentSince: 0 }]);
      expect((await store.listMessages('acme', { status: 'done' }, null, 10)).map((m) => m.id)).toEqual([]);
      expect((await store.listDeliveries('acme', a.message.id, null, 3)).map((d) => d.id)).toEqual(a.ids.slice(0, 3));
    });

    it('cancels targets still in chunks and claimed ones not handed off, and then has nothing to claim', async () => {
      const a = await send(big);
      const claimed = await claim(store, { limit: 300 });
      const canceled = await store.cancelDeliveries('acme', a.message.id, T0 + 10);
      expect(canceled.map((c) => c.id).sort()).toEqual([...a.ids].sort());
      expect(await store.startSending('owner-a', claimed!.deliveries.map((d) => d.id), T0 + 11)).toEqual([]);
      expect(await claim(store, { now: T0 + 20 })).toBeNull();
      expect(await store.nextDueAt(LANE, [])).toBeNull();
      expect(await counts('acme', a.message.id)).toEqual({ 'huawei:canceled': big });
    });

    it('completes a message only after its last chunk was claimed and finished', async () => {
      const events: StoreChange[] = [];
      const writer: OutboxWriter = (c) => {
        events.push(c);
        return [] as NewOutboxEvent[];
      };
      const a = await send(CHUNK_TARGETS + 10);
      const sent = (ids: string[]) => ids.map((id) => ({ id, state: 'sent' as const, vendorMessageId: null, attempts: 1 }));
      const first = await claim(store);
      await store.completeDeliveries('owner-a', sent(first!.deliveries.map((d) => d.id)), T0 + 1, writer);
      expect(events.filter((e) => e.kind === 'message_done')).toEqual([]);
      const second = await claim(store);
      expect(second?.deliveries).toHaveLength(10);
      await store.completeDeliveries('owner-a', sent(second!.deliveries.map((d) => d.id)), T0 + 2, writer);
      expect(events.filter((e) => e.kind === 'message_done')).toEqual([{ kind: 'message_done', tenant: 'acme', messageId: a.message.id, counts: { sent: CHUNK_TARGETS + 10 } }]);
    });

    it('exports and erases a user’s deliveries that no lane has claimed yet', async () => {
      const dev = (await store.upsertDevice(device({ userId: 'carol' }))).device;
      const m = message();
      const ds = [...Array.from({ length: CHUNK_TARGETS }, () => delivery()), delivery({ deviceId: dev.id, tokenEnc: dev.tokenEnc, tokenHash: dev.tokenHash, registered: true })];
      await store.insertMessage(m, ds, null);
      const exported = await store.exportUser('acme', 'carol');
      expect(exported.deliveries.map((d) => [d.id, d.state])).toEqual([[ds[CHUNK_TARGETS]!.id, 'queued']]);
      expect(await store.eraseUser('acme', 'carol')).toEqual({ devices: 1, deliveries: 1 });
      expect(await counts('acme', m.id)).toEqual({ 'huawei:queued': CHUNK_TARGETS });
      const claimed: string[] = [];
      for (let b = await claim(store); b; b = await claim(store)) claimed.push(...b.deliveries.map((d) => d.id));
      expect(claimed).not.toContain(ds[CHUNK_TARGETS]!.id);
      expect(claimed).toHaveLength(CHUNK_TARGETS);
    });

    it('leaves out of a hand-off what an erasure, a release or another claimer after the lease took since the claim', async () => {
      const dev = (await store.upsertDevice(device({ userId: 'dave' }))).device;
      const m = message();
      const ds = [delivery(), delivery({ deviceId: dev.id, tokenEnc: dev.tokenEnc, tokenHash: dev.tokenHash, registered: true }), delivery()];
      await store.insertMessage(m, ds, null);
      const ids = ds.map((d) => d.id);
      await claim(store, { leaseUntil: T0 + 1000 });
      expect(await store.eraseUser('acme', 'dave')).toEqual({ devices: 1, deliveries: 1 });
      expect((await store.startSending('owner-a', ids, T0 + 1)).sort()).toEqual([ids[0], ids[2]].sort());
      await store.completeDeliveries('owner-a', [ids[0]!, ids[2]!].map((id) => ({ id, state: 'sent', vendorMessageId: null, attempts: 1 })), T0 + 2);
      // Past its lease, taken by another claimer: the first owner hands off nothing.
      const late = await send(2);
      await claim(store, { leaseUntil: T0 + 1000 });
      await claim(store, { owner: 'owner-b', now: T0 + 1000, leaseUntil: T0 + 9000 });
      expect(await store.startSending('owner-a', late.ids, T0 + 1001)).toEqual([]);
      // Released on shutdown: queued again, nothing to hand off.
      const released = await send(2);
      await claim(store, { leaseUntil: T0 + 1000 });
      expect(await store.releaseClaims('owner-a', T0 + 2)).toBeGreaterThanOrEqual(2);
      expect(await store.startSending('owner-a', released.ids, T0 + 3)).toEqual([]);
    });

    it('hands off nothing of a claim whose message retention deleted since', async () => {
      const old = await send(2);
      expect((await claim(store, { leaseUntil: T0 + 1000 }))?.deliveries.map((d) => d.id)).toEqual(old.ids);
      expect(await store.deleteOldMessages(T0 + 1)).toBe(1);
      expect(await store.startSending('owner-a', old.ids, T0 + 2)).toEqual([]);
    });

    it('hands unclaimed targets to key rotation, and rewrites them where they are', async () => {
      const a = await send(big);
      const rotate = (id: string, fromEnc: string) => ({ id, fromEnc, tokenEnc: `enc:rotated:${id}`, tokenHash: `hash:rotated:${id}` });
      // Chunk by chunk in id order, read-only: no target becomes a row.
      const [first] = await store.scanChunkTokens(null, 1);
      const rest = await store.scanChunkTokens(first!.chunkId, 10);
      expect([first!, ...rest].flatMap((c) => c.tokens.map((t) => t.id))).toEqual(a.ids);
      expect(first!.tokens[0]).toEqual({ id: a.ids[0], provider: 'huawei', tokenEnc: 'enc:000002', tokenHash: 'hash:000002' });
      expect(await store.scanDeliveryTokens(null, 10)).toEqual([]);

      const [t0, t1] = first!.tokens;
      expect(await store.rewriteChunkTokens(first!.chunkId, [rotate(t0!.id, t0!.tokenEnc), rotate(t1!.id, 'enc:stale')])).toBe(1);
      expect(await store.scanDeliveryTokens(null, 10)).toEqual([]);
      expect(await store.pendingCount('acme')).toBe(big);

      // A claim splits the first chunk meanwhile: of the rewrites read before it, only the targets still in the chunk change.
      const claimed = await claim(store, { limit: 400 });
      expect(claimed?.deliveries.slice(0, 2).map((d) => [d.id, d.tokenEnc, d.tokenHash])).toEqual([
        [t0!.id, `enc:rotated:${t0!.id}`, `hash:rotated:${t0!.id}`],
        [t1!.id, t1!.tokenEnc, t1!.tokenHash],
      ]);
      const [t399, t400, t401] = first!.tokens.slice(399, 402);
      expect(await store.rewriteChunkTokens(first!.chunkId, [t399!, t400!, t401!].map((t) => rotate(t.id, t.tokenEnc)))).toBe(2);
      const after = await store.scanChunkTokens(null, 10);
      expect(after.map((c) => c.chunkId)).toEqual([first!.chunkId, ...rest.map((c) => c.chunkId)]);
      expect(after[0]!.tokens.slice(0, 3).map((t) => t.tokenEnc)).toEqual([`enc:rotated:${t400!.id}`, `enc:rotated:${t401!.id}`, first!.tokens[402]!.tokenEnc]);

      const next = await claim(store, { limit: 2 });
      expect(next?.deliveries.map((d) => [d.id, d.tokenEnc])).toEqual([t400, t401].map((t) => [t!.id, `enc:rotated:${t!.id}`]));
      // A chunk claimed whole is gone: nothing to rewrite.
      for (let b = await claim(store); b; b = await claim(store));
      expect(await store.rewriteChunkTokens(rest[0]!.chunkId, [rotate(rest[0]!.tokens[0]!.id, rest[0]!.tokens[0]!.tokenEnc)])).toBe(0);
      expect(await store.scanChunkTokens(null, 10)).toEqual([]);
    });

    it('deletes the chunks of messages past retention with the messages', async () => {
      await send(big, { createdAt: T0 });
      expect(await store.deleteOldMessages(T0 + 1)).toBe(1);
      expect(await store.nextDueAt(LANE, [])).toBeNull();
      expect(await claim(store, { now: T0 + 10 })).toBeNull();
      expect(await store.pendingCount('acme')).toBe(0);
      expect(await store.laneStats()).toEqual([]);
    });
  });
}
