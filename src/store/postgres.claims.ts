/**
 * The PostgreSQL side of the lane queue (PostgresStore delegates here): where several instances
 * claim from one lane at once. `FOR UPDATE SKIP LOCKED` makes two claimers never get the same
 * delivery, and completions touch only rows still leased by their owner. Receipts, and the lanes'
 * pauses and depths, live here too.
 */
import type pg from 'pg';
import { firstRow, withTransaction } from './postgres.tx.js';
import { completionGroups, type CompletionGroup } from './completions.js';
import { json, RECALLED, toDelivery, toIdem, toMessage, toPause, type Row } from './rows.js';
import { CHUNK_DUE, pgClaimChunks, pgExpandChunks, toChunk } from './postgres.chunks.js';
import { pgLockMessages, pgOutboxForDeliveries } from './postgres.outbox.js';
import { pgDisturbLeases, pgLeaseEpochForShare, pgRecordHandOff, pgWriteHandOffs } from './postgres.handoffs.js';
import type { HandOffLedger } from './handoffs.js';
import type { ClaimRequest, ClaimedBatch, DeliveryUpdate, LaneKey, LanePause, LaneStats, OutboxWriter, ReceiptMatch, RequeueOutcome, RequeueRequest } from './types.js';

export const ACTIVE = `state IN ('queued','sending')`;

/**
 * "Still sending", for statements that find their rows by primary key (`id = ANY`). Written plainly, the
 * planner proves it implies the predicate of the partial index deliveries_lane_due and ANDs a bitmap of
 * that whole index (every queued row of the lane: 109,000 entries mid-way through a 100,000-target
 * fan-out) with the primary key's 1000: 4-5 ms of a 17 ms hand-off and of a 26 ms completion (EXPLAIN
 * ANALYZE, 2026-11-30). `IS TRUE` is the same test (state is NOT NULL) that the prover does not use.
 */
const SENDING = `(d.state = 'sending') IS TRUE`;

export async function pgNextDueAt(pool: pg.Pool, lane: LaneKey, excludeClasses: string[]): Promise<number | null> {
  // LEAST ignores a NULL: the earlier of the two, or whichever exists.
  const { rows } = await pool.query(
    `SELECT LEAST(
       (SELECT MIN(due_at) FROM deliveries WHERE tenant = $1 AND provider = $2 AND ${ACTIVE} AND quota_class <> ALL($3::text[])),
       (SELECT MIN(due_at) FROM delivery_chunks WHERE tenant = $1 AND provider = $2 AND quota_class <> ALL($3::text[]))
     ) AS due`,
    [lane.tenant, lane.provider, excludeClasses],
  );
  const due = firstRow(rows).due;
  return due === null || due === undefined ? null : Number(due);
}

/**
 * The lane's head: its earliest due deliveries row and its earliest due chunk, each locked (SKIP LOCKED),
 * in one round trip. A chunk wins when it is due strictly before the row (or there is no row); only then
 * are its targets read. Each head also carries `lease_epoch`, which a claim from the chunk notes for its
 * hand-off (postgres.handoffs.ts); read before the chunk is locked, so it is never newer than the chunk.
 */
const LANE_HEADS = `WITH row_head AS (
    SELECT message_id, due_at, state FROM deliveries
    WHERE tenant = $1 AND provider = $2 AND ${ACTIVE} AND due_at <= $3 AND quota_class <> ALL($4::text[])
    ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED
  ), chunk_head AS (
    SELECT id, message_id, due_at, created_at, quota_class, count, targets FROM delivery_chunks
    WHERE ${CHUNK_DUE}
    ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
  ), epoch AS (SELECT n FROM lease_epoch WHERE id = 1)
  SELECT NULL::bigint AS chunk_id, message_id, due_at, state, NULL::bigint AS created_at, NULL::text AS quota_class, NULL::int AS count, NULL::text AS targets, NULL::bigint AS epoch FROM row_head
  UNION ALL
  SELECT k.id, k.message_id, k.due_at, NULL, k.created_at, k.quota_class, k.count,
    CASE WHEN NOT EXISTS (SELECT 1 FROM row_head r WHERE r.due_at <= k.due_at) THEN k.targets END, (SELECT n FROM epoch)
  FROM chunk_head k`;

