/**
 * The listings of the PostgreSQL store (GET /v1/messages, /v1/messages/{id}/deliveries,
 * /v1/deliveries and its summary): the same queries as sqlite.listing.ts, with `$n` parameters. Pages are
 * keysets on (time, id) descending, served by the indexes of migration 4.
 */
import type pg from 'pg';
import { ACTIVE } from './postgres.claims.js';
import { filterAdmitsChunks, pageWithChunks } from './chunks.js';
import { withTransaction } from './postgres.tx.js';
import { toChunkHead, toDelivery, toMessage, type Row } from './rows.js';
import type { DeadLetterFilter, DeliveryFilter, DeliveryRow, DeliveryState, DeliverySummaryRow, LaneActivity, MessageFilter, MessageRow, TimeKey } from './types.js';

/** WHERE terms joined by AND; `v(value)` binds a value and returns its placeholder. */
class Terms {
  readonly args: unknown[] = [];
  private readonly parts: string[] = [];
  v = (value: unknown): string => {
    this.args.push(value);
    return `$${this.args.length}`;
  };
  add(sql: string): void {
    this.parts.push(sql);
  }
  get sql(): string {
    return this.parts.join(' AND ');
  }
}

/** The optional delivery filters (state list, provider, `lastError.code` and `.vendorCode`) as AND terms. */
function addDeliveryFilter(w: Terms, filter: DeliveryFilter): void {
  if (filter.states?.length) w.add(`state = ANY(${w.v(filter.states)}::text[])`);
  if (filter.provider !== undefined) w.add(`provider = ${w.v(filter.provider)}`);
  if (filter.errorCode !== undefined) w.add(`(last_error::jsonb ->> 'code') = ${w.v(filter.errorCode)}`);
  if (filter.vendorCode !== undefined) w.add(`(last_error::jsonb ->> 'vendorCode') = ${w.v(filter.vendorCode)}`);
}

export async function pgListDeliveries(pool: pg.Pool, tenant: string, messageId: string, after: string | null, limit: number, filter: DeliveryFilter): Promise<DeliveryRow[]> {
  const w = new Terms();
  w.add(`tenant = ${w.v(tenant)}`);
  w.add(`message_id = ${w.v(messageId)}`);
  w.add(`id > ${w.v(after ?? '')}`);
  addDeliveryFilter(w, filter);
  // Rows and the targets still in chunks (chunks.ts pageWithChunks), read in one snapshot: a claim that
  // commits between the two reads would otherwise move a target out of both.
  return withTransaction(pool, async (c) => {
    await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const rows = ((await c.query(`SELECT * FROM deliveries WHERE ${w.sql} ORDER BY id LIMIT ${w.v(limit)}`, w.args)).rows as Row[]).map(toDelivery);
    if (!filterAdmitsChunks(filter)) return rows;
    const heads = await c.query(
      `SELECT id, tenant, message_id, provider, quota_class, due_at, created_at, first_id, last_id FROM delivery_chunks
       WHERE tenant = $1 AND message_id = $2 AND last_id > $3 AND ($4::text IS NULL OR provider = $4) ORDER BY first_id`,
      [tenant, messageId, after ?? '', filter.provider ?? null],
    );
    const steps = pageWithChunks(rows, (heads.rows as Row[]).map(toChunkHead), after, limit);
    let step = steps.next();
    while (!step.done) {
      const read = await c.query('SELECT targets FROM delivery_chunks WHERE id = $1', [step.value]);
      step = steps.next(read.rows[0] ? String((read.rows[0] as Row).targets) : null);
    }
    return step.value;
  });
}

export async function pgListMessages(pool: pg.Pool, tenant: string, filter: MessageFilter, after: TimeKey | null, limit: number): Promise<MessageRow[]> {
  const w = new Terms();
  w.add(`tenant = ${w.v(tenant)}`);
  if (after) w.add(`(created_at, id) < (${w.v(after.at)}::bigint, ${w.v(after.id)}::text)`);
  if (filter.createdFrom !== undefined) w.add(`created_at >= ${w.v(filter.createdFrom)}`);
  if (filter.createdTo !== undefined) w.add(`created_at < ${w.v(filter.createdTo)}`);
  if (filter.category !== undefined) w.add(`category = ${w.v(filter.category)}`);
  // In progress: a target queued or sending, or one still in a chunk.
  const inProgress = `(EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = messages.id AND d.${ACTIVE}) OR EXISTS (SELECT 1 FROM delivery_chunks k WHERE k.message_id = messages.id))`;
  if (filter.status) w.add(`${filter.status === 'done' ? 'NOT ' : ''}${inProgress}`);
  const { rows } = await pool.query(`SELECT * FROM messages WHERE ${w.sql} ORDER BY created_at DESC, id DESC LIMIT ${w.v(limit)}`, w.args);
  return rows.map(toMessage);
}

