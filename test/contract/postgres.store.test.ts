/**
 * The store conformance suite against the PostgreSQL on 127.0.0.1:5432 (PUSHGATE_TEST_PG_URL):
 * each test gets its own schema (search_path set in the connection string), dropped afterwards,
 * so runs never collide. "Two instances" are two PostgresStore pools on that schema.
 */
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
      // Reserved (empty) numbers are skipped and not recorded: they apply once they are filled in.
      expect(rows.rows.map((r: { version: number }) => r.version)).toEqual(POSTGRES_MIGRATIONS.flatMap((m, i) => (m.trim() ? [i + 1] : [])));
    } finally {
      await admin((c) => c.query(`DROP SCHEMA ${schema} CASCADE`));
    }
  });

  it('fail with the reason when the server cannot be reached', async () => {
    await expect(PostgresStore.connect('postgres://nobody:secret@127.0.0.1:1/none', { poolSize: 1, logger })).rejects.toThrow(/ECONNREFUSED|connect/);
  });
});
