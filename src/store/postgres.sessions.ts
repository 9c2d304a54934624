/** Web console sessions on PostgreSQL; PostgresStore delegates here. */
import type pg from 'pg';
import { toSession, type Row } from './rows.js';
import type { ConsoleSessionRow } from './types.js';

export async function pgCreateConsoleSession(pool: pg.Pool, s: ConsoleSessionRow): Promise<void> {
  await pool.query('INSERT INTO console_sessions (id_hash, tenant, key_tag, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [s.idHash, s.tenant, s.keyTag, s.createdAt, s.expiresAt]);
}

export async function pgFindConsoleSession(pool: pg.Pool, idHash: string, now: number): Promise<ConsoleSessionRow | null> {
  const { rows } = await pool.query('SELECT * FROM console_sessions WHERE id_hash = $1 AND expires_at > $2', [idHash, now]);
  return rows[0] ? toSession(rows[0] as Row) : null;
}

export async function pgExtendConsoleSession(pool: pg.Pool, idHash: string, expiresAt: number): Promise<void> {
  await pool.query('UPDATE console_sessions SET expires_at = $1 WHERE id_hash = $2 AND expires_at < $1', [expiresAt, idHash]);
}

export async function pgDeleteConsoleSession(pool: pg.Pool, idHash: string): Promise<boolean> {
  return ((await pool.query('DELETE FROM console_sessions WHERE id_hash = $1', [idHash])).rowCount ?? 0) > 0;
}

export async function pgDeleteExpiredConsoleSessions(pool: pg.Pool, now: number): Promise<number> {
  return (await pool.query('DELETE FROM console_sessions WHERE expires_at <= $1', [now])).rowCount ?? 0;
}
