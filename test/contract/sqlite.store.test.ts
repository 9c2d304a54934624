/**
 * The store conformance suite against SQLite: a fresh file per test; "two instances" are two
 * SqliteStore connections on the same WAL file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite.migrations.js';
import { LANE_ACTIVITY_SQL } from '../../src/store/sqlite.listing.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { describeStore } from './store.contract.js';

describeStore('SQLite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-store-'));
  const file = path.join(dir, 'pushgate.db');
  return {
    open: async () => new SqliteStore(file),
    destroy: async () => rmSync(dir, { recursive: true, force: true }),
    // 0.1's schema: migrations 1–4, recorded as SqliteStore records them.
    seedPreExtras: async (sql) => {
      const db = new Database(file);
      try {
        db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
        SQLITE_MIGRATIONS.slice(0, 4).forEach((m, i) => {
          db.exec(m);
          db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(i + 1, 0);
        });
        db.exec(sql);
      } finally {
        db.close();
      }
    },
  };
});

describe('SQLite query plans', () => {
  it('counts a tenant’s lanes from the lane and finished-delivery indexes, never by scanning deliveries', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-plan-'));
    const file = path.join(dir, 'pushgate.db');
    try {
      await new SqliteStore(file).close(); // migrated schema
      const db = new Database(file, { readonly: true });
      const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...['acme', 0].slice(0, sql.split('?').length - 1)) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
      try {
        expect(plan(LANE_ACTIVITY_SQL.pending)).toMatch(/SEARCH deliveries USING INDEX deliveries_lane_due \(tenant=\?/);
        expect(plan(LANE_ACTIVITY_SQL.sent)).toMatch(/SEARCH deliveries USING INDEX deliveries_finished \(tenant=\? AND updated_at>\?\)/);
        for (const sql of Object.values(LANE_ACTIVITY_SQL)) expect(plan(sql)).not.toMatch(/SCAN deliveries/);
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
