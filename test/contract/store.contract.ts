/**
 * The store conformance suite: every operation of the Store contract, run against SQLite and
 * PostgreSQL by their own test files. Tokens here are fake ciphertexts: the store never decrypts.
 * Its larger parts live beside it (claims, migrations, listings, ...), each a describeX called
 * below; the row factories they share are in store-fixtures.ts.
 */
import { describeChunks } from './chunks.contract.js';
import { describeClaims } from './claims.contract.js';
import { describeKeyRotation } from './key-rotation.contract.js';
import { describeListings } from './listing.contract.js';
import { describeMigrations } from './migration.contract.js';
import { describeReplayAndCancel } from './replay-cancel.contract.js';
import { describeConsoleSessions } from './sessions.contract.js';
import { DAY, storeFixtures, T0 } from './store-fixtures.js';
import { describeOutbox } from './outbox.contract.js';
import { describeTokenForms } from './token-forms.contract.js';
import type { DeliveryRow, IdempotencyRecord, NewDelivery, Store } from '../../src/store/types.js';

export interface StoreHarness {
  /** Open a store on this harness's database; each call is an independent instance (own connection/pool). */
  open(): Promise<Store>;
  /** Remove the database (temp file, schema). Stores opened from it are already closed. */
  destroy(): Promise<void>;
  /**
   * Before any `open()`: create the database as pushgate 0.1 left it (the migrations before device
   * extras became one `extras` column, with the `apns` columns) and run `sql` on it.
   */
  seedPreExtras(sql: string): Promise<void>;
}

