/** Messages on SQLite (SqliteStore delegates here): one insert of its group commit (run in its own savepoint), and the reads. */
import { json, toIdem, toMessage, type Row } from './rows.js';
import type { Stmt } from './sqlite.sql.js';
import type { DeliveryState, IdempotencyRecord, MessageRow, NewDelivery } from './types.js';

export type InsertOutcome = { inserted: true } | { inserted: false; existing: IdempotencyRecord };

export function sqliteInsertMessage(stmt: Stmt, message: MessageRow, deliveries: Iterable<NewDelivery>, idempotency: IdempotencyRecord | null): InsertOutcome {
  if (idempotency) {
    const existing = stmt('SELECT * FROM idempotency WHERE tenant = ? AND key = ?').get(message.tenant, idempotency.key) as Row | undefined;
    if (existing && Number(existing.created_at) >= idempotency.createdAt - 86_400_000) return { inserted: false, existing: toIdem(existing) };
    stmt('INSERT OR REPLACE INTO idempotency (tenant, key, body_hash, status, response, created_at) VALUES (?,?,?,?,?,?)')
      .run(message.tenant, idempotency.key, idempotency.bodyHash, idempotency.status, idempotency.response, idempotency.createdAt);
  }
  stmt('INSERT INTO messages (id, tenant, idempotency_key, payload, created_at, expires_at, category) VALUES (?,?,?,?,?,?,?)')
    .run(message.id, message.tenant, message.idempotencyKey, message.payload, message.createdAt, message.expiresAt, message.category ?? null);
  // Up to ROWS_PER_INSERT rows per statement: one call into SQLite per hundred rows, not per row (the
  // per-row statement was a third of a 100k-target accept). The message's own fields are named
  // parameters bound once per statement; each row binds only what is its own.
  const common = { tenant: message.tenant, message: message.id, now: message.createdAt };
  // The rows are read once, as the caller builds them (src/core/targets.ts), and written a
  // hundred at a time: never the whole message's rows in memory at once.
  let values: unknown[] = [];
  let rows = 0;
  const flush = () => {
    if (rows) stmt(insertDeliveries(rows)).run(...values, common);
    values = [];
    rows = 0;
  };
  for (const d of deliveries) {
    values.push(d.id, d.provider, d.deviceId, d.tokenEnc, d.tokenHash, d.extras === null ? null : json(d.extras), d.quotaClass, d.registered ? 1 : 0);
    if (++rows === ROWS_PER_INSERT) flush();
  }
  flush();
  return { inserted: true };
}

const ROWS_PER_INSERT = 100;
const DELIVERY_ROW = `(?,@tenant,@message,?,?,?,?,?,?,?,'queued',0,@now,@now,@now)`;
const insertSql = new Map<number, string>();

/** The INSERT of `rows` deliveries of one message (the SQL text is the statement cache's key). */
function insertDeliveries(rows: number): string {
  let sql = insertSql.get(rows);
  if (!sql) {
    sql = `INSERT INTO deliveries (id, tenant, message_id, provider, device_id, token_enc, token_hash, extras, quota_class, registered,
         state, attempts, due_at, created_at, updated_at) VALUES ${Array.from({ length: rows }, () => DELIVERY_ROW).join(',')}`;
    insertSql.set(rows, sql);
  }
  return sql;
}

export function sqliteGetIdempotency(stmt: Stmt, tenant: string, key: string, notBefore: number): IdempotencyRecord | null {
  const row = stmt('SELECT * FROM idempotency WHERE tenant = ? AND key = ? AND created_at >= ?')
    .get(tenant, key, notBefore) as Row | undefined;
  return row ? toIdem(row) : null;
}

export function sqliteGetMessage(stmt: Stmt, tenant: string, id: string): MessageRow | null {
  const row = stmt('SELECT * FROM messages WHERE tenant = ? AND id = ?').get(tenant, id) as Row | undefined;
  return row ? toMessage(row) : null;
}

export function sqliteMessageCounts(stmt: Stmt, tenant: string, id: string): Array<{ provider: string; state: DeliveryState; count: number }> {
  return (
    stmt('SELECT provider, state, COUNT(*) AS n FROM deliveries WHERE tenant = ? AND message_id = ? GROUP BY provider, state').all(tenant, id) as Row[]
  ).map((r) => ({ provider: String(r.provider), state: r.state as DeliveryState, count: Number(r.n) }));
}
