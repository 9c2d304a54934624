/** A user's data on SQLite (GDPR export and erasure); SqliteStore delegates here. */
import type Database from 'better-sqlite3';
import { toDelivery, toDevice, type Row } from './rows.js';
import { sqliteExpandDevices } from './sqlite.chunks.js';
import { sqliteOutboxForDeliveries } from './sqlite.outbox.js';
import { ACTIVE, inTransaction, type Stmt } from './sqlite.sql.js';
import type { DeliveryRow, DeviceRow, OutboxWriter } from './types.js';

export function sqliteExportUser(db: Database.Database, stmt: Stmt, tenant: string, userId: string): { devices: DeviceRow[]; deliveries: DeliveryRow[] } {
  return inTransaction(db, () => {
    const devices = (stmt('SELECT * FROM devices WHERE tenant = ? AND user_id = ? ORDER BY created_at').all(tenant, userId) as Row[]).map(toDevice);
    // The user's targets that no lane has claimed yet become rows first (sqlite.chunks.ts).
    sqliteExpandDevices(stmt, tenant, devices.map((d) => d.id));
    const deliveries = (
      stmt('SELECT d.* FROM deliveries d JOIN devices v ON v.id = d.device_id WHERE v.tenant = ? AND v.user_id = ? ORDER BY d.created_at')
        .all(tenant, userId) as Row[]
    ).map(toDelivery);
    return { devices, deliveries };
  });
}

export function sqliteEraseUser(
  db: Database.Database,
  stmt: Stmt,
  tenant: string,
  userId: string,
  finish?: { now: number; outbox: OutboxWriter },
): { devices: number; deliveries: number } {
  return inTransaction(db, () => {
    const ids = (stmt('SELECT id FROM devices WHERE tenant = ? AND user_id = ?').all(tenant, userId) as Row[]).map((r) => String(r.id));
    sqliteExpandDevices(stmt, tenant, ids);
    const gone = stmt(`DELETE FROM deliveries WHERE ${ACTIVE} AND device_id IN (SELECT id FROM devices WHERE tenant = ? AND user_id = ?) RETURNING tenant, message_id`)
      .all(tenant, userId) as Row[];
    const deliveries = gone.length;
    // Removed, not finished: no delivery event, but their messages may now be complete.
    if (finish) sqliteOutboxForDeliveries(stmt, gone.map((r) => ({ ...r, state: 'queued' })), finish.outbox, finish.now);
    // Finished deliveries keep their counts but lose the link and the token: nothing about the user remains.
    stmt(`UPDATE deliveries SET device_id = NULL, token_enc = '', token_hash = '' WHERE device_id IN (SELECT id FROM devices WHERE tenant = ? AND user_id = ?)`)
      .run(tenant, userId);
    const devices = stmt('DELETE FROM devices WHERE tenant = ? AND user_id = ?').run(tenant, userId).changes;
    return { devices, deliveries };
  });
}
