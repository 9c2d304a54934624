/**
 * The webhook outbox on PostgreSQL (PostgresStore delegates here). Outbox rows are written on the
 * connection of the transaction that made the change. "The last delivery of a message became
 * final" is decided under a row lock on the message (taken before the deliveries change), so of
 * two lanes finishing one message at once, the second to commit sees the first's rows final and
 * writes message.completed; `completed_at` keeps it to once. Claims use SKIP LOCKED.
 */
import type pg from 'pg';
import { deliveryChange, toOutbox, type Row } from './rows.js';
import type { DeliveryState, NewOutboxEvent, OutboxRow, OutboxState, OutboxStats, OutboxUpdate, OutboxWriter, StoreChange, TimeKey } from './types.js';

type Exec = Pick<pg.PoolClient, 'query'>;

export async function pgWriteOutbox(c: Exec, rows: NewOutboxEvent[], now: number): Promise<void> {
  if (!rows.length) return;
  await c.query(
    `INSERT INTO webhook_outbox (id, tenant, url, event, body, state, attempts, due_at, give_up_at, created_at, updated_at)
     SELECT id, tenant, url, event, body, 'pending', 0, $1, give_up_at, $1, $1
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[]) AS u(id, tenant, url, event, body, give_up_at)`,
    [now, rows.map((r) => r.id), rows.map((r) => r.tenant), rows.map((r) => r.url), rows.map((r) => r.event), rows.map((r) => r.body), rows.map((r) => r.giveUpAt)],
  );
}

/** Lock the messages whose completion this transaction may decide, in id order (no deadlock between two lanes). */
export async function pgLockMessages(c: Exec, messageIds: string[]): Promise<void> {
  if (messageIds.length) await c.query('SELECT id FROM messages WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [messageIds]);
}

export async function pgOutboxForDeliveries(c: Exec, changed: Row[], outbox: OutboxWriter, now: number): Promise<void> {
  const rows: NewOutboxEvent[] = [];
  const emit = (ch: StoreChange) => rows.push(...outbox(ch, now));
  for (const r of changed) if (r.state !== 'queued') emit(deliveryChange(r));
  const messages = new Map<string, string>();
  for (const r of changed) messages.set(String(r.message_id), String(r.tenant));
  // Complete: nothing queued or sending, and no target left in a chunk. A claim deletes a chunk and inserts
  // its rows in one transaction, so this statement sees one or the other, never neither.
  for (const [messageId, tenant] of messages) {
    const done = await c.query(
      `UPDATE messages SET completed_at = $1 WHERE id = $2 AND completed_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM deliveries WHERE message_id = $2 AND state IN ('queued','sending'))
       AND NOT EXISTS (SELECT 1 FROM delivery_chunks WHERE message_id = $2)`,
      [now, messageId],
    );
    if (!done.rowCount) continue;
    const counts: Partial<Record<DeliveryState, number>> = {};
    for (const x of (await c.query('SELECT state, COUNT(*) AS n FROM deliveries WHERE message_id = $1 GROUP BY state', [messageId])).rows as Row[]) counts[x.state as DeliveryState] = Number(x.n);
    emit({ kind: 'message_done', tenant, messageId, counts });
  }
  await pgWriteOutbox(c, rows, now);
}

export async function pgClaimOutbox(pool: pg.Pool, owner: string, now: number, leaseUntil: number, limit: number): Promise<OutboxRow[]> {
  const { rows } = await pool.query(
    `UPDATE webhook_outbox o SET lease_owner = $1, due_at = $2, updated_at = $3
     FROM (SELECT id FROM webhook_outbox WHERE state = 'pending' AND due_at <= $3 ORDER BY due_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) picked
     WHERE o.id = picked.id AND o.state = 'pending' AND o.due_at <= $3
     RETURNING o.*`,
    [owner, leaseUntil, now, limit],
  );
  return (rows as Row[]).map(toOutbox).sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : 1));
}

export async function pgCompleteOutbox(pool: pg.Pool, owner: string, updates: OutboxUpdate[], now: number): Promise<void> {
  if (!updates.length) return;
  await pool.query(
    `UPDATE webhook_outbox o SET state = u.state, attempts = u.attempts, due_at = u.due_at, last_error = u.last_error, lease_owner = NULL, updated_at = $2
     FROM unnest($3::text[], $4::text[], $5::int[], $6::bigint[], $7::text[]) AS u(id, state, attempts, due_at, last_error)
     WHERE o.id = u.id AND o.lease_owner = $1 AND o.state = 'pending'`,
    [owner, now, updates.map((u) => u.id), updates.map((u) => u.state), updates.map((u) => u.attempts), updates.map((u) => (u.state === 'pending' ? u.dueAt : now)), updates.map((u) => u.error)],
  );
}

export async function pgNextOutboxDueAt(pool: pg.Pool): Promise<number | null> {
  const { rows } = await pool.query(`SELECT MIN(due_at) AS due FROM webhook_outbox WHERE state = 'pending'`);
  const due = (rows[0] as Row | undefined)?.due;
  return due === null || due === undefined ? null : Number(due);
}

export async function pgListOutbox(pool: pg.Pool, tenant: string, state: OutboxState, after: TimeKey | null, limit: number): Promise<OutboxRow[]> {
  const { rows } = after
    ? await pool.query(`SELECT * FROM webhook_outbox WHERE tenant = $1 AND state = $2 AND (created_at, id) < ($3, $4) ORDER BY created_at DESC, id DESC LIMIT $5`, [tenant, state, after.at, after.id, limit])
    : await pool.query(`SELECT * FROM webhook_outbox WHERE tenant = $1 AND state = $2 ORDER BY created_at DESC, id DESC LIMIT $3`, [tenant, state, limit]);
  return (rows as Row[]).map(toOutbox);
}

export async function pgRetryOutbox(pool: pg.Pool, tenant: string, ids: string[] | null, now: number, giveUpAt: number, limit: number): Promise<number> {
  const res = await pool.query(
    `UPDATE webhook_outbox SET state = 'pending', attempts = 0, due_at = $1, give_up_at = $2, lease_owner = NULL, updated_at = $1
     WHERE id IN (SELECT id FROM webhook_outbox WHERE tenant = $3 AND state = 'failed' AND ($4::text[] IS NULL OR id = ANY($4::text[])) ORDER BY created_at, id LIMIT $5)`,
    [now, giveUpAt, tenant, ids, limit],
  );
  return res.rowCount ?? 0;
}

export async function pgOutboxStats(pool: pg.Pool): Promise<OutboxStats[]> {
  const { rows } = await pool.query(`SELECT tenant, COUNT(*) AS n, MIN(created_at) AS oldest FROM webhook_outbox WHERE state = 'pending' GROUP BY tenant`);
  return (rows as Row[]).map((r) => ({ tenant: String(r.tenant), pending: Number(r.n), oldestCreatedAt: r.oldest === null ? null : Number(r.oldest) }));
}

export async function pgReleaseOutbox(pool: pg.Pool, owner: string, now: number): Promise<number> {
  const res = await pool.query(`UPDATE webhook_outbox SET lease_owner = NULL, due_at = $1, updated_at = $1 WHERE lease_owner = $2 AND state = 'pending'`, [now, owner]);
  return res.rowCount ?? 0;
}
