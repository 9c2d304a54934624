/** Web console sessions on SQLite; SqliteStore delegates here. */
import { toSession, type Row } from './rows.js';
import type { Stmt } from './sqlite.sql.js';
import type { ConsoleSessionRow } from './types.js';

export function sqliteCreateConsoleSession(stmt: Stmt, s: ConsoleSessionRow): void {
  stmt('INSERT INTO console_sessions (id_hash, tenant, key_tag, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(s.idHash, s.tenant, s.keyTag, s.createdAt, s.expiresAt);
}

export function sqliteFindConsoleSession(stmt: Stmt, idHash: string, now: number): ConsoleSessionRow | null {
  const r = stmt('SELECT * FROM console_sessions WHERE id_hash = ? AND expires_at > ?').get(idHash, now) as Row | undefined;
  return r ? toSession(r) : null;
}

export function sqliteExtendConsoleSession(stmt: Stmt, idHash: string, expiresAt: number): void {
  stmt('UPDATE console_sessions SET expires_at = ? WHERE id_hash = ? AND expires_at < ?').run(expiresAt, idHash, expiresAt);
}

export function sqliteDeleteConsoleSession(stmt: Stmt, idHash: string): boolean {
  return stmt('DELETE FROM console_sessions WHERE id_hash = ?').run(idHash).changes > 0;
}

export function sqliteDeleteExpiredConsoleSessions(stmt: Stmt, now: number): number {
  return stmt('DELETE FROM console_sessions WHERE expires_at <= ?').run(now).changes;
}
