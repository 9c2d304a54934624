/**
 * Cancel, recall and replay on SQLite (SqliteStore delegates here). Each write runs in one
 * immediate transaction, so a claim or a hand-off is either before it or sees its result.
 */
import type Database from 'better-sqlite3';
import { json, RECALLED, toIdem, type Row } from './rows.js';
import { sqliteExpandChunks } from './sqlite.chunks.js';
import { sqliteOutboxForDeliveries } from './sqlite.outbox.js';
import { inTransaction, type Stmt } from './sqlite.sql.js';
import type { LaneKey, OutboxWriter, RequeueOutcome, RequeueRequest } from './types.js';

export function sqliteCancelDeliveries(db: Database.Database, stmt: Stmt, tenant: string, messageId: string, now: number, outbox?: OutboxWriter): Array<LaneKey & { id: string }> {
  // One writer at a time: a claim or a hand-off (startSending) is either before this, or sees `canceled`.
  // With `outbox`, a cancel that leaves nothing queued or sending completes the message (message.completed).
  const rows = inTransaction(db, () => {
    // Targets still in chunks become rows first, so each is canceled (and reported) like any other.
    sqliteExpandChunks(stmt, 'message_id = ? AND tenant = ?', [messageId, tenant]);
    const changed = stmt(
      `UPDATE deliveries SET state = 'canceled', lease_owner = NULL, due_at = NULL, updated_at = ?
         WHERE tenant = ? AND message_id = ? AND (state = 'queued' OR (state = 'sending' AND (handed_at IS NULL OR due_at <= ?)))
         RETURNING id, tenant, message_id, provider, state, attempts, last_error`,
    ).all(now, tenant, messageId, now) as Row[];
    if (outbox && changed.length) sqliteOutboxForDeliveries(stmt, changed, outbox, now);
    return changed;
  });
  return rows.map((r) => ({ id: String(r.id), tenant: String(r.tenant), provider: String(r.provider) }));
}

export function sqliteMarkRecalled(stmt: Stmt, tenant: string, ids: string[], now: number): number {
  if (!ids.length) return 0;
  return stmt(
    `UPDATE deliveries SET state = 'canceled', last_error = ?, updated_at = ? WHERE tenant = ? AND id IN (SELECT value FROM json_each(?)) AND state IN ('sent','delivered')`,
  ).run(json(RECALLED), now, tenant, JSON.stringify(ids)).changes;
}

export function sqliteRequeueDeliveries(db: Database.Database, stmt: Stmt, req: RequeueRequest): RequeueOutcome {
  return inTransaction(db, (): RequeueOutcome => {
    const idem = req.idempotency;
    if (idem) {
      const existing = stmt('SELECT * FROM idempotency WHERE tenant = ? AND key = ?').get(req.tenant, idem.key) as Row | undefined;
      if (existing && Number(existing.created_at) >= idem.createdAt - 86_400_000) return { inserted: false, existing: toIdem(existing) };
    }
    const setExpiry = stmt('UPDATE messages SET expires_at = ? WHERE tenant = ? AND id = ?');
    for (const e of req.expiries) setExpiry.run(e.expiresAt, req.tenant, e.messageId);
    const requeue = stmt(
      `UPDATE deliveries SET state = 'queued', attempts = 0, due_at = ?, lease_owner = NULL, handed_at = NULL, updated_at = ?
         WHERE tenant = ? AND id IN (SELECT value FROM json_each(?)) AND state IN ('failed','expired')
         RETURNING id, tenant, provider, message_id`,
    );
    const requeued: Array<LaneKey & { id: string }> = [];
    const messages = new Set<string>();
    for (let i = 0; i < req.ids.length; i += 10_000) {
      const rows = requeue.all(req.now, req.now, req.tenant, JSON.stringify(req.ids.slice(i, i + 10_000))) as Row[];
      for (const r of rows) {
        requeued.push({ id: String(r.id), tenant: String(r.tenant), provider: String(r.provider) });
        messages.add(String(r.message_id));
      }
    }
    // A replayed message completes again: message.completed is written when these end too.
    const rearm = stmt('UPDATE messages SET completed_at = NULL WHERE tenant = ? AND id = ?');
    for (const m of messages) rearm.run(req.tenant, m);
    let response: string | null = null;
    if (idem) {
      response = idem.answer(requeued);
      stmt('INSERT OR REPLACE INTO idempotency (tenant, key, body_hash, status, response, created_at) VALUES (?,?,?,?,?,?)')
        .run(req.tenant, idem.key, idem.bodyHash, idem.status, response, idem.createdAt);
    }
    return { inserted: true, requeued, response };
  });
}
