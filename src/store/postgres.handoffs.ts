/**
 * The hand-off from the claim on PostgreSQL (issue 11), as on SQLite (sqlite.handoffs.ts, migration 14):
 * a claim from chunk rows notes `lease_epoch` (HandOffLedger, handoffs.ts); while the count is unchanged
 * and the lease runs, the hand-off writes one `handoffs` row instead of a handed_at on each delivery.
 *
 * Several instances share the database, so the count's row is also a lock. A hand-off reads it FOR SHARE
 * and inserts its row in the same transaction: hand-offs do not wait for each other, and an operation
 * that can take a claimed row (pgDisturbLeases, FOR UPDATE) waits until they commit, so it then sees their
 * rows; a hand-off that comes while one is in progress waits for it and reads the new count. Those
 * operations take the row first in their transaction, before any lock on deliveries or chunks, and a
 * hand-off holds no other lock before it: no cycle.
 */
import type pg from 'pg';
import type { ClaimHandOff } from './handoffs.js';
import { firstRow } from './postgres.tx.js';

type Exec = Pick<pg.PoolClient, 'query'>;

/** The count, locked against a change until the caller's transaction ends (a hand-off's first statement). */
export async function pgLeaseEpochForShare(c: Exec): Promise<number> {
  return Number(firstRow((await c.query('SELECT n FROM lease_epoch WHERE id = 1 FOR SHARE')).rows).n);
}

/** Count an operation that may take claimed rows from their owner: the first statement of its transaction. */
export async function pgDisturbLeases(c: Exec): Promise<void> {
  await c.query('UPDATE lease_epoch SET n = n + 1 WHERE id = 1');
}

/** A hand-off answered from its claim: one row, and the records whose lease ran out go. */
export async function pgRecordHandOff(c: Exec, owner: string, h: ClaimHandOff, now: number): Promise<void> {
  await c.query(
    `WITH gone AS (DELETE FROM handoffs WHERE lease_until <= $5)
     INSERT INTO handoffs (owner, message_id, ids, lease_until, at) VALUES ($1, $2, $3, $4, $5)`,
    [owner, h.messageId, JSON.stringify(h.ids), h.leaseUntil, now],
  );
}

/**
 * Before a cancel, after pgDisturbLeases: the message's deliveries handed off from their claim get
 * `handed_at` where the lease that was handed off is still theirs (same owner, same lease end), so the
 * cancel leaves them to finish. `IS TRUE` as postgres.claims.ts's SENDING: by primary key, not the lane index.
 */
export async function pgWriteHandOffs(c: Exec, messageId: string): Promise<void> {
  await c.query(
    `UPDATE deliveries d SET handed_at = x.at
     FROM (SELECT h.owner, h.lease_until, h.at, j.id FROM handoffs h, json_array_elements_text(h.ids::json) AS j(id) WHERE h.message_id = $1) AS x
     WHERE d.id = x.id AND d.lease_owner = x.owner AND d.due_at = x.lease_until AND (d.state = 'sending') IS TRUE`,
    [messageId],
  );
}
