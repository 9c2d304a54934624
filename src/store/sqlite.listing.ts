/**
 * The listings of the SQLite store (GET /v1/messages, /v1/messages/{id}/deliveries,
 * /v1/deliveries and its summary); SqliteStore delegates here. Pages are keysets on (time, id)
 * descending.
 */
import { toDelivery, toMessage, type Row } from './rows.js';
import { ACTIVE, inChunks, marks, sumByKey, type Stmt } from './sqlite.sql.js';
import type { DeadLetterFilter, DeliveryFilter, DeliveryRow, DeliveryState, DeliverySummaryRow, LaneActivity, MessageFilter, MessageRow, TimeKey } from './types.js';

export function sqliteListDeliveries(stmt: Stmt, tenant: string, messageId: string, after: string | null, limit: number, filter: DeliveryFilter): DeliveryRow[] {
  const f = deliveryWhere(filter);
  return (
    stmt(`SELECT * FROM deliveries WHERE tenant = ? AND message_id = ? AND id > ?${f.sql} ORDER BY id LIMIT ?`)
      .all(tenant, messageId, after ?? '', ...f.args, limit) as Row[]
  ).map(toDelivery);
}

export function sqliteListMessages(stmt: Stmt, tenant: string, filter: MessageFilter, after: TimeKey | null, limit: number): MessageRow[] {
  const w = terms('tenant = ?', tenant);
  if (after) w.add('(created_at, id) < (?, ?)', after.at, after.id);
  if (filter.createdFrom !== undefined) w.add('created_at >= ?', filter.createdFrom);
  if (filter.createdTo !== undefined) w.add('created_at < ?', filter.createdTo);
  if (filter.category !== undefined) w.add('category = ?', filter.category);
  // In progress: a delivery queued or sending, or targets still in a chunk (sqlite.chunks.ts).
  const pending = `(EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = messages.id AND d.${ACTIVE}) OR EXISTS (SELECT 1 FROM delivery_chunks c WHERE c.message_id = messages.id))`;
  if (filter.status) w.add(filter.status === 'done' ? `NOT ${pending}` : pending);
  return (
    stmt(`SELECT * FROM messages WHERE ${w.sql()} ORDER BY created_at DESC, id DESC LIMIT ?`).all(...w.args, limit) as Row[]
  ).map(toMessage);
}

export function sqliteMessageStateCounts(stmt: Stmt, tenant: string, messageIds: string[]): Array<{ messageId: string; state: DeliveryState; count: number }> {
  const rows = inChunks(messageIds, (chunk) =>
    stmt(
      `SELECT message_id, state, COUNT(*) AS n FROM deliveries WHERE tenant = ? AND message_id IN (${marks(chunk)}) GROUP BY message_id, state
       UNION ALL SELECT message_id, 'queued', SUM(count) FROM delivery_chunks WHERE tenant = ? AND message_id IN (${marks(chunk)}) GROUP BY message_id`,
    ).all(tenant, ...chunk, tenant, ...chunk) as Row[],
  );
  return sumByKey(rows, (r) => `${r.message_id}\n${r.state}`).map((r) => ({ messageId: String(r.message_id), state: r.state as DeliveryState, count: Number(r.n) }));
}

export function sqliteListDeadLetters(stmt: Stmt, tenant: string, filter: DeadLetterFilter, after: TimeKey | null, limit: number): DeliveryRow[] {
  if (!filter.states.length) return [];
  // The states are written out (not bound) so the planner sees that the partial index deliveries_dead applies.
  const w = terms('tenant = ?', tenant);
  w.add(`state IN (${filter.states.map((x) => (x === 'failed' ? `'failed'` : `'expired'`)).join(',')})`);
  if (after) w.add('(updated_at, id) < (?, ?)', after.at, after.id);
  if (filter.since !== undefined) w.add('updated_at >= ?', filter.since);
  const f = deliveryWhere({ ...filter, states: undefined });
  return (
    stmt(`SELECT * FROM deliveries WHERE ${w.sql()}${f.sql} ORDER BY updated_at DESC, id DESC LIMIT ?`).all(...w.args, ...f.args, limit) as Row[]
  ).map(toDelivery);
}

