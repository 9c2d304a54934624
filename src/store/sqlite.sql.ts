/** SQL fragments and statement access shared by the SQLite store's modules. */
import type Database from 'better-sqlite3';
import type { Row } from './rows.js';

/** The store's prepared-statement cache (SqliteStore.stmt): the modules never prepare SQL themselves. */
export type Stmt = (sql: string) => Database.Statement;

export const ACTIVE = `state IN ('queued','sending')`;

export const marks = (xs: unknown[]) => xs.map(() => '?').join(',');
export const notIn = (classes: string[]) => (classes.length ? ` AND quota_class NOT IN (${marks(classes)})` : '');

/** SQLite caps bound parameters; split long id lists. */
export function inChunks(values: string[], query: (chunk: string[]) => Row[]): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < values.length; i += 500) out.push(...query(values.slice(i, i + 500)));
  return out;
}

type Runner = Database.Transaction<(run: () => unknown) => unknown>;
/** A cache keyed by connection, holding nothing but the wrapper: it goes with its connection and changes no behaviour. */
const runners = new WeakMap<Database.Database, Runner>();

/**
 * Run `f` in a transaction (a savepoint when one is open already). better-sqlite3's `db.transaction(fn)`
 * builds four wrapper functions and their properties on every call, which was 3.6% of the gateway's
 * CPU with single-target sends (bench profile); one wrapper per connection, taking the work as its
 * argument, does the same.
 */
export function inTransaction<T>(db: Database.Database, f: () => T, mode: 'immediate' | 'deferred' = 'immediate'): T {
  let runner = runners.get(db);
  if (!runner) runners.set(db, (runner = db.transaction((run: () => unknown) => run())));
  return runner[mode](f) as T;
}

/**
 * Rows of a UNION ALL of delivery counts and chunk counts (sqlite.chunks.ts) merged per key: `n` added,
 * `oldest` (when present) the earlier. The first row of a key keeps its other columns.
 */
export function sumByKey(rows: Row[], key: (r: Row) => string): Row[] {
  const merged = new Map<string, Row>();
  for (const r of rows) {
    const k = key(r);
    const m = merged.get(k);
    if (!m) merged.set(k, { ...r });
    else {
      m.n = Number(m.n) + Number(r.n);
      if (r.oldest !== undefined && r.oldest !== null) m.oldest = m.oldest === null || m.oldest === undefined ? r.oldest : Math.min(Number(m.oldest), Number(r.oldest));
    }
  }
  return [...merged.values()];
}
