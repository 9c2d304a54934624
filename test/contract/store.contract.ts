/**
 * The store conformance suite: every operation of the Store contract, run against SQLite and
 * PostgreSQL by their own test files. Tokens here are fake ciphertexts: the store never decrypts.
 */
import { describeListings } from './listing.contract.js';
import { describeOutbox } from './outbox.contract.js';
import { describeTokenForms } from './token-forms.contract.js';
import type { DeliveryRow, DeliveryUpdate, IdempotencyRecord, MessageRow, NewDelivery, Store, UpsertDeviceInput } from '../../src/store/types.js';

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

/** 0.1 rows with APNs info in the `apns` columns; valid SQL for both SQLite and PostgreSQL. */
const PRE_EXTRAS_ROWS = `
  INSERT INTO devices (id, tenant, provider, token_enc, token_hash, user_id, apns, created_at, last_seen_at) VALUES
    ('dev_ios', 'acme', 'apns', 'enc:ios', 'hash:ios', 'alice', '{"environment":"sandbox","topic":"com.example.app"}', 1, 2),
    ('dev_android', 'acme', 'huawei', 'enc:android', 'hash:android', 'alice', NULL, 1, 2);
  INSERT INTO messages (id, tenant, idempotency_key, payload, created_at, expires_at) VALUES
    ('msg_old', 'acme', NULL, '{"data":{"k":"v"},"options":{"priority":"normal"}}', 1, NULL);
  INSERT INTO deliveries (id, tenant, message_id, provider, device_id, token_enc, token_hash, apns, quota_class, registered, state, attempts, due_at, created_at, updated_at) VALUES
    ('dlv_ios', 'acme', 'msg_old', 'apns', 'dev_ios', 'enc:ios', 'hash:ios', '{"environment":"sandbox","topic":"com.example.app"}', 'default', TRUE, 'queued', 0, 1, 1, 1),
    ('dlv_raw', 'acme', 'msg_old', 'apns', NULL, 'enc:raw', 'hash:raw', '{"environment":"production"}', 'default', FALSE, 'queued', 0, 1, 1, 1),
    ('dlv_android', 'acme', 'msg_old', 'huawei', 'dev_android', 'enc:android', 'hash:android', NULL, 'default', TRUE, 'queued', 0, 1, 1, 1);
`;

const T0 = 1_764_000_000_000;
const DAY = 86_400_000;
const LANE = { tenant: 'acme', provider: 'huawei' } as const;