export function sqliteDeliverySummary(stmt: Stmt, tenant: string, since: number): DeliverySummaryRow[] {
  return (
    stmt(
      `SELECT provider, state, json_extract(last_error, '$.code') AS code, json_extract(last_error, '$.vendorCode') AS vendor, COUNT(*) AS n FROM deliveries
         WHERE tenant = ? AND state IN ('sent','delivered','failed','expired','canceled') AND updated_at >= ?
         GROUP BY provider, state, code, vendor ORDER BY provider, state, code, vendor`,
    ).all(tenant, since) as Row[]
  ).map((r) => ({ provider: String(r.provider), state: r.state as DeliveryState, errorCode: textOrNull(r.code), vendorCode: textOrNull(r.vendor), count: Number(r.n) }));
}

/**
 * GET /v1/lanes. The pending counts read the lane index (deliveries_lane_due: pending rows only); the
 * sent count reads deliveries_finished (tenant, updated_at), whose partial-index condition is repeated
 * word for word: without it SQLite cannot use that index and scans the tenant's rows. Exported for
 * the query-plan test (test/contract/sqlite.store.test.ts).
 */
export const LANE_ACTIVITY_SQL = {
  pending: `SELECT provider, state, COUNT(*) AS n, MIN(created_at) AS oldest FROM deliveries WHERE tenant = ? AND ${ACTIVE} GROUP BY provider, state`,
  /** Targets no lane has claimed yet (sqlite.chunks.ts): queued. */
  chunks: `SELECT provider, 'queued' AS state, SUM(count) AS n, MIN(created_at) AS oldest FROM delivery_chunks WHERE tenant = ? GROUP BY provider`,
  sent: `SELECT provider, COUNT(*) AS n FROM deliveries
           WHERE tenant = ? AND state IN ('sent','delivered','failed','expired','canceled') AND updated_at >= ? AND state IN ('sent','delivered')
           GROUP BY provider`,
} as const;

export function sqliteLaneActivity(stmt: Stmt, tenant: string, sentSince: number): LaneActivity[] {
  const lanes = new Map<string, LaneActivity>();
  const lane = (provider: string) => lanes.get(provider) ?? lanes.set(provider, { provider, queued: 0, sending: 0, oldestPendingAt: null, sentSince: 0 }).get(provider)!;
  const pending = [...(stmt(LANE_ACTIVITY_SQL.pending).all(tenant) as Row[]), ...(stmt(LANE_ACTIVITY_SQL.chunks).all(tenant) as Row[])];
  for (const r of pending) {
    const l = lane(String(r.provider));
    l[r.state === 'sending' ? 'sending' : 'queued'] += Number(r.n);
    const oldest = Number(r.oldest);
    l.oldestPendingAt = l.oldestPendingAt === null ? oldest : Math.min(l.oldestPendingAt, oldest);
  }
  const sent = stmt(LANE_ACTIVITY_SQL.sent).all(tenant, sentSince) as Row[];
  for (const r of sent) lane(String(r.provider)).sentSince = Number(r.n);
  return [...lanes.values()].sort((a, b) => (a.provider < b.provider ? -1 : 1));
}

export function sqlitePendingCount(stmt: Stmt, tenant: string): number {
  const row = stmt(
    `SELECT (SELECT COUNT(*) FROM deliveries WHERE tenant = ? AND ${ACTIVE}) + (SELECT COALESCE(SUM(count), 0) FROM delivery_chunks WHERE tenant = ?) AS n`,
  ).get(tenant, tenant) as Row;
  return Number(row.n);
}

/** The optional delivery filters as extra AND terms (state list, provider, `lastError.code` and `.vendorCode`). */
function deliveryWhere(filter: DeliveryFilter): { sql: string; args: unknown[] } {
  const w = terms();
  if (filter.states?.length) w.add(`state IN (${marks(filter.states)})`, ...filter.states);
  if (filter.provider !== undefined) w.add('provider = ?', filter.provider);
  if (filter.errorCode !== undefined) w.add(`json_extract(last_error, '$.code') = ?`, filter.errorCode);
  if (filter.vendorCode !== undefined) w.add(`json_extract(last_error, '$.vendorCode') = ?`, filter.vendorCode);
  return { sql: w.args.length ? ` AND ${w.sql()}` : '', args: w.args };
}

/** WHERE terms joined by AND, with their bound values in order. */
function terms(first?: string, ...values: unknown[]) {
  const parts: string[] = first === undefined ? [] : [first];
  const args: unknown[] = [...values];
  return {
    args,
    add(sql: string, ...v: unknown[]) {
      parts.push(sql);
      args.push(...v);
    },
    sql: () => parts.join(' AND '),
  };
}

const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
