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

describe('SQLite chunk rows', () => {
  const T0 = 1_764_000_000_000;
  const message = (id: string, createdAt = T0) => ({ id, tenant: 'acme', idempotencyKey: null, payload: '{}', createdAt, expiresAt: null, category: null });
  const targets = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${String(i).padStart(5, '0')}`, provider: 'huawei', deviceId: null, tokenEnc: `enc-${i}`, tokenHash: `h-${prefix}-${i}`, extras: null, quotaClass: 'default', registered: false }));
  const claim = (s: SqliteStore, now = T0) => s.claimBatch({ tenant: 'acme', provider: 'huawei', now, leaseUntil: now + 60_000, owner: 'o', limit: 1000, excludeClasses: [] });
  let dir: string;
  let file: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pushgate-chunks-'));
    file = path.join(dir, 'pushgate.db');
    store = new SqliteStore(file);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const tableCounts = () => {
    const db = new Database(file, { readonly: true });
    try {
      const n = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
      return { chunks: n('SELECT COUNT(*) AS n FROM delivery_chunks'), rows: n('SELECT COUNT(*) AS n FROM deliveries') };
    } finally {
      db.close();
    }
  };

  it('keeps an accepted message in chunks through listings and counts (they read, never expand)', async () => {
    await store.insertMessage(message('m1'), targets('d', 2500), null);
    expect(tableCounts()).toEqual({ chunks: 3, rows: 0 });
    await store.listDeliveries('acme', 'm1', null, 100);
    await store.listDeliveries('acme', 'm1', 'd-01999', 100, { states: ['queued'] });
    await store.messageCounts('acme', 'm1');
    await store.laneStats();
    expect(tableCounts()).toEqual({ chunks: 3, rows: 0 });
    await claim(store);
    expect(tableCounts()).toEqual({ chunks: 2, rows: 1000 });
  });

  it('keeps a hand-off answered from its claim across processes: a cancel by another store leaves it, and a hand-off after another store’s cancel reads the rows', async () => {
    await store.insertMessage(message('m1'), targets('a', 3), null);
    await store.insertMessage(message('m2', T0 + 1), targets('b', 3), null);
    const first = await claim(store, T0 + 2);
    const second = await claim(store, T0 + 2);
    const ids = (b: typeof first) => b!.deliveries.map((d) => d.id);
    expect(await store.startSending('o', ids(first), T0 + 3)).toEqual(ids(first));
    // Another process on the file (or this one after a restart) cancels both messages.
    const other = new SqliteStore(file);
    try {
      expect(await other.cancelDeliveries('acme', 'm1', T0 + 4)).toEqual([]);
      expect((await other.cancelDeliveries('acme', 'm2', T0 + 4)).map((c) => c.id).sort()).toEqual(ids(second).sort());
    } finally {
      await other.close();
    }
    // The claim of m2 was canceled elsewhere: its hand-off reads the rows and finds nothing leased.
    expect(await store.startSending('o', ids(second), T0 + 5)).toEqual([]);
  });

  it('passes over a chunk whose message an older version deleted, and retention removes it', async () => {
    await store.insertMessage(message('old'), targets('o', 10), null);
    await store.insertMessage(message('new', T0 + 5), targets('n', 10), null);
    // What retention on a version without chunk rows does: the message goes, its chunk stays.
    const db = new Database(file);
    db.prepare(`DELETE FROM messages WHERE id = 'old'`).run();
    db.close();
    const batch = await claim(store, T0 + 10);
    expect(batch?.message.id).toBe('new');
    expect(await claim(store, T0 + 10)).toBeNull();
    expect(await store.deleteOldMessages(T0 + 1)).toBe(0);
    expect(tableCounts().chunks).toBe(0);
  });
});