/** A claimed batch, and the `lease_epoch` its claim noted when it came from chunk rows (else null). */
export interface PgClaim {
  batch: ClaimedBatch;
  chunkEpoch: number | null;
}

/**
 * A claim. Taking rows whose lease ran out takes them from their owner, which must count up `lease_epoch`
 * (postgres.handoffs.ts) before any row lock: so a claim takes only queued rows unless it counted first,
 * and when the lane's head row is one whose lease ran out (rare: an instance died or stalled) it lets go
 * and claims again, counting first. Claims of queued rows (retries, small messages) then never contend for
 * the count's row across instances.
 */
export async function pgClaimBatch(pool: pg.Pool, req: ClaimRequest): Promise<PgClaim | null> {
  const claim = await claimOnce(pool, req, false);
  return claim === 'lapsed' ? ((await claimOnce(pool, req, true)) as PgClaim | null) : claim;
}

async function claimOnce(pool: pg.Pool, req: ClaimRequest, disturb: boolean): Promise<PgClaim | null | 'lapsed'> {
  return withTransaction(pool, async (c) => {
    if (disturb) await pgDisturbLeases(c);
    // SKIP LOCKED: rows and chunks another claimer is taking right now are passed over, never waited for;
    // rows it already took fail the `due_at <= now` re-check once its transaction commits, chunks are gone.
    const heads = (await c.query(LANE_HEADS, [req.tenant, req.provider, req.now, req.excludeClasses])).rows as Row[];
    const chunk = heads.find((h) => h.chunk_id !== null && h.targets !== null);
    if (chunk) return { batch: await pgClaimChunks(c, req, toChunk(chunk)), chunkEpoch: Number(chunk.epoch) };
    const head = heads.find((h) => h.chunk_id === null);
    if (!head) return null;
    if (!disturb && head.state === 'sending') return 'lapsed';
    const messageId = String(head.message_id);
    // Statistics lag a queue table (a message's 100,000 rows arrive between two autovacuum analyses): the
    // planner then took a sort of every queued row of the message as free. Without sorts it reads the
    // message's due rows in order from deliveries_message_due and stops at the limit.
    await c.query('SET LOCAL enable_sort = off');
    const { rows } = await c.query(
      `WITH picked AS (
         SELECT id, due_at FROM deliveries
         WHERE message_id = $1 AND tenant = $2 AND provider = $3 AND ${ACTIVE}${disturb ? '' : ` AND state = 'queued'`} AND due_at <= $4 AND quota_class <> ALL($5::text[])
         ORDER BY due_at, id LIMIT $6 FOR UPDATE SKIP LOCKED
       )
       UPDATE deliveries d SET state = 'sending', lease_owner = $7, due_at = $8, updated_at = $4, handed_at = NULL
       FROM picked WHERE d.id = picked.id
       RETURNING d.*, picked.due_at AS picked_due`,
      [messageId, req.tenant, req.provider, req.now, req.excludeClasses, req.limit, req.owner, req.leaseUntil],
    );
    const message = await c.query('SELECT * FROM messages WHERE id = $1', [messageId]);
    // RETURNING has no order: restore the claim order (due, then id) the SQLite store gives.
    rows.sort((a: Row, b: Row) => Number(a.picked_due) - Number(b.picked_due) || (String(a.id) < String(b.id) ? -1 : 1));
    return { batch: { message: toMessage(firstRow(message.rows)), deliveries: rows.map(toDelivery) }, chunkEpoch: null };
  });
}

export async function pgCompleteDeliveries(pool: pg.Pool, owner: string, updates: DeliveryUpdate[], now: number, outbox?: OutboxWriter): Promise<void> {
  if (!updates.length) return;
  const groups = completionGroups(updates);
  // One group (the usual batch: all sent) is one statement, atomic by itself; more share a transaction.
  if (!outbox && groups.length === 1) return void (await completeStatement(pool, owner, groups[0]!, now, false));
  await withTransaction(pool, async (c) => {
    if (outbox) {
      const messages = await c.query('SELECT DISTINCT message_id FROM deliveries WHERE id = ANY($1::text[])', [updates.map((u) => u.id)]);
      await pgLockMessages(c, (messages.rows as Row[]).map((r) => String(r.message_id)));
    }
    const changed: Row[] = [];
    for (const g of groups) changed.push(...(await completeStatement(c, owner, g, now, outbox !== undefined)));
    if (outbox) await pgOutboxForDeliveries(c, changed, outbox, now);
  });
}

