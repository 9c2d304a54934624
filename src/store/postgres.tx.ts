/** Transactions and row access shared by the PostgreSQL store's modules. */
import type pg from 'pg';
import type { Row } from './rows.js';

/** Run `fn` in one transaction on one pooled connection; a connection that failed mid-way is discarded. */
export async function withTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  // The pool listens for errors only on idle clients: a connection that drops while this one is checked
  // out and between two queries emits 'error' with nobody listening, and the process would crash. The
  // next query then fails, the transaction's error is thrown, and the client is discarded.
  const lost = (err: Error) => {
    broken = err;
  };
  c.on('error', lost);
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch((rollbackErr: unknown) => {
      broken = rollbackErr as Error;
    });
    throw err;
  } finally {
    c.removeListener('error', lost);
    c.release(broken);
  }
}

export function firstRow(rows: Row[]): Row {
  const row = rows[0];
  if (!row) throw new Error('expected a row from PostgreSQL, got none');
  return row;
}
