/**
 * Chunk rows on SQLite (src/store/chunks.ts says what they are): the accept writes them, a claim turns
 * them into leased deliveries, listings read them in place, and what writes targets one by one
 * (cancel, erasure, device merges) first expands the chunks it concerns into queued deliveries.
 * SqliteStore and its modules call these inside their own transactions.
 */
import type Database from 'better-sqlite3';
import { chunksOf, filterAdmitsChunks, forEachTarget, pageWithChunks, splitChunk } from './chunks.js';
import { toChunkHead, type Row } from './rows.js';
import { inTransaction, notIn, type Stmt } from './sqlite.sql.js';
import type { DeliveryFilter, DeliveryRow, NewDelivery } from './types.js';

/** Where a message's chunks go at accept: their lane, their due time (the message's creation). */
export interface ChunkHome {
  tenant: string;
  messageId: string;
  createdAt: number;
}

export function sqliteInsertChunks(stmt: Stmt, home: ChunkHome, deliveries: Iterable<NewDelivery>): void {
  const insert = stmt(
    `INSERT INTO delivery_chunks (tenant, message_id, provider, quota_class, due_at, created_at, count, targets, first_id, last_id) VALUES (?,?,?,?,?,?,?,?,?,?)`,
  );
  for (const c of chunksOf(deliveries)) {
    insert.run(home.tenant, home.messageId, c.provider, c.quotaClass, home.createdAt, home.createdAt, c.count, c.targets, c.firstId, c.lastId);
  }
}

/** The lane's earliest due chunk (what a claim compares with the earliest due delivery row). */
export function sqliteFirstDueChunk(stmt: Stmt, tenant: string, provider: string, now: number, excludeClasses: string[]): { messageId: string; dueAt: number } | null {
  // A chunk whose message is gone (deleted by a version without chunk rows) is passed over, never claimed;
  // retention removes it.
  const row = stmt(
    `SELECT message_id, due_at FROM delivery_chunks
       WHERE tenant = ? AND provider = ? AND due_at <= ?${notIn(excludeClasses)} AND EXISTS (SELECT 1 FROM messages m WHERE m.id = delivery_chunks.message_id)
       ORDER BY due_at, id LIMIT 1`,
  )
    .get(tenant, provider, now, ...excludeClasses) as Row | undefined;
  return row ? { messageId: String(row.message_id), dueAt: Number(row.due_at) } : null;
}

export interface ChunkClaim {
  tenant: string;
  messageId: string;
  provider: string;
  now: number;
  owner: string;
  leaseUntil: number;
  limit: number;
  excludeClasses: string[];
}

/**
 * Up to `limit` due targets of one message's chunks, inserted as deliveries leased to the owner, in
 * chunk order (id order). A chunk larger than what is left of the limit keeps its other targets.
 */
export function sqliteClaimChunks(stmt: Stmt, c: ChunkClaim): DeliveryRow[] {
  const next = stmt(
    `SELECT id, quota_class, count, targets, created_at FROM delivery_chunks
       WHERE message_id = ? AND provider = ? AND due_at <= ?${notIn(c.excludeClasses)} ORDER BY due_at, id LIMIT 1`,
  );
  const claimed: DeliveryRow[] = [];
  const rows = new RowWriter(stmt, { tenant: c.tenant, message: c.messageId, state: 'sending', owner: c.owner, due: c.leaseUntil, updated: c.now });
  while (claimed.length < c.limit) {
    const chunk = next.get(c.messageId, c.provider, c.now, ...c.excludeClasses) as Row | undefined;
    if (!chunk) break;
    const room = c.limit - claimed.length;
    const take = takeFromChunk(stmt, chunk, room);
    const quotaClass = String(chunk.quota_class);
    const createdAt = Number(chunk.created_at);
    forEachTarget(take, (id, deviceId, tokenEnc, tokenHash, extras, registered) => {
      rows.add(id, c.provider, deviceId, tokenEnc, tokenHash, extras, quotaClass, registered, createdAt);
      claimed.push({
        id,
        tenant: c.tenant,
        messageId: c.messageId,
        provider: c.provider,
        deviceId,
        tokenEnc,
        tokenHash,
        extras: extras === null ? null : (JSON.parse(extras) as DeliveryRow['extras']),
        quotaClass,
        registered,
        state: 'sending',
        attempts: 0,
        nextAttemptAt: 0,
        leaseUntil: c.leaseUntil,
        lastError: null,
        vendorMessageId: null,
        updatedAt: c.now,
      });
    });
  }
  rows.flush();
  return claimed;
}

/** The targets taken from `chunk` (all, deleting it, or the first `room`, leaving it the rest). */
function takeFromChunk(stmt: Stmt, chunk: Row, room: number): string {
  const targets = String(chunk.targets);
  if (Number(chunk.count) <= room) {
    stmt('DELETE FROM delivery_chunks WHERE id = ?').run(chunk.id);
    return targets;
  }
  const { head, rest } = splitChunk(targets, room);
  // first_id stays: a lower bound of the ids left is all a listing needs (chunks.ts pageWithChunks).
  stmt('UPDATE delivery_chunks SET targets = ?, count = count - ? WHERE id = ?').run(rest, room, chunk.id);
  return head;
}

