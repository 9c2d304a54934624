/**
 * The hand-off on SQLite without reading and rewriting the batch (SqliteStore.startSending).
 *
 * The hand-off answers which of a claimed batch's deliveries are still leased to the caller (a cancel
 * may have taken some since the claim) and marks them handed, so that a later cancel leaves them to
 * finish. As a statement it read and rewrote the thousand rows the claim had just written, between
 * the claim and the vendor request; the read was most of it (docs/performance.md).
 *
 * Now every operation that can take a claimed row from its owner (cancel, erasure, release,
 * retention, a claim of rows, which may be rows whose lease ran out) counts up `lease_epoch` in its
 * transaction. A claim from chunk rows (targets never leased before) notes the count; while it is
 * unchanged and the lease still runs, every row of that claim is still its owner's, so the hand-off
 * answers from the claim's own ids and writes one `handoffs` row (the ids as JSON) instead of a
 * thousand. A cancel first copies the handed marks of its message from `handoffs` onto the rows'
 * `handed_at`, then runs as before. Both live in the database, so this holds across a crash and for
 * any process on the file. Otherwise (a part of the ids not from one claim, another count, a lease
 * run out) the hand-off takes the statement path. The in-memory index of claims is store-neutral
 * (handoffs.ts, HandOffLedger); this file is the SQLite SQL around it.
 */
import type { ClaimHandOff } from './handoffs.js';
import type { Stmt } from './sqlite.sql.js';

/** The count of operations that may have taken claimed rows from their owner. */
export function sqliteLeaseEpoch(stmt: Stmt): number {
  return Number(stmt('SELECT n FROM lease_epoch WHERE id = 1').pluck().get());
}

/** Count one such operation, in its own transaction. */
export function sqliteDisturbLeases(stmt: Stmt): void {
  stmt('UPDATE lease_epoch SET n = n + 1 WHERE id = 1').run();
}

/** A hand-off answered from its claim: one row, and the records whose lease ran out go. */
export function sqliteRecordHandOff(stmt: Stmt, owner: string, h: ClaimHandOff, now: number): void {
  stmt('DELETE FROM handoffs WHERE lease_until <= ?').run(now);
  stmt('INSERT INTO handoffs (owner, message_id, ids, lease_until, at) VALUES (?,?,?,?,?)').run(owner, h.messageId, JSON.stringify(h.ids), h.leaseUntil, now);
}

/**
 * Before a cancel: the message's deliveries handed off from their claim get `handed_at`, where the lease
 * that was handed off is still theirs (same owner, same lease end), so the cancel leaves them to finish.
 */
export function sqliteWriteHandOffs(stmt: Stmt, messageId: string): void {
  stmt(
    `UPDATE deliveries SET handed_at = x.at
       FROM (SELECT h.owner, h.lease_until, h.at, j.value AS id FROM handoffs h, json_each(h.ids) j WHERE h.message_id = ?) AS x
       WHERE deliveries.id = x.id AND deliveries.lease_owner = x.owner AND deliveries.due_at = x.lease_until AND deliveries.state = 'sending'`,
  ).run(messageId);
}