/**
 * One statement per group, through the primary key (`id = ANY`); rows whose lease another claimer took
 * over are left alone. A join with unnest() of per-row values was planned as a nested loop over the stale
 * statistics of 'sending' rows: 1000 × 1000 comparisons, ~0.4 s for a batch of 1000 (EXPLAIN ANALYZE).
 * The jsonb object of vendor ids is a parameter, parsed once per statement.
 */
async function completeStatement(c: Pick<pg.PoolClient, 'query'>, owner: string, g: CompletionGroup, now: number, returning: boolean): Promise<Row[]> {
  const vendorId = g.state === 'sent' ? `$8::jsonb ->> d.id` : g.state === 'queued' ? 'd.vendor_message_id' : 'NULL';
  const { rows } = await c.query(
    `UPDATE deliveries d SET state = $3, attempts = $4, vendor_message_id = ${vendorId}, last_error = $5, lease_owner = NULL, due_at = $6, updated_at = $2
     WHERE d.id = ANY($7::text[]) AND d.lease_owner = $1 AND ${SENDING}${returning ? ' RETURNING d.id, d.tenant, d.message_id, d.provider, d.state, d.attempts, d.last_error' : ''}`,
    [owner, now, g.state, g.attempts, g.lastError, g.dueAt, g.ids, ...(g.state === 'sent' ? [JSON.stringify(Object.fromEntries(g.vendorIds))] : [])],
  );
  return rows as Row[];
}

/**
 * The hand-off: from the claim (one `handoffs` row) when the ledger knows the ids as one claim from chunk
 * rows and `lease_epoch` has not moved since, read FOR SHARE so that no cancel or other taker runs between
 * the test and the row (postgres.handoffs.ts); otherwise the statement.
 */
export async function pgStartSending(pool: pg.Pool, ledger: HandOffLedger, owner: string, ids: string[], now: number): Promise<string[]> {
  if (!ids.length) return [];
  if (!ledger.mayHandOff(owner, ids, now)) return handOffStatement(pool, owner, ids, now);
  return withTransaction(pool, async (c) => {
    const fromClaim = ledger.handOff(owner, ids, now, await pgLeaseEpochForShare(c));
    if (!fromClaim) return handOffStatement(c, owner, ids, now);
    await pgRecordHandOff(c, owner, fromClaim, now);
    return fromClaim.ids;
  });
}

async function handOffStatement(c: Pick<pg.PoolClient, 'query'>, owner: string, ids: string[], now: number): Promise<string[]> {
  // Row locks order this against a concurrent cancel: whichever commits second re-checks the state.
  const { rows } = await c.query(`UPDATE deliveries d SET handed_at = $1 WHERE d.id = ANY($2::text[]) AND d.lease_owner = $3 AND ${SENDING} RETURNING d.id`, [now, ids, owner]);
  return rows.map((r: Row) => String(r.id));
}

export async function pgCancelDeliveries(pool: pg.Pool, tenant: string, messageId: string, now: number, outbox?: OutboxWriter): Promise<Array<LaneKey & { id: string }>> {
  // A claim in progress holds its rows (FOR UPDATE): this waits for it, then re-checks each row, so a
  // claimed row not yet handed off (handed_at NULL) is canceled and the hand-off then finds it gone.
  // With `outbox`, a cancel that leaves nothing queued or sending completes the message; the message
  // row is locked first, as completeDeliveries does, so completion is seen once.
  // The message's targets still in chunks become rows first, and are canceled with the others.
  // Before any of that it counts up lease_epoch (postgres.handoffs.ts), waiting for hand-offs from the claim
  // in progress, and copies the message's handed marks onto its rows (after the message lock, the order
  // completions take), so those are left to finish.
  return withTransaction(pool, async (c) => {
    await pgDisturbLeases(c);
    if (outbox) await pgLockMessages(c, [messageId]);
    await pgWriteHandOffs(c, messageId);
    await pgExpandChunks(c, { tenant, messageId });
    const { rows } = await c.query(
      `UPDATE deliveries SET state = 'canceled', lease_owner = NULL, due_at = NULL, updated_at = $3
       WHERE tenant = $1 AND message_id = $2 AND (state = 'queued' OR (state = 'sending' AND (handed_at IS NULL OR due_at <= $3)))
       RETURNING id, tenant, message_id, provider, state, attempts, last_error`,
      [tenant, messageId, now],
    );
    if (outbox && rows.length) await pgOutboxForDeliveries(c, rows as Row[], outbox, now);
    return rows.map((r: Row) => ({ id: String(r.id), tenant: String(r.tenant), provider: String(r.provider) }));
  });
}

