/**
 * The store conformance suite against the PostgreSQL on 127.0.0.1:5432 (PUSHGATE_TEST_PG_URL):
 * each test gets its own schema (search_path set in the connection string), dropped afterwards,
 * so runs never collide. "Two instances" are two PostgresStore pools on that schema.
 */
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres.migrations.js';
import { PostgresStore } from '../../src/store/postgres.js';
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
    // Every claim is one transaction on its own pool client: the most clients held at once is the most claims at once.
    let held = 0;
    let most = 0;
    const connect = pg.Pool.prototype.connect;
    const spy = jest.spyOn(pg.Pool.prototype, 'connect').mockImplementation(async function (this: pg.Pool) {
      const client = (await (connect as () => Promise<pg.PoolClient>).call(this)) as pg.PoolClient;
      most = Math.max(most, ++held);
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
