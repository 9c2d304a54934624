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
