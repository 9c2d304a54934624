/**
 * The webhook outbox on SQLite (SqliteStore delegates here). Writes happen inside the caller's
 * transaction (SQLite serialises writers, so "the last delivery of a message" is seen by exactly
 * one transaction); the sender's claims lease rows as deliveries are leased.
 */
import type Database from 'better-sqlite3';
import { deliveryChange, toOutbox, type Row } from './rows.js';
import { inTransaction, type Stmt } from './sqlite.sql.js';
import type { DeliveryState, NewOutboxEvent, OutboxRow, OutboxState, OutboxStats, OutboxUpdate, OutboxWriter, StoreChange, TimeKey } from './types.js';

export function sqliteWriteOutbox(stmt: Stmt, rows: NewOutboxEvent[], now: number): void {
  const ins = stmt(
    `INSERT INTO webhook_outbox (id, tenant, url, event, body, state, attempts, due_at, give_up_at, created_at, updated_at)
     VALUES (?,?,?,?,?,'pending',0,?,?,?,?)`,
  );
  for (const r of rows) ins.run(r.id, r.tenant, r.url, r.event, r.body, now, r.giveUpAt, now, now);
}

/** Called inside the transaction that changed these delivery rows: their events, then message.completed for each message left with nothing pending. */
export function sqliteOutboxForDeliveries(stmt: Stmt, changed: Row[], outbox: OutboxWriter, now: number): void {
  const emit = (c: StoreChange) => sqliteWriteOutbox(stmt, outbox(c, now), now);
  for (const r of changed) if (r.state !== 'queued') emit(deliveryChange(r));
  const messages = new Map<string, string>();
  for (const r of changed) messages.set(String(r.message_id), String(r.tenant));
  for (const [messageId, tenant] of messages) {
    // completed_at guards "once": only the transaction that sets it writes the event.
    const done = stmt(
      `UPDATE messages SET completed_at = ? WHERE id = ? AND completed_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM deliveries WHERE message_id = ? AND state IN ('queued','sending'))
       AND NOT EXISTS (SELECT 1 FROM delivery_chunks WHERE message_id = ?)`,
    ).run(now, messageId, messageId, messageId).changes;
    if (!done) continue;
    const counts: Partial<Record<DeliveryState, number>> = {};
    for (const c of stmt('SELECT state, COUNT(*) AS n FROM deliveries WHERE message_id = ? GROUP BY state').all(messageId) as Row[]) counts[c.state as DeliveryState] = Number(c.n);
    emit({ kind: 'message_done', tenant, messageId, counts });
  }
}

export function sqliteClaimOutbox(db: Database.Database, stmt: Stmt, owner: string, now: number, leaseUntil: number, limit: number): OutboxRow[] {
  const claim = () =>
    (
      stmt(
        `UPDATE webhook_outbox SET lease_owner = ?, due_at = ?, updated_at = ?
         WHERE id IN (SELECT id FROM webhook_outbox WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?)
         RETURNING *`,
      ).all(owner, leaseUntil, now, now, limit) as Row[]
    ).map(toOutbox);
  return inTransaction(db, claim, 'deferred');
}

export function sqliteCompleteOutbox(db: Database.Database, stmt: Stmt, owner: string, updates: OutboxUpdate[], now: number): void {
  const apply = stmt(
    `UPDATE webhook_outbox SET state = ?, attempts = ?, due_at = ?, last_error = ?, lease_owner = NULL, updated_at = ?
     WHERE id = ? AND lease_owner = ? AND state = 'pending'`,
  );
  inTransaction(db, () => {
    for (const u of updates) apply.run(u.state, u.attempts, u.state === 'pending' ? u.dueAt : now, u.error, now, u.id, owner);
  });
}

export function sqliteNextOutboxDueAt(stmt: Stmt): number | null {
  const row = stmt(`SELECT MIN(due_at) AS due FROM webhook_outbox WHERE state = 'pending'`).get() as Row;
  return row.due === null || row.due === undefined ? null : Number(row.due);
}

export function sqliteListOutbox(stmt: Stmt, tenant: string, state: OutboxState, after: TimeKey | null, limit: number): OutboxRow[] {
  const rows = after
    ? stmt(`SELECT * FROM webhook_outbox WHERE tenant = ? AND state = ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?`).all(tenant, state, after.at, after.id, limit)
    : stmt(`SELECT * FROM webhook_outbox WHERE tenant = ? AND state = ? ORDER BY created_at DESC, id DESC LIMIT ?`).all(tenant, state, limit);
  return (rows as Row[]).map(toOutbox);
}

export function sqliteRetryOutbox(stmt: Stmt, tenant: string, ids: string[] | null, now: number, giveUpAt: number, limit: number): number {
  const pick = ids
    ? `SELECT id FROM webhook_outbox WHERE tenant = ? AND state = 'failed' AND id IN (SELECT value FROM json_each(?)) ORDER BY created_at, id LIMIT ?`
    : `SELECT id FROM webhook_outbox WHERE tenant = ? AND state = 'failed' ORDER BY created_at, id LIMIT ?`;
  const args = ids ? [tenant, JSON.stringify(ids), limit] : [tenant, limit];
  return stmt(
    `UPDATE webhook_outbox SET state = 'pending', attempts = 0, due_at = ?, give_up_at = ?, lease_owner = NULL, updated_at = ? WHERE id IN (${pick})`,
  ).run(now, giveUpAt, now, ...args).changes;
}

export function sqliteOutboxStats(stmt: Stmt): OutboxStats[] {
  return (stmt(`SELECT tenant, COUNT(*) AS n, MIN(created_at) AS oldest FROM webhook_outbox WHERE state = 'pending' GROUP BY tenant`).all() as Row[]).map((r) => ({
    tenant: String(r.tenant),
    pending: Number(r.n),
    oldestCreatedAt: r.oldest === null ? null : Number(r.oldest),
  }));
}

export function sqliteReleaseOutbox(stmt: Stmt, owner: string, now: number): number {
  return stmt(`UPDATE webhook_outbox SET lease_owner = NULL, due_at = ?, updated_at = ? WHERE lease_owner = ? AND state = 'pending'`).run(now, now, owner).changes;
}