export async function pgMarkRecalled(pool: pg.Pool, tenant: string, ids: string[], now: number): Promise<number> {
  if (!ids.length) return 0;
  const res = await pool.query(`UPDATE deliveries SET state = 'canceled', last_error = $1, updated_at = $2 WHERE tenant = $3 AND id = ANY($4::text[]) AND state IN ('sent','delivered')`, [
    json(RECALLED),
    now,
    tenant,
    ids,
  ]);
  return res.rowCount ?? 0;
}

export async function pgRequeueDeliveries(pool: pg.Pool, req: RequeueRequest): Promise<RequeueOutcome> {
  return withTransaction(pool, async (c): Promise<RequeueOutcome> => {
    const idem = req.idempotency;
    if (idem) {
      // As insertMessage: take the key (or one older than a day); a concurrent request with it waits here, then sees ours.
      const claimed = await c.query(
        `INSERT INTO idempotency (tenant, key, body_hash, status, response, created_at) VALUES ($1,$2,$3,$4,'',$5)
         ON CONFLICT (tenant, key) DO UPDATE SET body_hash = EXCLUDED.body_hash, status = EXCLUDED.status, response = EXCLUDED.response, created_at = EXCLUDED.created_at
         WHERE idempotency.created_at < EXCLUDED.created_at - 86400000
         RETURNING key`,
        [req.tenant, idem.key, idem.bodyHash, idem.status, idem.createdAt],
      );
      if (!claimed.rowCount) {
        const { rows } = await c.query('SELECT * FROM idempotency WHERE tenant = $1 AND key = $2', [req.tenant, idem.key]);
        return { inserted: false, existing: toIdem(firstRow(rows)) };
      }
    }
    // Only failed and expired rows change: a target gets there after a claim made it a row, so the
    // message's chunks (targets never claimed) need no expanding and stay as they are.
    for (const e of req.expiries) await c.query('UPDATE messages SET expires_at = $1 WHERE tenant = $2 AND id = $3', [e.expiresAt, req.tenant, e.messageId]);
    const { rows } = await c.query(
      `UPDATE deliveries SET state = 'queued', attempts = 0, due_at = $1, lease_owner = NULL, handed_at = NULL, updated_at = $1
       WHERE tenant = $2 AND id = ANY($3::text[]) AND state IN ('failed','expired')
       RETURNING id, tenant, provider, message_id`,
      [req.now, req.tenant, req.ids],
    );
    const requeued = rows.map((r: Row) => ({ id: String(r.id), tenant: String(r.tenant), provider: String(r.provider) }));
    // A replayed message completes again: message.completed is written when these end too.
    const messages = [...new Set(rows.map((r: Row) => String(r.message_id)))];
    if (messages.length) await c.query('UPDATE messages SET completed_at = NULL WHERE tenant = $1 AND id = ANY($2::text[])', [req.tenant, messages]);
    let response: string | null = null;
    if (idem) {
      response = idem.answer(requeued);
      await c.query('UPDATE idempotency SET response = $1 WHERE tenant = $2 AND key = $3', [response, req.tenant, idem.key]);
    }
    return { inserted: true, requeued, response };
  });
}

export async function pgReleaseClaims(pool: pg.Pool, owner: string, now: number): Promise<number> {
  // Takes claimed rows from their owner: counted first (postgres.handoffs.ts).
  return withTransaction(pool, async (c) => {
    await pgDisturbLeases(c);
    const res = await c.query(`UPDATE deliveries SET state = 'queued', lease_owner = NULL, due_at = $1, updated_at = $1 WHERE lease_owner = $2 AND state = 'sending'`, [now, owner]);
    return res.rowCount ?? 0;
  });
}

