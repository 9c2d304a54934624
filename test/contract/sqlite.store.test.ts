/**
 * The store conformance suite against SQLite: a fresh file per test; "two instances" are two
 * SqliteStore connections on the same WAL file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite.migrations.js';
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