export function describeStore(name: string, makeHarness: () => Promise<StoreHarness>, d: jest.Describe = describe): void {
  d(`${name} store`, () => {
    let harness: StoreHarness;
    let opened: Store[];
    let store: Store;
    let seq: number;

    const open = async () => {
      const s = await harness.open();
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      seq = 0;
      opened = [];
      harness = await makeHarness();
      store = await open();
    });

    afterEach(async () => {
      for (const s of opened) await s.close();
      await harness.destroy();
    });

    const next = () => String(++seq).padStart(6, '0');
    const device = (over: Partial<UpsertDeviceInput> = {}): UpsertDeviceInput => {
      const n = next();
      return { id: `dev_${n}`, tenant: 'acme', provider: 'huawei', tokenEnc: `enc:${n}`, tokenHash: `hash:${n}`, userId: null, extras: null, now: T0, ...over };
    };
    const message = (over: Partial<MessageRow> = {}): MessageRow => ({
      id: `msg_${next()}`,
      tenant: 'acme',
      idempotencyKey: null,
      payload: JSON.stringify({ notification: { title: 'Hi', body: 'there' }, data: {}, options: {} }),
      createdAt: T0,
      expiresAt: null,
      category: null,
      ...over,
    });
    const delivery = (over: Partial<NewDelivery> = {}): NewDelivery => {
      const n = next();
      return { id: `dlv_${n}`, provider: 'huawei', deviceId: null, tokenEnc: `enc:${n}`, tokenHash: `hash:${n}`, extras: null, quotaClass: 'default', registered: false, ...over };
    };
    const deliveries = (count: number, over: Partial<NewDelivery> = {}) => Array.from({ length: count }, () => delivery(over));
    /** Insert a message with `count` deliveries; returns the message and its delivery ids in insertion order. */
    const send = async (count: number, msg: Partial<MessageRow> = {}, over: Partial<NewDelivery> = {}) => {
      const m = message(msg);
      const ds = deliveries(count, over);
      await store.insertMessage(m, ds, null);
      return { message: m, ids: ds.map((x) => x.id) };
    };
    const claim = (s: Store, over: Partial<Parameters<Store['claimBatch']>[0]> = {}) =>
      s.claimBatch({ ...LANE, now: T0, leaseUntil: T0 + 60_000, owner: 'owner-a', limit: 1000, excludeClasses: [], ...over });
    const all = async (tenant: string, messageId: string): Promise<DeliveryRow[]> => store.listDeliveries(tenant, messageId, null, 1_000_000);
    /** One device by lookup hash, through the batch lookup the gateway uses. */
    const byHash = async (tenant: string, provider: string, hash: string) => (await store.findDevicesByHashes(tenant, provider, [hash]))[0] ?? null;
    const counts = async (tenant: string, messageId: string) =>
      Object.fromEntries((await store.messageCounts(tenant, messageId)).map((c) => [`${c.provider}:${c.state}`, c.count]));

    describe('migration to device extras', () => {
      it("moves 0.1's APNs info into extras as { apns }, for devices and pending deliveries, and leaves rows without it empty", async () => {
        const legacy = await makeHarness();
        try {
          await legacy.seedPreExtras(PRE_EXTRAS_ROWS);
          const s = await legacy.open();
          try {
            const devices = await s.getDevices('acme', ['dev_ios', 'dev_android']);
            expect(Object.fromEntries(devices.map((x) => [x.id, x.extras]))).toEqual({
              dev_ios: { apns: { environment: 'sandbox', topic: 'com.example.app' } },
              dev_android: null,
            });
            const rows = await s.listDeliveries('acme', 'msg_old', null, 10);
            expect(Object.fromEntries(rows.map((x) => [x.id, x.extras]))).toEqual({
              dlv_android: null,
              dlv_ios: { apns: { environment: 'sandbox', topic: 'com.example.app' } },
              dlv_raw: { apns: { environment: 'production' } },
            });
            // The migrated rows behave like new ones: a refresh replaces the extras.
            const again = await s.upsertDevice({ id: 'dev_new', tenant: 'acme', provider: 'apns', tokenEnc: 'enc:ios', tokenHash: 'hash:ios', userId: 'alice', extras: null, now: 3 });
            expect(again).toMatchObject({ created: false, device: { id: 'dev_ios', extras: null } });
          } finally {
            await s.close();
          }
        } finally {
          await legacy.destroy();
        }
      });

      it('gives messages stored before the category column their category from the payload, so listings filter them', async () => {
        const legacy = await makeHarness();
        try {
          await legacy.seedPreExtras(`
            INSERT INTO messages (id, tenant, idempotency_key, payload, created_at, expires_at) VALUES
              ('msg_im', 'acme', NULL, '{"data":{"k":"v"},"options":{"category":"im","priority":"normal"}}', 1, NULL),
              ('msg_plain', 'acme', NULL, '{"data":{"k":"v"},"options":{"priority":"normal"}}', 2, NULL);`);
          const s = await legacy.open();
          try {
            expect((await s.listMessages('acme', { category: 'im' }, null, 10)).map((m) => m.id)).toEqual(['msg_im']);
            expect((await s.getMessage('acme', 'msg_plain'))?.category).toBeNull();
          } finally {
            await s.close();
          }
        } finally {
          await legacy.destroy();
        }
      });
    });

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

    describe('claims', () => {
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
        for (const x of first!.deliveries) expect(x).toMatchObject({ tenant: 'acme', provider: 'huawei', state: 'sending', leaseUntil: T0 + 60_100, attempts: 0 });

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
        const { message: m, ids } = await send(5);
        await claim(store);
        const [s, f, e, r, untouched] = ids as [string, string, string, string, string];
        const err = { code: 'rejected', vendorCode: '80100003', message: 'bad payload' };
        const updates: DeliveryUpdate[] = [
          { id: s, state: 'sent', vendorMessageId: 'vendor-1', attempts: 1 },
          { id: f, state: 'failed', error: err, attempts: 1 },
          { id: e, state: 'expired', error: { code: 'expired', message: 'ttl' }, attempts: 0 },
          { id: r, state: 'queued', nextAttemptAt: T0 + 30_000, error: { code: 'retry', message: '503' }, attempts: 2 },
        ];
        await store.completeDeliveries('owner-a', updates, T0 + 50);
        await store.completeDeliveries('owner-a', [], T0 + 50);
        const rows = new Map((await all('acme', m.id)).map((x) => [x.id, x]));
        expect(rows.get(s)).toMatchObject({ state: 'sent', vendorMessageId: 'vendor-1', attempts: 1, lastError: null, leaseUntil: null, updatedAt: T0 + 50 });
        expect(rows.get(f)).toMatchObject({ state: 'failed', lastError: err, attempts: 1, vendorMessageId: null, leaseUntil: null });
        expect(rows.get(e)).toMatchObject({ state: 'expired', lastError: { code: 'expired', message: 'ttl' }, attempts: 0 });
        expect(rows.get(r)).toMatchObject({ state: 'queued', nextAttemptAt: T0 + 30_000, lastError: { code: 'retry', message: '503' }, attempts: 2, leaseUntil: null });
        expect(rows.get(untouched)).toMatchObject({ state: 'sending', leaseUntil: T0 + 60_000 });
        expect(await counts('acme', m.id)).toEqual({ 'huawei:sent': 1, 'huawei:failed': 1, 'huawei:expired': 1, 'huawei:queued': 1, 'huawei:sending': 1 });

        // The retried one is due again at its next attempt, not before.
        expect(await store.nextDueAt(LANE, [])).toBe(T0 + 30_000);
        expect((await claim(store, { now: T0 + 29_999 }))).toBeNull();
        const again = await claim(store, { now: T0 + 30_000, owner: 'owner-b' });
        expect(again?.deliveries.map((x) => ({ id: x.id, attempts: x.attempts, lastError: x.lastError }))).toEqual([{ id: r, attempts: 2, lastError: { code: 'retry', message: '503' } }]);
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
    describeListings(() => store);
    describeOutbox(() => store, open);
  });
}
