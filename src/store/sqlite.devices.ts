/** Device registration and lookup on SQLite (SqliteStore delegates here). */
import type Database from 'better-sqlite3';
import { json, toDevice, type Row } from './rows.js';
import { sqliteWriteOutbox } from './sqlite.outbox.js';
import { inChunks, inTransaction, marks, type Stmt } from './sqlite.sql.js';
import type { DeviceRow, LaneKey, OutboxWriter, UpsertDeviceInput } from './types.js';

export function sqliteUpsertDevice(db: Database.Database, stmt: Stmt, input: UpsertDeviceInput): { device: DeviceRow; created: boolean } {
  return inTransaction(db, () => {
    const existing = stmt('SELECT * FROM devices WHERE tenant = ? AND provider = ? AND token_hash = ?')
      .get(input.tenant, input.provider, input.tokenHash) as Row | undefined;
    if (existing) {
      stmt('UPDATE devices SET last_seen_at = ?, user_id = ?, extras = ?, token_enc = ? WHERE id = ?')
        .run(input.now, input.userId, json(input.extras), input.tokenEnc, existing.id);
      return { device: toDevice({ ...existing, last_seen_at: input.now, user_id: input.userId, extras: json(input.extras), token_enc: input.tokenEnc }), created: false };
    }
    stmt(
        'INSERT INTO devices (id, tenant, provider, token_enc, token_hash, user_id, extras, created_at, last_seen_at) VALUES (?,?,?,?,?,?,?,?,?)',
      )
      .run(input.id, input.tenant, input.provider, input.tokenEnc, input.tokenHash, input.userId, json(input.extras), input.now, input.now);
    const row = stmt('SELECT * FROM devices WHERE id = ?').get(input.id) as Row;
    return { device: toDevice(row), created: true };
  });
}

export function sqliteFindDevicesByHashes(stmt: Stmt, tenant: string, provider: string, tokenHashes: string[]): DeviceRow[] {
  return inChunks(tokenHashes, (chunk) =>
    stmt(`SELECT * FROM devices WHERE tenant = ? AND provider = ? AND token_hash IN (${marks(chunk)})`).all(tenant, provider, ...chunk) as Row[],
  ).map(toDevice);
}

export function sqliteGetDevices(stmt: Stmt, tenant: string, ids: string[]): DeviceRow[] {
  return inChunks(ids, (chunk) =>
    stmt(`SELECT * FROM devices WHERE tenant = ? AND id IN (${marks(chunk)})`).all(tenant, ...chunk) as Row[],
  ).map(toDevice);
}

export function sqliteDevicesOfUsers(stmt: Stmt, tenant: string, userIds: string[]): DeviceRow[] {
  return inChunks(userIds, (chunk) =>
    stmt(`SELECT * FROM devices WHERE tenant = ? AND user_id IN (${marks(chunk)}) ORDER BY created_at, id`).all(tenant, ...chunk) as Row[],
  ).map(toDevice);
}

export function sqliteDeleteDeviceByHash(
  db: Database.Database,
  stmt: Stmt,
  tenant: string,
  provider: string,
  tokenHash: string,
  prune?: { now: number; outbox: OutboxWriter },
): boolean {
  if (!prune) return stmt('DELETE FROM devices WHERE tenant = ? AND provider = ? AND token_hash = ?').run(tenant, provider, tokenHash).changes > 0;
  return inTransaction(db, () => {
    const gone = stmt('DELETE FROM devices WHERE tenant = ? AND provider = ? AND token_hash = ? RETURNING id, user_id').all(tenant, provider, tokenHash) as Row[];
    const { now, outbox } = prune;
    for (const d of gone) {
      const change = { kind: 'device_pruned', tenant, provider, deviceId: String(d.id), userId: d.user_id === null ? null : String(d.user_id) } as const;
      sqliteWriteOutbox(stmt, outbox(change, now), now);
    }
    return gone.length > 0;
  });
}

export function sqliteDeleteDevice(stmt: Stmt, tenant: string, id: string): boolean {
  return stmt('DELETE FROM devices WHERE tenant = ? AND id = ?').run(tenant, id).changes > 0;
}

export function sqliteCountDevices(stmt: Stmt): Array<LaneKey & { count: number }> {
  return (stmt('SELECT tenant, provider, COUNT(*) AS n FROM devices GROUP BY tenant, provider').all() as Row[]).map((r) => ({
    tenant: String(r.tenant),
    provider: String(r.provider),
    count: Number(r.n),
  }));
}