export function describeStore(name: string, makeHarness: () => Promise<StoreHarness>, d: jest.Describe = describe): void {
  d(`${name} store`, () => {
    let harness: StoreHarness;
    let opened: Store[];
    let store: Store;

    const open = async () => {
      const s = await harness.open();
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      opened = [];
      harness = await makeHarness();
      store = await open();
    });

    afterEach(async () => {
      for (const s of opened) await s.close();
      await harness.destroy();
    });

    const { device, message, delivery, deliveries, send, claim, all, byHash, counts } = storeFixtures(() => store);

    describeMigrations(makeHarness);

    describe('devices', () => {
      it('creates a device, then refreshes it (same id, new last-seen, user, token and extras)', async () => {
        const first = device({ userId: 'alice' });
        const a = await store.upsertDevice(first);
        expect(a.created).toBe(true);
        expect(a.device).toEqual({ id: first.id, tenant: 'acme', provider: 'huawei', tokenEnc: first.tokenEnc, tokenHash: first.tokenHash, userId: 'alice', extras: null, createdAt: T0, lastSeenAt: T0 });

        const extras = { apns: { environment: 'sandbox', topic: 'com.example.app' } };
        const b = await store.upsertDevice({ ...first, id: 'dev_other', tokenEnc: 'enc:rotated', userId: 'bob', extras, now: T0 + 5000 });
        expect(b.created).toBe(false);
        expect(b.device).toEqual({ ...a.device, tokenEnc: 'enc:rotated', userId: 'bob', extras, lastSeenAt: T0 + 5000 });
        expect(await byHash('acme', 'huawei', first.tokenHash)).toEqual(b.device);
        expect(await store.getDevices('acme', ['dev_other'])).toEqual([]);
      });

      it('finds devices by hash, by id and by user, in creation order', async () => {
        const d1 = (await store.upsertDevice(device({ userId: 'alice', now: T0 + 2 }))).device;
        const d2 = (await store.upsertDevice(device({ userId: 'alice', provider: 'xiaomi', now: T0 + 1 }))).device;
        const d3 = (await store.upsertDevice(device({ userId: 'bob' }))).device;
        expect(await byHash('acme', 'huawei', d1.tokenHash)).toEqual(d1);
        expect(await byHash('acme', 'xiaomi', d1.tokenHash)).toBeNull();
        expect((await store.getDevices('acme', [d1.id, d3.id, 'dev_missing'])).map((x) => x.id).sort()).toEqual([d1.id, d3.id].sort());
        expect(await store.getDevices('acme', [])).toEqual([]);
        expect((await store.devicesOfUsers('acme', ['alice'])).map((x) => x.id)).toEqual([d2.id, d1.id]);
        expect((await store.devicesOfUsers('acme', ['alice', 'bob', 'carol'])).map((x) => x.id).sort()).toEqual([d1.id, d2.id, d3.id].sort());
        expect(await store.devicesOfUsers('acme', [])).toEqual([]);
      });

      it('finds many devices by token hash at once, within one tenant and provider', async () => {
        const a = (await store.upsertDevice(device())).device;
        const b = (await store.upsertDevice(device())).device;
        const x = (await store.upsertDevice(device({ provider: 'xiaomi' }))).device;
        await store.upsertDevice({ ...device({ tenant: 'beta' }), tokenHash: a.tokenHash });
        const found = await store.findDevicesByHashes('acme', 'huawei', [a.tokenHash, b.tokenHash, x.tokenHash, 'hash:missing']);
        expect(found.map((d) => d.id).sort()).toEqual([a.id, b.id].sort());
        expect(await store.findDevicesByHashes('acme', 'huawei', [])).toEqual([]);
        // More hashes than SQLite binds in one statement.
        const many = Array.from({ length: 1200 }, (_, i) => `hash:none-${i}`);
        expect((await store.findDevicesByHashes('acme', 'huawei', [...many, b.tokenHash])).map((d) => d.id)).toEqual([b.id]);
      });

      it('keeps tenants apart: tenant B never sees, changes or deletes tenant A’s devices', async () => {
        const a = (await store.upsertDevice(device({ userId: 'alice' }))).device;
        // The same token registered by another tenant is another device.
        const b = await store.upsertDevice({ ...device({ tenant: 'beta', userId: 'alice' }), tokenHash: a.tokenHash });
        expect(b.created).toBe(true);
        expect(b.device.id).not.toBe(a.id);
        expect(await byHash('beta', 'huawei', a.tokenHash)).toEqual(b.device);
        expect(await store.findDevicesByHashes('beta', 'huawei', [a.tokenHash])).toEqual([b.device]);
        expect(await store.getDevices('beta', [a.id])).toEqual([]);
        expect((await store.devicesOfUsers('beta', ['alice'])).map((x) => x.id)).toEqual([b.device.id]);
        expect(await store.deleteDevice('beta', a.id)).toBe(false);
        expect((await store.exportUser('beta', 'alice')).devices.map((x) => x.id)).toEqual([b.device.id]);
        expect(await byHash('acme', 'huawei', a.tokenHash)).toEqual(a);
      });

      it('deletes by id and by token hash, saying whether something was deleted', async () => {
        const a = (await store.upsertDevice(device())).device;
        const b = (await store.upsertDevice(device())).device;
        expect(await store.deleteDevice('acme', a.id)).toBe(true);
        expect(await store.deleteDevice('acme', a.id)).toBe(false);
        expect(await store.deleteDeviceByHash('beta', 'huawei', b.tokenHash)).toBe(false);
        expect(await store.deleteDeviceByHash('acme', 'xiaomi', b.tokenHash)).toBe(false);
        expect(await store.deleteDeviceByHash('acme', 'huawei', b.tokenHash)).toBe(true);
        expect(await store.getDevices('acme', [a.id, b.id])).toEqual([]);
      });

      it('counts devices per tenant and provider', async () => {
        for (let i = 0; i < 3; i++) await store.upsertDevice(device());
        await store.upsertDevice(device({ provider: 'xiaomi' }));
        await store.upsertDevice(device({ tenant: 'beta' }));
        const byLane = Object.fromEntries((await store.countDevices()).map((c) => [`${c.tenant}/${c.provider}`, c.count]));
        expect(byLane).toEqual({ 'acme/huawei': 3, 'acme/xiaomi': 1, 'beta/huawei': 1 });
      });
    });

    describe('a user’s data (export and erase)', () => {
      it('exports the user’s devices and deliveries, and erases devices and pending deliveries with counts', async () => {
        const d1 = (await store.upsertDevice(device({ userId: 'alice' }))).device;
        const d2 = (await store.upsertDevice(device({ userId: 'alice', now: T0 + 1 }))).device;
        const other = (await store.upsertDevice(device({ userId: 'bob' }))).device;
        const beta = (await store.upsertDevice(device({ tenant: 'beta', userId: 'alice' }))).device;
        const m = message();
        const target = (dev: typeof d1): NewDelivery => delivery({ deviceId: dev.id, tokenEnc: dev.tokenEnc, tokenHash: dev.tokenHash, registered: true });
        const [x1, x2, x3, xo] = [target(d1), target(d2), target(d1), target(other)] as [NewDelivery, NewDelivery, NewDelivery, NewDelivery];
        await store.insertMessage(m, [x1, x2, x3, xo], null);
        await store.insertMessage(message({ tenant: 'beta' }), [target(beta)], null);
        // x1 finished (sent); x2 is being sent; x3 and xo are queued.
        const batch = await claim(store, { limit: 2 });
        expect(batch?.deliveries.map((x) => x.id)).toEqual([x1.id, x2.id]);
        await store.completeDeliveries('owner-a', [{ id: x1.id, state: 'sent', vendorMessageId: 'v1', attempts: 1 }], T0 + 10);

        const exported = await store.exportUser('acme', 'alice');
        expect(exported.devices.map((x) => x.id)).toEqual([d1.id, d2.id]);
        expect(exported.deliveries.map((x) => x.id).sort()).toEqual([x1.id, x2.id, x3.id].sort());
        expect(exported.deliveries.every((x) => x.tenant === 'acme')).toBe(true);

        expect(await store.eraseUser('acme', 'alice')).toEqual({ devices: 2, deliveries: 2 });
        expect(await store.exportUser('acme', 'alice')).toEqual({ devices: [], deliveries: [] });
        const left = await all('acme', m.id);
        expect(left.map((x) => x.id).sort()).toEqual([x1.id, xo.id].sort());
        expect(left.find((x) => x.id === x1.id)).toMatchObject({ state: 'sent', deviceId: null, tokenEnc: '', tokenHash: '' });
        expect(left.find((x) => x.id === xo.id)).toMatchObject({ state: 'queued', deviceId: other.id, tokenEnc: other.tokenEnc });
        // Tenant beta's user of the same name is untouched.
        expect((await store.exportUser('beta', 'alice')).devices.map((x) => x.id)).toEqual([beta.id]);
        expect(await store.eraseUser('acme', 'alice')).toEqual({ devices: 0, deliveries: 0 });
      });
    });

    describe('messages', () => {
      it('stores a message with its deliveries and counts them per provider and state', async () => {
        const m = message({ expiresAt: T0 + 3600_000, idempotencyKey: 'k1' });
        const extras = { apns: { environment: 'production', topic: 'com.example' } };
        const ds = [delivery(), delivery({ provider: 'apns', extras, registered: true, quotaClass: 'marketing', deviceId: 'dev_x' })];
        expect(await store.insertMessage(m, ds, null)).toEqual({ inserted: true });
        expect(await store.getMessage('acme', m.id)).toEqual(m);
        expect(await store.getMessage('beta', m.id)).toBeNull();
        expect(await store.getMessage('acme', 'msg_missing')).toBeNull();
        expect(await counts('acme', m.id)).toEqual({ 'huawei:queued': 1, 'apns:queued': 1 });
        expect(await store.messageCounts('beta', m.id)).toEqual([]);
        const rows = await all('acme', m.id);
        const [first, second] = ds as [NewDelivery, NewDelivery];
        expect(rows).toEqual([
          { ...first, tenant: 'acme', messageId: m.id, state: 'queued', attempts: 0, nextAttemptAt: T0, leaseUntil: null, lastError: null, vendorMessageId: null, updatedAt: T0 },
          { ...second, tenant: 'acme', messageId: m.id, state: 'queued', attempts: 0, nextAttemptAt: T0, leaseUntil: null, lastError: null, vendorMessageId: null, updatedAt: T0 },
        ]);
      });

      it('inserts 100,000 deliveries in one call', async () => {
        const m = message();
        const ds = deliveries(100_000, { registered: true });
        const started = Date.now();
        await store.insertMessage(m, ds, null);
        const ms = Date.now() - started;
        expect(await counts('acme', m.id)).toEqual({ 'huawei:queued': 100_000 });
        expect(await store.pendingCount('acme')).toBe(100_000);
        // Generous bound for slow CI machines; typically well under 2 s.
        expect(ms).toBeLessThan(15_000);
      });

      it('stores every field of every delivery of a large message, whatever the row', async () => {
        const m = message();
        const extras = { apns: { environment: 'sandbox', topic: 'com.example' } };
        // Rows that differ from their neighbours in each field, across more than one insert statement's worth of rows.
        const ds = Array.from({ length: 257 }, (_, i) =>
          delivery(i % 3 === 0 ? { provider: 'apns', extras, registered: true, deviceId: `dev_${i}`, quotaClass: 'marketing' } : {}),
        );
        await store.insertMessage(m, ds, null);
        const rest = { tenant: 'acme', messageId: m.id, state: 'queued', attempts: 0, nextAttemptAt: T0, leaseUntil: null, lastError: null, vendorMessageId: null, updatedAt: T0 };
        expect(await all('acme', m.id)).toEqual(ds.map((d) => ({ ...d, ...rest })));
      });

      it('pages through deliveries with a cursor, in id order, within the tenant', async () => {
        const { message: m, ids } = await send(25);
        const seen: string[] = [];
        let after: string | null = null;
        const sizes: number[] = [];
        for (;;) {
          const page: DeliveryRow[] = await store.listDeliveries('acme', m.id, after, 10);
          sizes.push(page.length);
          if (!page.length) break;
          seen.push(...page.map((x) => x.id));
          after = page[page.length - 1]!.id;
        }
        expect(sizes).toEqual([10, 10, 5, 0]);
        expect(seen).toEqual([...ids].sort());
        expect(await store.listDeliveries('beta', m.id, null, 10)).toEqual([]);
      });

      it('counts pending (queued and sending) deliveries per tenant', async () => {
        const { ids } = await send(5);
        await send(2, { tenant: 'beta' });
        expect(await store.pendingCount('acme')).toBe(5);
        expect(await store.pendingCount('beta')).toBe(2);
        await claim(store, { limit: 2 });
        expect(await store.pendingCount('acme')).toBe(5);
        await store.completeDeliveries('owner-a', [{ id: ids[0]!, state: 'sent', vendorMessageId: null, attempts: 1 }], T0);
        expect(await store.pendingCount('acme')).toBe(4);
        expect(await store.pendingCount('nobody')).toBe(0);
      });
    });

    describe('idempotency', () => {
      const record = (key: string, over: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
        key,
        bodyHash: 'body-1',
        status: 202,
        response: JSON.stringify({ id: 'first' }),
        createdAt: T0,
        ...over,
      });

      it('stores the record with the message and answers lookups within the window', async () => {
        const m = message({ idempotencyKey: 'key-1' });
        expect(await store.insertMessage(m, deliveries(1), record('key-1'))).toEqual({ inserted: true });
        expect(await store.getIdempotency('acme', 'key-1', T0 - DAY)).toEqual(record('key-1'));
        expect(await store.getIdempotency('acme', 'key-1', T0 + 1)).toBeNull();
        expect(await store.getIdempotency('beta', 'key-1', 0)).toBeNull();
      });

      it('returns the existing record for a second insert with the same key and stores nothing', async () => {
        await store.insertMessage(message({ idempotencyKey: 'key-1' }), deliveries(1), record('key-1'));
        const again = message({ idempotencyKey: 'key-1', createdAt: T0 + 1000 });
        const res = await store.insertMessage(again, deliveries(3), record('key-1', { bodyHash: 'body-2', response: '{}', createdAt: T0 + 1000 }));
        expect(res).toEqual({ inserted: false, existing: record('key-1') });
        expect(await store.getMessage('acme', again.id)).toBeNull();
        expect(await store.pendingCount('acme')).toBe(1);
        // Keys are per tenant.
        expect(await store.insertMessage(message({ tenant: 'beta' }), deliveries(1), record('key-1'))).toEqual({ inserted: true });
      });

      it('replaces a record older than a day', async () => {
        await store.insertMessage(message(), deliveries(1), record('key-1'));
        const later = record('key-1', { bodyHash: 'body-2', createdAt: T0 + DAY + 1 });
        expect(await store.insertMessage(message({ createdAt: T0 + DAY + 1 }), deliveries(1), later)).toEqual({ inserted: true });
        expect(await store.getIdempotency('acme', 'key-1', 0)).toEqual(later);
      });

      it('lets exactly one of two racing inserts with the same key win (two store instances)', async () => {
        const other = await open();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, k) => {
            const key = `race-${k}`;
            return Promise.all([
              store.insertMessage(message(), deliveries(50), record(key, { response: 'A' })),
              other.insertMessage(message(), deliveries(50), record(key, { response: 'B' })),
            ]);
          }),
        );
        for (const [k, pair] of results.entries()) {
          const winners = pair.filter((r) => r.inserted);
          expect(winners).toHaveLength(1);
          const loser = pair.find((r) => !r.inserted);
          const stored = await store.getIdempotency('acme', `race-${k}`, 0);
          expect(loser).toEqual({ inserted: false, existing: stored });
        }
        expect(await store.pendingCount('acme')).toBe(10 * 50);
      });
    });

    describeClaims(() => store, open);
    describeChunks(() => store);

    describe('receipts', () => {
      it('marks sent deliveries delivered by token hash, message id or vendor message id, within the tenant and provider', async () => {
        const m = message();
        const ds = [delivery({ tokenHash: 'h-1' }), delivery({ tokenHash: 'h-2' }), delivery({ tokenHash: 'h-3' }), delivery({ tokenHash: 'h-4' })];
        await store.insertMessage(m, ds, null);
        const beta = message({ tenant: 'beta' });
        await store.insertMessage(beta, [delivery({ tokenHash: 'h-1' })], null);
        await claim(store, { limit: 3 });
        const [d1, d2, d3] = ds.map((x) => x.id) as [string, string, string, string];
        await store.completeDeliveries(
          'owner-a',
          [
            { id: d1, state: 'sent', vendorMessageId: 'v-1', attempts: 1 },
            { id: d2, state: 'sent', vendorMessageId: 'v-2', attempts: 1 },
          ],
          T0,
        );
        // d3 is still sending (a receipt may beat the send answer); d4 is queued and cannot be delivered.
        expect(await store.markReceipt({ tenant: 'acme', provider: 'huawei' }, 'delivered', T0)).toEqual([]);
        expect(await store.markReceipt({ tenant: 'beta', provider: 'huawei', vendorMessageId: 'v-1' }, 'delivered', T0)).toEqual([]);
        expect(await store.markReceipt({ tenant: 'acme', provider: 'xiaomi', tokenHash: 'h-1' }, 'delivered', T0)).toEqual([]);
        expect(await store.markReceipt({ tenant: 'acme', provider: 'huawei', tokenHash: 'h-1', messageId: m.id }, 'delivered', T0 + 1)).toEqual([d1]);
        expect(await store.markReceipt({ tenant: 'acme', provider: 'huawei', vendorMessageId: 'v-2' }, 'delivered', T0 + 2)).toEqual([d2]);
        expect(await store.markReceipt({ tenant: 'acme', provider: 'huawei', tokenHash: 'h-4' }, 'delivered', T0 + 3)).toEqual([]);
        expect(await store.markReceipt({ tenant: 'acme', provider: 'huawei', messageId: m.id }, 'delivered', T0 + 3)).toEqual([d3]);
        // Already delivered: nothing changes.
        expect(await store.markReceipt({ tenant: 'acme', provider: 'huawei', vendorMessageId: 'v-2' }, 'delivered', T0 + 4)).toEqual([]);
        expect(await counts('acme', m.id)).toEqual({ 'huawei:delivered': 3, 'huawei:queued': 1 });
        expect((await all('acme', m.id)).find((x) => x.id === d1)).toMatchObject({ state: 'delivered', updatedAt: T0 + 1, vendorMessageId: 'v-1' });
        expect(await counts('beta', beta.id)).toEqual({ 'huawei:queued': 1 });
      });

      it('marks a still-sending delivery delivered by token hash and message id once, the receipt having beaten the send answer', async () => {
        const m = message();
        const ds = [delivery({ tokenHash: 'h-1' }), delivery({ tokenHash: 'h-2' }), delivery({ tokenHash: 'h-3' })];
        await store.insertMessage(m, ds, null);
        await claim(store, { limit: 3 });
        const [d1, d2] = ds.map((x) => x.id) as [string, string, string];
        await store.completeDeliveries('owner-a', [{ id: d1, state: 'sent', vendorMessageId: 'v-1', attempts: 1 }], T0);
        const receipt = (tokenHash: string, at: number) => store.markReceipt({ tenant: 'acme', provider: 'huawei', tokenHash, messageId: m.id }, 'delivered', at);
        expect(await receipt('h-2', T0 + 1)).toEqual([d2]);
        expect(await receipt('h-2', T0 + 2)).toEqual([]);
        expect(await receipt('h-1', T0 + 3)).toEqual([d1]);
        expect(await receipt('h-1', T0 + 4)).toEqual([]);
        expect(await receipt('h-unknown', T0 + 5)).toEqual([]);
        // The send answer arrives after the receipt: the delivery stays delivered.
        await store.completeDeliveries('owner-a', [{ id: d2, state: 'sent', vendorMessageId: 'v-2', attempts: 1 }], T0 + 6);
        expect(await counts('acme', m.id)).toEqual({ 'huawei:delivered': 2, 'huawei:sending': 1 });
      });
    });

    describe('retention', () => {
      it('deletes devices idle since before the cut-off', async () => {
        await store.upsertDevice(device({ now: T0 - 10 }));
        const kept = (await store.upsertDevice(device({ now: T0 }))).device;
        await store.upsertDevice(device({ tenant: 'beta', now: T0 - 1 }));
        expect(await store.deleteIdleDevices(T0)).toBe(2);
        expect((await store.countDevices()).map((c) => c.count)).toEqual([1]);
        expect(await store.getDevices('acme', [kept.id])).toHaveLength(1);
      });

      it('deletes old messages with their deliveries and idempotency records', async () => {
        const old = message({ createdAt: T0 - DAY, idempotencyKey: 'old' });
        await store.insertMessage(old, deliveries(3), { key: 'old', bodyHash: 'b', status: 202, response: '{}', createdAt: T0 - DAY });
        const fresh = await send(2, { createdAt: T0 });
        expect(await store.deleteOldMessages(T0)).toBe(1);
        expect(await store.getMessage('acme', old.id)).toBeNull();
        expect(await all('acme', old.id)).toEqual([]);
        expect(await store.getIdempotency('acme', 'old', 0)).toBeNull();
        expect(await store.getMessage('acme', fresh.message.id)).not.toBeNull();
        expect(await store.pendingCount('acme')).toBe(2);
        expect(await store.deleteOldMessages(T0)).toBe(0);
      });
    });

    describe('health', () => {
      it('answers ping and names its driver', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
        expect(typeof store.driver).toBe('string');
      });
    });

    describeTokenForms(() => store);
    describeKeyRotation(() => store);
    describeListings(() => store);
    describeReplayAndCancel(() => store);
    describeOutbox(() => store, open);
    describeConsoleSessions(() => store);
  });
}