/**
 * Turn chunks into queued deliveries, one chunk at a time (never a whole backlog's text in memory):
 * `where` selects the chunks (a message's, a tenant's matching a device, a provider's, or all).
 * Returns how many targets became rows.
 */
export function sqliteExpandChunks(stmt: Stmt, where: string, args: unknown[]): number {
  const next = stmt(`SELECT id, tenant, message_id, provider, quota_class, due_at, count, targets, created_at FROM delivery_chunks WHERE ${where} ORDER BY id LIMIT 1`);
  let expanded = 0;
  for (let chunk = next.get(...args) as Row | undefined; chunk; chunk = next.get(...args) as Row | undefined) {
    const createdAt = Number(chunk.created_at);
    const rows = new RowWriter(stmt, { tenant: String(chunk.tenant), message: String(chunk.message_id), state: 'queued', owner: null, due: Number(chunk.due_at), updated: createdAt });
    const provider = String(chunk.provider);
    const quotaClass = String(chunk.quota_class);
    forEachTarget(String(chunk.targets), (id, deviceId, tokenEnc, tokenHash, extras, registered) =>
      rows.add(id, provider, deviceId, tokenEnc, tokenHash, extras, quotaClass, registered, createdAt),
    );
    rows.flush();
    stmt('DELETE FROM delivery_chunks WHERE id = ?').run(chunk.id);
    expanded += Number(chunk.count);
  }
  return expanded;
}

/**
 * Expand the tenant's chunks holding a target of one of these devices (export, erasure). A device id
 * appears in a chunk only as a whole tab-separated field (chunks.ts), so the text search finds exactly
 * the chunks to expand without expanding the tenant's whole backlog.
 */
export function sqliteExpandDevices(stmt: Stmt, tenant: string, deviceIds: string[]): number {
  let expanded = 0;
  for (const id of deviceIds) expanded += sqliteExpandChunks(stmt, 'tenant = ? AND instr(targets, ?) > 0', [tenant, `\t${id}\t`]);
  return expanded;
}

/**
 * Multi-row INSERTs of deliveries, a hundred rows a statement (one call into SQLite per hundred rows,
 * not per row: the per-row statement was a third of a 100k-target accept). What all rows share is
 * bound once per statement as named parameters.
 */
export class RowWriter {
  private values: unknown[] = [];
  private rows = 0;

  constructor(
    private readonly stmt: Stmt,
    private readonly common: { tenant: string; message: string; state: 'queued' | 'sending'; owner: string | null; due: number; updated: number },
  ) {}

  add(id: string, provider: string, deviceId: string | null, tokenEnc: string, tokenHash: string, extras: string | null, quotaClass: string, registered: boolean, createdAt: number): void {
    this.values.push(id, provider, deviceId, tokenEnc, tokenHash, extras, quotaClass, registered ? 1 : 0, createdAt);
    if (++this.rows === ROWS_PER_INSERT) this.flush();
  }

  flush(): void {
    if (this.rows) this.stmt(insertDeliveries(this.rows)).run(...this.values, this.common);
    this.values = [];
    this.rows = 0;
  }
}

const ROWS_PER_INSERT = 100;
const DELIVERY_ROW = `(?,@tenant,@message,?,?,?,?,?,?,?,@state,0,@due,@owner,?,@updated)`;
const insertSql = new Map<number, string>();

/** The INSERT of `rows` deliveries of one message (the SQL text is the statement cache's key). */
function insertDeliveries(rows: number): string {
  let sql = insertSql.get(rows);
  if (!sql) {
    sql = `INSERT INTO deliveries (id, tenant, message_id, provider, device_id, token_enc, token_hash, extras, quota_class, registered,
         state, attempts, due_at, lease_owner, created_at, updated_at) VALUES ${Array.from({ length: rows }, () => DELIVERY_ROW).join(',')}`;
    insertSql.set(rows, sql);
  }
  return sql;
}

/**
 * A page of a message's deliveries with the targets still in its chunks (chunks.ts pageWithChunks),
 * in one read transaction so that a claim cannot move a target between the two reads.
 */
export function sqliteListWithChunks(
  db: Database.Database,
  stmt: Stmt,
  tenant: string,
  messageId: string,
  after: string | null,
  limit: number,
  filter: DeliveryFilter,
  rowsPage: () => DeliveryRow[],
): DeliveryRow[] {
  return inTransaction(
    db,
    () => {
      const rows = rowsPage();
      if (!filterAdmitsChunks(filter)) return rows;
      const provider = filter.provider === undefined ? '' : ' AND provider = ?';
      const heads = (
        stmt(`SELECT id, tenant, message_id, provider, quota_class, due_at, created_at, first_id, last_id FROM delivery_chunks
                WHERE tenant = ? AND message_id = ? AND last_id > ?${provider} ORDER BY first_id`)
          .all(tenant, messageId, after ?? '', ...(filter.provider === undefined ? [] : [filter.provider])) as Row[]
      ).map(toChunkHead);
      const read = stmt('SELECT targets FROM delivery_chunks WHERE id = ?').pluck();
      const steps = pageWithChunks(rows, heads, after, limit);
      let step = steps.next();
      while (!step.done) step = steps.next((read.get(step.value) as string | undefined) ?? null);
      return step.value;
    },
    'deferred',
  );
}
