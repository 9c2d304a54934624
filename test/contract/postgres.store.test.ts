/**
 * The store conformance suite against the PostgreSQL on 127.0.0.1:5432 (PUSHGATE_TEST_PG_URL):
 * each test gets its own schema (search_path set in the connection string), dropped afterwards,
 * so runs never collide. "Two instances" are two PostgresStore pools on that schema.
 */
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { CHUNK_TARGETS } from '../../src/store/chunks.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres.migrations.js';
import { PostgresStore } from '../../src/store/postgres.js';
import type { MessageRow, NewDelivery } from '../../src/store/types.js';
import { requirePostgres, TEST_PG_URL, withSchema } from './services.js';
import { describeStore } from './store.contract.js';

const service = await requirePostgres();
const logger = pino({ level: 'silent' });

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describeStore(
  'PostgreSQL',
  async () => {
    const schema = `pushgate_test_${randomBytes(6).toString('hex')}`;
    await admin((c) => c.query(`CREATE SCHEMA ${schema}`));
    const url = withSchema(TEST_PG_URL, schema);
    return {
      open: () => PostgresStore.connect(url, { poolSize: 8, logger }),
      destroy: () => admin((c) => c.query(`DROP SCHEMA ${schema} CASCADE`)).then(() => undefined),
      // 0.1's schema: migrations 1–2, recorded as PostgresStore records them.
      seedPreExtras: async (sql) => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          await c.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
          for (const [i, m] of POSTGRES_MIGRATIONS.slice(0, 2).entries()) {
            await c.query(m);
            await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 0)', [i + 1]);
          }
          await c.query(sql);
        } finally {
          await c.end();
        }
      },
    };
  },
  service.describe,
);