export async function pgMessageStateCounts(pool: pg.Pool, tenant: string, messageIds: string[]): Promise<Array<{ messageId: string; state: DeliveryState; count: number }>> {
  if (!messageIds.length) return [];
  // Targets still in chunks are queued: summed, not expanded.
  const { rows } = await pool.query(
    `SELECT message_id, state, SUM(n) AS n FROM (
       SELECT message_id, state, COUNT(*) AS n FROM deliveries WHERE tenant = $1 AND message_id = ANY($2::text[]) GROUP BY message_id, state
       UNION ALL
       SELECT message_id, 'queued', SUM(count) FROM delivery_chunks WHERE tenant = $1 AND message_id = ANY($2::text[]) GROUP BY message_id
     ) counts GROUP BY message_id, state`,
    [tenant, messageIds],
  );
  return rows.map((r: Row) => ({ messageId: String(r.message_id), state: r.state as DeliveryState, count: Number(r.n) }));
}

export async function pgListDeadLetters(pool: pg.Pool, tenant: string, filter: DeadLetterFilter, after: TimeKey | null, limit: number): Promise<DeliveryRow[]> {
  if (!filter.states.length) return [];
  const w = new Terms();
  w.add(`tenant = ${w.v(tenant)}`);
  // Written out (not bound) so the planner sees that the partial index deliveries_dead applies.
  w.add(`state IN (${filter.states.map((x) => (x === 'failed' ? `'failed'` : `'expired'`)).join(',')})`);
  if (after) w.add(`(updated_at, id) < (${w.v(after.at)}::bigint, ${w.v(after.id)}::text)`);
  if (filter.since !== undefined) w.add(`updated_at >= ${w.v(filter.since)}`);
  addDeliveryFilter(w, { ...filter, states: undefined });
  const { rows } = await pool.query(`SELECT * FROM deliveries WHERE ${w.sql} ORDER BY updated_at DESC, id DESC LIMIT ${w.v(limit)}`, w.args);
  return rows.map(toDelivery);
}

export async function pgDeliverySummary(pool: pg.Pool, tenant: string, since: number): Promise<DeliverySummaryRow[]> {
  const { rows } = await pool.query(
    `SELECT provider, state, last_error::jsonb ->> 'code' AS code, last_error::jsonb ->> 'vendorCode' AS vendor, COUNT(*) AS n FROM deliveries
     WHERE tenant = $1 AND state IN ('sent','delivered','failed','expired','canceled') AND updated_at >= $2
     -- NULLS FIRST: SQLite's order, so both stores list the groups alike.
     GROUP BY provider, state, code, vendor ORDER BY provider, state, code NULLS FIRST, vendor NULLS FIRST`,
    [tenant, since],
  );
  return rows.map((r: Row) => ({ provider: String(r.provider), state: r.state as DeliveryState, errorCode: textOrNull(r.code), vendorCode: textOrNull(r.vendor), count: Number(r.n) }));
}

/** GET /v1/lanes: the same two queries as sqliteLaneActivity, on the same partial indexes. */
export async function pgLaneActivity(pool: pg.Pool, tenant: string, sentSince: number): Promise<LaneActivity[]> {
  const lanes = new Map<string, LaneActivity>();
  const lane = (provider: string) => lanes.get(provider) ?? lanes.set(provider, { provider, queued: 0, sending: 0, oldestPendingAt: null, sentSince: 0 }).get(provider)!;
  // Targets still in chunks are queued (a third group per provider, added to the queued rows').
  const pending = await pool.query(
    `SELECT provider, state, COUNT(*) AS n, MIN(created_at) AS oldest FROM deliveries WHERE tenant = $1 AND ${ACTIVE} GROUP BY provider, state
     UNION ALL
     SELECT provider, 'queued', SUM(count), MIN(created_at) FROM delivery_chunks WHERE tenant = $1 GROUP BY provider`,
    [tenant],
  );
  for (const r of pending.rows as Row[]) {
    const l = lane(String(r.provider));
    l[r.state === 'sending' ? 'sending' : 'queued'] += Number(r.n);
    const oldest = Number(r.oldest);
    l.oldestPendingAt = l.oldestPendingAt === null ? oldest : Math.min(l.oldestPendingAt, oldest);
  }
  const sent = await pool.query(
    `SELECT provider, COUNT(*) AS n FROM deliveries
     WHERE tenant = $1 AND state IN ('sent','delivered','failed','expired','canceled') AND updated_at >= $2 AND state IN ('sent','delivered')
     GROUP BY provider`,
    [tenant, sentSince],
  );
  for (const r of sent.rows as Row[]) lane(String(r.provider)).sentSince = Number(r.n);
  return [...lanes.values()].sort((a, b) => (a.provider < b.provider ? -1 : 1));
}

const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
