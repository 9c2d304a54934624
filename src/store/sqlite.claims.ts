/**
 * The SQLite side of the lane queue (SqliteStore delegates here): claims, completions, the hand-off
 * to a vendor, releases, receipts, and the lanes' pauses and depths. SQLite serialises writers, so each write transaction begins
 * immediately and a claim never races another.
 */
import type Database from 'better-sqlite3';
import { completionGroups } from './completions.js';
import { CLAIMED_COLUMNS, toClaimedDelivery, toMessage, toPause, type Row } from './rows.js';
import { sqliteClaimChunks, sqliteFirstDueChunk } from './sqlite.chunks.js';
import { sqliteOutboxForDeliveries } from './sqlite.outbox.js';
import { ACTIVE, inTransaction, notIn, sumByKey, type Stmt } from './sqlite.sql.js';
import type { ClaimRequest, ClaimedBatch, DeliveryUpdate, LaneKey, LanePause, LaneStats, OutboxWriter, ReceiptMatch } from './types.js';

export function sqliteNextDueAt(stmt: Stmt, lane: LaneKey, excludeClasses: string[]): number | null {
  const ex = notIn(excludeClasses);
  const row = stmt(
    `SELECT MIN(due) AS due FROM (
       SELECT MIN(due_at) AS due FROM deliveries WHERE tenant = ? AND provider = ? AND ${ACTIVE}${ex}
       UNION ALL SELECT MIN(due_at) FROM delivery_chunks WHERE tenant = ? AND provider = ?${ex})`,
  ).get(lane.tenant, lane.provider, ...excludeClasses, lane.tenant, lane.provider, ...excludeClasses) as Row;
  return row.due === null || row.due === undefined ? null : Number(row.due);
}

/** A claim and where its deliveries came from: chunk targets only (never leased before), or rows. */
export type SqliteClaim = { batch: ClaimedBatch; from: 'chunks' | 'rows' };

export function sqliteClaimBatch(db: Database.Database, stmt: Stmt, req: ClaimRequest): SqliteClaim | null {
  const ex = notIn(req.excludeClasses);
  return inTransaction(db, () => {
    // The lane's earliest due work: a delivery row (a retry, a lease run out, a row from before chunks)
    // or a chunk of targets no one has claimed (sqlite.chunks.ts); the earlier wins, rows on a tie.
    const first = stmt(`SELECT message_id, due_at FROM deliveries WHERE tenant = ? AND provider = ? AND ${ACTIVE} AND due_at <= ?${ex} ORDER BY due_at LIMIT 1`)
      .get(req.tenant, req.provider, req.now, ...req.excludeClasses) as Row | undefined;
    const chunk = sqliteFirstDueChunk(stmt, req.tenant, req.provider, req.now, req.excludeClasses);
    if (!first && !chunk) return null;
    if (chunk && (!first || chunk.dueAt < Number(first.due_at))) {
      const deliveries = sqliteClaimChunks(stmt, { ...req, messageId: chunk.messageId });
      return { batch: { message: toMessage(stmt('SELECT * FROM messages WHERE id = ?').get(chunk.messageId) as Row), deliveries }, from: 'chunks' };
    }
    const messageId = String(first!.message_id);
    // One statement leases the whole batch (UPDATE … RETURNING): per-row round trips were the claim's cost.
    // By rowid, not id: the subquery's rows are found without a second lookup through the id index.
    const rows = stmt(
      `UPDATE deliveries SET state = 'sending', lease_owner = ?, due_at = ?, updated_at = ?, handed_at = NULL
         WHERE rowid IN (SELECT rowid FROM deliveries WHERE message_id = ? AND provider = ? AND ${ACTIVE} AND due_at <= ?${ex} ORDER BY due_at, id LIMIT ?)
         RETURNING ${CLAIMED_COLUMNS}`,
    ).all(req.owner, req.leaseUntil, req.now, messageId, req.provider, req.now, ...req.excludeClasses, req.limit) as Row[];
    rows.sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
    const message = stmt('SELECT * FROM messages WHERE id = ?').get(messageId) as Row;
    const claim = { tenant: req.tenant, messageId, provider: req.provider, leaseUntil: req.leaseUntil, now: req.now };
    return { batch: { message: toMessage(message), deliveries: rows.map((r) => toClaimedDelivery(r, claim)) }, from: 'rows' };
  });
}