service.describe('PostgreSQL migrations', () => {
  it('apply once when several instances start together, and record their versions', async () => {
    const schema = `pushgate_test_${randomBytes(6).toString('hex')}`;
    await admin((c) => c.query(`CREATE SCHEMA ${schema}`));
    const url = withSchema(TEST_PG_URL, schema);
    try {
      const stores = await Promise.all([1, 2, 3].map(() => PostgresStore.connect(url, { poolSize: 2, logger })));
      await Promise.all(stores.map((s) => s.close()));
      const rows = await admin((c) => c.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`));
      expect(rows.rows.map((r: { version: number }) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1));
    } finally {
      await admin((c) => c.query(`DROP SCHEMA ${schema} CASCADE`));
    }
  });

  it('fail with the reason when the server cannot be reached', async () => {
    await expect(PostgresStore.connect('postgres://nobody:secret@127.0.0.1:1/none', { poolSize: 1, logger })).rejects.toThrow(/ECONNREFUSED|connect/);
  });
});

service.describe('PostgreSQL claims of one lane', () => {
  it('run one at a time while the lane drains a big message (a full batch came back), and concurrently otherwise', async () => {
    const schema = `pushgate_test_${randomBytes(6).toString('hex')}`;
    await admin((c) => c.query(`CREATE SCHEMA ${schema}`));
    const store = await PostgresStore.connect(withSchema(TEST_PG_URL, schema), { poolSize: 8, logger });
    // Every claim is one transaction on its own pool client: the most clients asked for and not yet released
    // is the most claims at once. Counted when asked for, not when connected: a claim of a chunk is a few
    // round trips, and could end before a second connection opened even when both claims ran at once.
    let held = 0;
    let most = 0;
    const connect = pg.Pool.prototype.connect;
    const spy = jest.spyOn(pg.Pool.prototype, 'connect').mockImplementation(async function (this: pg.Pool) {
      most = Math.max(most, ++held);
      const client = (await (connect as () => Promise<pg.PoolClient>).call(this)) as pg.PoolClient;
      const release = client.release.bind(client);
      client.release = (err?: Error | boolean) => {
        held--;
        client.release = release;
        return release(err);
      };
      return client;
    });
    const T0 = 1_764_000_000_000;
    const send = (id: string, n: number) =>
      store.insertMessage({ id, tenant: 'acme', idempotencyKey: null, payload: '{}', createdAt: T0, expiresAt: null, category: null },
        Array.from({ length: n }, (_, i) => ({ id: `${id}-${String(i).padStart(5, '0')}`, provider: 'huawei', deviceId: null, tokenEnc: 'enc', tokenHash: `${id}-${i}`, extras: null, quotaClass: 'default', registered: false })), null);
    const claim = (limit: number) => store.claimBatch({ tenant: 'acme', provider: 'huawei', now: T0, leaseUntil: T0 + 60_000, owner: 'o', limit, excludeClasses: [] });
    try {
      await send('big', 5);
      await send('small-1', 1);
      await send('small-2', 1);
      expect((await claim(2))?.deliveries).toHaveLength(2); // full: the lane is draining "big"
      most = 0;
      const drained = await Promise.all([claim(2), claim(2)]);
      expect(drained.map((b) => b?.deliveries.length)).toEqual([2, 1]);
      expect(most).toBe(1);
      // The last claim was not full: small messages are claimed concurrently again.
      most = 0;
      const small = await Promise.all([claim(2), claim(2)]);
      expect(small.map((b) => b?.message.id).sort()).toEqual(['small-1', 'small-2']);
      expect(most).toBe(2);
    } finally {
      spy.mockRestore();
      await store.close();
      await admin((c) => c.query(`DROP SCHEMA ${schema} CASCADE`));
    }
  });
});

service.describe('PostgreSQL chunk rows', () => {
  const T0 = 1_764_000_000_000;
  const target = (id: string, over: Partial<NewDelivery> = {}): NewDelivery => ({
    id,
    provider: 'huawei',
    deviceId: null,
    tokenEnc: `enc:${id}`,
    tokenHash: `hash:${id}`,
    extras: null,
    quotaClass: 'default',
    registered: false,
    ...over,
  });
  const message = (id: string): MessageRow => ({ id, tenant: 'acme', idempotencyKey: null, payload: '{}', createdAt: T0, expiresAt: null, category: null });

  /** `n` stores on one fresh schema, closed and dropped afterwards. */
  async function withStores(n: number, fn: (stores: PostgresStore[], schema: string) => Promise<void>): Promise<void> {
    const schema = `pushgate_test_${randomBytes(6).toString('hex')}`;
    await admin((c) => c.query(`CREATE SCHEMA ${schema}`));
    const stores = await Promise.all(Array.from({ length: n }, () => PostgresStore.connect(withSchema(TEST_PG_URL, schema), { poolSize: 4, logger })));
    try {
      await fn(stores, schema);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await admin((c) => c.query(`DROP SCHEMA ${schema} CASCADE`));
    }
  }

  it('gives two instances claiming one message at once whole chunks or pieces of them in order, never a target twice', async () => {
    await withStores(2, async ([a, b]) => {
      const ids = Array.from({ length: 2 * CHUNK_TARGETS + 300 }, (_, i) => `dlv_${String(i).padStart(6, '0')}`);
      await a!.insertMessage(message('msg_big'), ids.map((id) => target(id)), null);
      const claim = (s: PostgresStore, owner: string, limit: number) =>
        s.claimBatch({ tenant: 'acme', provider: 'huawei', now: T0, leaseUntil: T0 + 60_000, owner, limit, excludeClasses: [] });
      // Both at once, a chunk each: SKIP LOCKED passes over the chunk the other holds.
      const first = await Promise.all([claim(a!, 'a', CHUNK_TARGETS), claim(b!, 'b', CHUNK_TARGETS)]);
      expect(first.map((x) => x!.deliveries.map((d) => d.id)).sort()).toEqual([ids.slice(0, CHUNK_TARGETS), ids.slice(CHUNK_TARGETS, 2 * CHUNK_TARGETS)]);
      // The rest, split by claims of 120 from both: every batch is a run of consecutive targets of one chunk.
      const batches: string[][] = [];
      const drain = async (s: PostgresStore, owner: string) => {
        for (let x = await claim(s, owner, 120); x; x = await claim(s, owner, 120)) batches.push(x.deliveries.map((d) => d.id));
      };
      await Promise.all([drain(a!, 'a'), drain(b!, 'b'), drain(a!, 'a2'), drain(b!, 'b2')]);
      for (const batch of batches) expect(batch).toEqual(ids.slice(ids.indexOf(batch[0]!), ids.indexOf(batch[0]!) + batch.length));
      const all = [...first.flatMap((x) => x!.deliveries.map((d) => d.id)), ...batches.flat()];
      expect(all.sort()).toEqual(ids);
      expect(await a!.messageCounts('acme', 'msg_big')).toEqual([{ provider: 'huawei', state: 'sending', count: ids.length }]);
    });
  });

  it('lists a chunk read in place, then expands it in SQL (cancel) into the rows its targets were, whatever their extras hold', async () => {
    await withStores(1, async ([store]) => {
      const extras = { apns: { topic: 'com.example\tapp', environment: 'sandbox' }, note: 'line\nbreak \\ "quoted" é 🚀', nested: [1, null, { x: '' }] };
      const targets = [
        target('dlv_1', { deviceId: 'dev_1', registered: true, extras }),
        target('dlv_2', { quotaClass: 'marketing', extras: {} }),
        target('dlv_3', { tokenEnc: 'v2.7.abc-_', tokenHash: 'h-_x' }),
      ];
      await store!.insertMessage(message('msg_x'), targets, null);
      const stored = { tenant: 'acme', messageId: 'msg_x', attempts: 0, leaseUntil: null, lastError: null, vendorMessageId: null };
      // Listed from the chunk (decoded in the gateway, chunks.ts).
      expect(await store!.listDeliveries('acme', 'msg_x', null, 10)).toEqual(targets.map((t) => ({ ...t, ...stored, state: 'queued', nextAttemptAt: T0, updatedAt: T0 })));
      // Expanded by PostgreSQL (postgres.chunks.ts pgExpandChunks), then canceled: the same fields.
      expect(await store!.cancelDeliveries('acme', 'msg_x', T0 + 5)).toHaveLength(3);
      expect(await store!.listDeliveries('acme', 'msg_x', null, 10)).toEqual(targets.map((t) => ({ ...t, ...stored, state: 'canceled', nextAttemptAt: 0, updatedAt: T0 + 5 })));
    });
  });

  const claimAt = (s: PostgresStore, now: number) => s.claimBatch({ tenant: 'acme', provider: 'huawei', now, leaseUntil: now + 60_000, owner: 'o', limit: CHUNK_TARGETS, excludeClasses: [] });
  const tableCounts = (schema: string) =>
    admin(async (c) => {
      const n = async (table: string) => Number((await c.query(`SELECT COUNT(*) AS n FROM ${schema}.${table}`)).rows[0].n);
      return { chunks: await n('delivery_chunks'), rows: await n('deliveries') };
    });

  it('keeps an accepted message in chunks through listings and counts (they read, never expand)', async () => {
    await withStores(1, async ([store], schema) => {
      await store!.insertMessage(message('m1'), Array.from({ length: 2500 }, (_, i) => target(`d-${String(i).padStart(5, '0')}`)), null);
      expect(await tableCounts(schema)).toEqual({ chunks: 3, rows: 0 });
      await store!.listDeliveries('acme', 'm1', null, 100);
      await store!.listDeliveries('acme', 'm1', 'd-01999', 100, { states: ['queued'] });
      await store!.messageCounts('acme', 'm1');
      await store!.laneStats();
      expect(await tableCounts(schema)).toEqual({ chunks: 3, rows: 0 });
      await claimAt(store!, T0);
      expect(await tableCounts(schema)).toEqual({ chunks: 2, rows: 1000 });
    });
  });

  it('passes over a chunk another transaction holds instead of waiting for it (SKIP LOCKED)', async () => {
    await withStores(1, async ([store], schema) => {
      await store!.insertMessage(message('m1'), Array.from({ length: CHUNK_TARGETS + 5 }, (_, i) => target(`d-${String(i).padStart(5, '0')}`)), null);
      const holder = new pg.Client({ connectionString: TEST_PG_URL });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query(`SELECT id FROM ${schema}.delivery_chunks ORDER BY id LIMIT 1 FOR UPDATE`);
        // Without SKIP LOCKED this claim would wait for the holder, which waits for it: the test would time out.
        const batch = await claimAt(store!, T0);
        expect(batch?.deliveries.map((d) => d.id)).toEqual(Array.from({ length: 5 }, (_, i) => `d-${String(CHUNK_TARGETS + i).padStart(5, '0')}`));
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
    });
  });

  it('keeps a hand-off answered from its claim across instances: another’s cancel leaves it, and a hand-off after another’s cancel reads the rows', async () => {
    await withStores(2, async ([a, b], schema) => {
      await a!.insertMessage(message('m1'), [target('a-1'), target('a-2'), target('a-3')], null);
      await a!.insertMessage({ ...message('m2'), createdAt: T0 + 1 }, [target('b-1'), target('b-2'), target('b-3')], null);
      const first = (await claimAt(a!, T0 + 2))!.deliveries.map((d) => d.id);
      const second = (await claimAt(a!, T0 + 2))!.deliveries.map((d) => d.id);
      expect(await a!.startSending('o', first, T0 + 3)).toEqual(first);
      // Answered from the claim: one handoffs row, no handed_at on the rows (postgres.handoffs.ts).
      const handed = () => admin(async (c) => ({
        records: Number((await c.query(`SELECT COUNT(*) AS n FROM ${schema}.handoffs`)).rows[0].n),
        marked: Number((await c.query(`SELECT COUNT(*) AS n FROM ${schema}.deliveries WHERE handed_at IS NOT NULL`)).rows[0].n),
      }));
      expect(await handed()).toEqual({ records: 1, marked: 0 });
      // The other instance's cancel copies the marks first and leaves the handed deliveries to finish.
      expect(await b!.cancelDeliveries('acme', 'm1', T0 + 4)).toEqual([]);
      expect(await handed()).toEqual({ records: 1, marked: 3 });
      expect((await b!.cancelDeliveries('acme', 'm2', T0 + 4)).map((c) => c.id).sort()).toEqual([...second].sort());
      // The claim of m2 was canceled elsewhere: the count moved, so its hand-off reads the rows and finds none leased.
      expect(await a!.startSending('o', second, T0 + 5)).toEqual([]);
      expect(await a!.messageCounts('acme', 'm1')).toEqual([{ provider: 'huawei', state: 'sending', count: 3 }]);
    });
  });

  it('reads the rows at a hand-off once another instance’s claim took them over after their lease ran out', async () => {
    await withStores(2, async ([a, b]) => {
      await a!.insertMessage(message('m1'), [target('a-1'), target('a-2')], null);
      const ids = (await a!.claimBatch({ tenant: 'acme', provider: 'huawei', now: T0, leaseUntil: T0 + 60_000, owner: 'a', limit: 10, excludeClasses: [] }))!.deliveries.map((d) => d.id);
      // B's clock is past A's lease: its claim takes the rows over (counting up lease_epoch first).
      const taken = await b!.claimBatch({ tenant: 'acme', provider: 'huawei', now: T0 + 61_000, leaseUntil: T0 + 121_000, owner: 'b', limit: 10, excludeClasses: [] });
      expect(taken?.deliveries.map((d) => d.id).sort()).toEqual([...ids].sort());
      // A's clock still has the lease running, but the count moved: the rows are read, and they are B's.
      expect(await a!.startSending('a', ids, T0 + 30_000)).toEqual([]);
      expect((await b!.startSending('b', ids, T0 + 61_001)).sort()).toEqual([...ids].sort());
    });
  });

  it('lets hand-offs and cancels from several instances run at once without deadlocks, each delivery either handed or canceled', async () => {
    await withStores(3, async (stores) => {
      const messages = Array.from({ length: 6 }, (_, m) => `m${m}`);
      for (const [m, id] of messages.entries()) await stores[0]!.insertMessage({ ...message(id), createdAt: T0 + m }, Array.from({ length: 40 }, (_, i) => target(`${id}-${i}`)), null);
      const claims = await Promise.all(
        messages.map((_, i) => stores[i % 3]!.claimBatch({ tenant: 'acme', provider: 'huawei', now: T0 + 10, leaseUntil: T0 + 60_000, owner: `o${i % 3}`, limit: 40, excludeClasses: [] })),
      );
      const results = await Promise.all([
        ...claims.map((c, i) => stores[i % 3]!.startSending(`o${i % 3}`, c!.deliveries.map((d) => d.id), T0 + 11)),
        ...messages.map((id, i) => stores[(i + 1) % 3]!.cancelDeliveries('acme', id, T0 + 11)),
      ]);
      for (const [i, c] of claims.entries()) {
        const handed = results[i] as string[];
        const canceled = (results[claims.length + i] as Array<{ id: string }>).map((x) => x.id);
        // A hand-off either came first (all handed, none canceled) or after the cancel (none handed).
        expect([...handed, ...canceled].sort()).toEqual(c!.deliveries.map((d) => d.id).sort());
      }
    });
  });

  it('passes over a chunk whose message an older version deleted, and retention removes it', async () => {
    await withStores(1, async ([store], schema) => {
      await store!.insertMessage(message('old'), [target('o-1'), target('o-2')], null);
      await store!.insertMessage({ ...message('new'), createdAt: T0 + 5 }, [target('n-1')], null);
      // What retention on a version without chunk rows does: the message goes, its chunk stays.
      await admin((c) => c.query(`DELETE FROM ${schema}.messages WHERE id = 'old'`));
      expect((await claimAt(store!, T0 + 10))?.message.id).toBe('new');
      expect(await claimAt(store!, T0 + 10)).toBeNull();
      expect(await store!.deleteOldMessages(T0 + 1)).toBe(0);
      expect((await tableCounts(schema)).chunks).toBe(0);
    });
  });
});