export async function pgMarkReceipt(pool: pg.Pool, match: ReceiptMatch, state: 'delivered', now: number, outbox?: OutboxWriter): Promise<string[]> {
  const where: string[] = ['tenant = $3', 'provider = $4'];
  const args: unknown[] = [state, now, match.tenant, match.provider];
  const add = (column: string, value: string | undefined) => {
    if (!value) return;
    args.push(value);
    where.push(`${column} = $${args.length}`);
  };
  add('token_hash', match.tokenHash);
  add('message_id', match.messageId);
  add('vendor_message_id', match.vendorMessageId);
  if (args.length === 4) return [];
  const returning = 'RETURNING id, tenant, message_id, provider, state, attempts, last_error';
  const sql =
    match.messageId && match.tokenHash
      ? // The usual receipt: one message's target. deliveries_receipt holds only sent and delivered rows (migration 11);
        // a receipt that beat its completion finds its row still sending through the message's active rows, read
        // only when no sent or delivered row matched, so a repeated receipt does not read them either. The tenant
        // test is written so that it cannot lead the planner to deliveries_lane_due (the whole lane's active rows:
        // 70 ms mid-way through a 100,000-target fan-out, EXPLAIN ANALYZE) instead of the message's own.
        `WITH known AS (
           SELECT id, state FROM deliveries WHERE ${where.join(' AND ')} AND state IN ('sent','delivered') LIMIT 1000
         ), racing AS (
           SELECT id FROM deliveries WHERE ${['(tenant = $3) IS TRUE', ...where.slice(1)].join(' AND ')} AND ${ACTIVE} AND state = 'sending' AND NOT EXISTS (SELECT 1 FROM known) LIMIT 1000
         )
         UPDATE deliveries SET state = $1, updated_at = $2
         WHERE id IN (SELECT id FROM known WHERE state = 'sent' UNION ALL SELECT id FROM racing) AND state IN ('sent','sending')
         ${returning}`
      : `UPDATE deliveries SET state = $1, updated_at = $2
       WHERE id IN (SELECT id FROM deliveries WHERE ${where.join(' AND ')} AND state IN ('sent','sending') LIMIT 1000) AND state IN ('sent','sending')
       ${returning}`;
  if (!outbox) return (await pool.query(sql, args)).rows.map((r: Row) => String(r.id));
  return withTransaction(pool, async (c) => {
    // A receipt can turn a still-sending row delivered: it may be the one that finishes its message.
    if (match.messageId) await pgLockMessages(c, [match.messageId]);
    const { rows } = await c.query(sql, args);
    await pgOutboxForDeliveries(c, rows as Row[], outbox, now);
    return rows.map((r: Row) => String(r.id));
  });
}

export async function pgSetPause(pool: pg.Pool, p: LanePause): Promise<void> {
  await pool.query(
    `INSERT INTO lane_pauses (tenant, provider, quota_class, until, reason) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (tenant, provider, quota_class) DO UPDATE SET until = EXCLUDED.until, reason = EXCLUDED.reason`,
    [p.tenant, p.provider, p.quotaClass, p.until, p.reason],
  );
}

export async function pgActivePauses(pool: pg.Pool, lane: LaneKey, now: number): Promise<LanePause[]> {
  const { rows } = await pool.query('SELECT * FROM lane_pauses WHERE tenant = $1 AND provider = $2 AND until > $3', [lane.tenant, lane.provider, now]);
  return rows.map(toPause);
}

export async function pgAllActivePauses(pool: pg.Pool, now: number): Promise<LanePause[]> {
  return (await pool.query('SELECT * FROM lane_pauses WHERE until > $1', [now])).rows.map(toPause);
}

export async function pgLaneStats(pool: pg.Pool): Promise<LaneStats[]> {
  // Targets still in chunks are queued: their count is summed, not expanded.
  const { rows } = await pool.query(
    `SELECT tenant, provider, SUM(n) AS n, MIN(oldest) AS oldest FROM (
       SELECT tenant, provider, COUNT(*) AS n, MIN(created_at) AS oldest FROM deliveries WHERE ${ACTIVE} GROUP BY tenant, provider
       UNION ALL
       SELECT tenant, provider, SUM(count), MIN(created_at) FROM delivery_chunks GROUP BY tenant, provider
     ) lanes GROUP BY tenant, provider`,
  );
  return rows.map((r: Row) => ({
    tenant: String(r.tenant),
    provider: String(r.provider),
    depth: Number(r.n),
    oldestCreatedAt: r.oldest === null ? null : Number(r.oldest),
  }));
}