export function sqliteCompleteDeliveries(db: Database.Database, stmt: Stmt, owner: string, updates: DeliveryUpdate[], now: number, outbox?: OutboxWriter): void {
  // One statement per group of equal values (completions.ts); sent rows carry [id, vendor id] pairs.
  const groups = completionGroups(updates);
  const returning = outbox ? ' RETURNING id, tenant, message_id, provider, state, attempts, last_error' : '';
  const apply = stmt(
    `UPDATE deliveries SET state = ?, attempts = ?, vendor_message_id = ?, last_error = ?, due_at = ?, lease_owner = NULL, updated_at = ?
       WHERE id IN (SELECT value FROM json_each(?)) AND lease_owner = ? AND state = 'sending'${returning}`,
  );
  const applySent = stmt(
    `UPDATE deliveries SET state = 'sent', attempts = ?, vendor_message_id = json_extract(j.value, '$[1]'), last_error = NULL, due_at = NULL,
         lease_owner = NULL, updated_at = ?
       FROM json_each(?) AS j
       WHERE deliveries.id = json_extract(j.value, '$[0]') AND lease_owner = ? AND state = 'sending'${returning}`,
  );
  const run = (): Row[] => {
    const changed: Row[] = [];
    for (const g of groups) {
      // Per-row vendor ids only when they differ; one shared id is set like any other value.
      const pairs = g.state === 'sent' && g.sharedVendorId === undefined;
      const s = pairs ? applySent : apply;
      const args = pairs
        ? [g.attempts, now, JSON.stringify(g.vendorIds), owner]
        : [g.state, g.attempts, g.sharedVendorId ?? null, g.lastError, g.dueAt, now, JSON.stringify(g.ids), owner];
      if (outbox) changed.push(...(s.all(...args) as Row[]));
      else s.run(...args);
    }
    return changed;
  };
  inTransaction(db, () => {
    const changed = run();
    if (outbox) sqliteOutboxForDeliveries(stmt, changed, outbox, now);
  });
}

export function sqliteStartSending(stmt: Stmt, owner: string, ids: string[], now: number): string[] {
  if (!ids.length) return [];
  return (
    stmt(`UPDATE deliveries SET handed_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND lease_owner = ? AND state = 'sending' RETURNING id`)
      .all(now, JSON.stringify(ids), owner) as Row[]
  ).map((r) => String(r.id));
}

export function sqliteReleaseClaims(stmt: Stmt, owner: string, now: number): number {
  return stmt(`UPDATE deliveries SET state = 'queued', lease_owner = NULL, due_at = ?, updated_at = ? WHERE lease_owner = ? AND state = 'sending'`)
    .run(now, now, owner).changes;
}

export function sqliteMarkReceipt(db: Database.Database, stmt: Stmt, match: ReceiptMatch, state: 'delivered', now: number, outbox?: OutboxWriter): string[] {
  const where: string[] = ['tenant = ?', 'provider = ?'];
  const args: unknown[] = [match.tenant, match.provider];
  const add = (sql: string, v: string | undefined) => {
    if (v) {
      where.push(sql);
      args.push(v);
    }
  };
  add('token_hash = ?', match.tokenHash);
  add('message_id = ?', match.messageId);
  add('vendor_message_id = ?', match.vendorMessageId);
  if (args.length === 2) return [];
  return inTransaction(db, () => {
    // By (message id, token hash) through deliveries_message_token, the form every token-reporting vendor
    // sends; 'sending' covers a receipt that beat our own commit (rare).
    const sent = stmt(`SELECT id FROM deliveries WHERE ${where.join(' AND ')} AND state = 'sent' LIMIT 1000`).all(...args) as Row[];
    const sending = match.messageId ? (stmt(`SELECT id FROM deliveries WHERE ${where.join(' AND ')} AND state = 'sending' LIMIT 1000`).all(...args) as Row[]) : [];
    const ids = [...sent, ...sending].map((r) => String(r.id));
    const upd = stmt(`UPDATE deliveries SET state = ?, updated_at = ? WHERE id = ? RETURNING id, tenant, message_id, provider, state, attempts, last_error`);
    const changed = ids.flatMap((id) => upd.all(state, now, id) as Row[]);
    if (outbox) sqliteOutboxForDeliveries(stmt, changed, outbox, now);
    return ids;
  });
}

export function sqliteSetPause(stmt: Stmt, p: LanePause): void {
  stmt(
      `INSERT INTO lane_pauses (tenant, provider, quota_class, until, reason) VALUES (?,?,?,?,?)
         ON CONFLICT (tenant, provider, quota_class) DO UPDATE SET until = excluded.until, reason = excluded.reason`,
    )
    .run(p.tenant, p.provider, p.quotaClass, p.until, p.reason);
}

export function sqliteActivePauses(stmt: Stmt, lane: LaneKey, now: number): LanePause[] {
  return (
    stmt('SELECT * FROM lane_pauses WHERE tenant = ? AND provider = ? AND until > ?').all(lane.tenant, lane.provider, now) as Row[]
  ).map(toPause);
}

export function sqliteAllActivePauses(stmt: Stmt, now: number): LanePause[] {
  return (stmt('SELECT * FROM lane_pauses WHERE until > ?').all(now) as Row[]).map(toPause);
}

export function sqliteLaneStats(stmt: Stmt): LaneStats[] {
  const rows = stmt(
    `SELECT tenant, provider, COUNT(*) AS n, MIN(created_at) AS oldest FROM deliveries WHERE ${ACTIVE} GROUP BY tenant, provider
     UNION ALL SELECT tenant, provider, SUM(count), MIN(created_at) FROM delivery_chunks GROUP BY tenant, provider`,
  ).all() as Row[];
  return sumByKey(rows, (r) => `${r.tenant}\n${r.provider}`).map((r) => ({
    tenant: String(r.tenant),
    provider: String(r.provider),
    depth: Number(r.n),
    oldestCreatedAt: r.oldest === null ? null : Number(r.oldest),
  }));
}
