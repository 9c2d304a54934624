/** Messages on SQLite (SqliteStore delegates here): one insert of its group commit (run in its own savepoint), and the reads. */
import { toIdem, toMessage, type Row } from './rows.js';
import { sqliteInsertChunks } from './sqlite.chunks.js';
import { sumByKey, type Stmt } from './sqlite.sql.js';
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
  // The targets go into chunk rows (sqlite.chunks.ts), read once as the caller builds them
  // (src/core/targets.ts): never the whole message's rows in memory at once.
  sqliteInsertChunks(stmt, { tenant: message.tenant, messageId: message.id, createdAt: message.createdAt }, deliveries);
  return { inserted: true };
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
  // Targets still in chunks are queued (sqlite.chunks.ts).
  const rows = stmt(
    `SELECT provider, state, COUNT(*) AS n FROM deliveries WHERE tenant = ? AND message_id = ? GROUP BY provider, state
     UNION ALL SELECT provider, 'queued', SUM(count) FROM delivery_chunks WHERE tenant = ? AND message_id = ? GROUP BY provider`,
  ).all(tenant, id, tenant, id) as Row[];
  return sumByKey(rows, (r) => `${r.provider}\n${r.state}`).map((r) => ({ provider: String(r.provider), state: r.state as DeliveryState, count: Number(r.n) }));
}
