/**
 * Writing a message and its deliveries on PostgreSQL (PostgresStore delegates here): one
 * transaction; the idempotency key resolves concurrent requests with `ON CONFLICT`.
 */
import type pg from 'pg';
import { firstRow, withTransaction } from './postgres.tx.js';
import { json, toIdem } from './rows.js';
import type { IdempotencyRecord, MessageRow, NewDelivery } from './types.js';

/** Rows per multi-row INSERT: 100k deliveries are 20 statements, each one round trip. */
const INSERT_CHUNK = 5000;

export async function pgInsertMessage(
  pool: pg.Pool,
  message: MessageRow,
  deliveries: Iterable<NewDelivery>,
  idempotency: IdempotencyRecord | null,
): Promise<{ inserted: true } | { inserted: false; existing: IdempotencyRecord }> {
  return withTransaction(pool, async (c) => {
    if (idempotency) {
      // Insert the key, or take over one older than a day; a concurrent request with the same key
      // waits on the row lock here and then sees ours (READ COMMITTED re-checks the conflict).
      const claimed = await c.query(
        `INSERT INTO idempotency (tenant, key, body_hash, status, response, created_at) VALUES ($1,$2,$3,$4,$5,$6)
           ON CONFLICT (tenant, key) DO UPDATE SET body_hash = EXCLUDED.body_hash, status = EXCLUDED.status, response = EXCLUDED.response, created_at = EXCLUDED.created_at
           WHERE idempotency.created_at < EXCLUDED.created_at - 86400000
           RETURNING key`,
        [message.tenant, idempotency.key, idempotency.bodyHash, idempotency.status, idempotency.response, idempotency.createdAt],
      );
      if (!claimed.rowCount) {
        const { rows } = await c.query('SELECT * FROM idempotency WHERE tenant = $1 AND key = $2', [message.tenant, idempotency.key]);
        return { inserted: false as const, existing: toIdem(firstRow(rows)) };
      }
    }
    await c.query('INSERT INTO messages (id, tenant, idempotency_key, payload, created_at, expires_at, category) VALUES ($1,$2,$3,$4,$5,$6,$7)', [
      message.id,
      message.tenant,
      message.idempotencyKey,
      message.payload,
      message.createdAt,
      message.expiresAt,
      message.category ?? null,
    ]);
    // Pipelined: chunk k is sent, and the next chunk is built (encrypted, hashed: the caller builds rows as
    // they are read) while PostgreSQL inserts it. Built and inserted one after the other, the gateway and
    // PostgreSQL took turns and a 100,000-target accept cost the sum of both (bench, 2026-11-30).
    // The transaction still commits only after every chunk is in.
    let inFlight: Promise<unknown> | undefined;
    for (const chunk of chunksOf(deliveries, INSERT_CHUNK)) {
      // One statement per chunk: the rows travel as nine parallel arrays.
      const sent = c.query(
        `INSERT INTO deliveries (id, tenant, message_id, provider, device_id, token_enc, token_hash, extras, quota_class, registered,
             state, attempts, due_at, created_at, updated_at)
           SELECT u.id, $1, $2, u.provider, u.device_id, u.token_enc, u.token_hash, u.extras, u.quota_class, u.registered, 'queued', 0, $3, $3, $3
           FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::boolean[])
             AS u(id, provider, device_id, token_enc, token_hash, extras, quota_class, registered)`,
        [
          message.tenant,
          message.id,
          message.createdAt,
          chunk.map((d) => d.id),
          chunk.map((d) => d.provider),
          chunk.map((d) => d.deviceId),
          chunk.map((d) => d.tokenEnc),
          chunk.map((d) => d.tokenHash),
          chunk.map((d) => json(d.extras)),
          chunk.map((d) => d.quotaClass),
          chunk.map((d) => d.registered),
        ],
      );
      // Awaited below (or the transaction fails on an earlier chunk's error first): never unhandled.
      sent.catch(() => undefined);
      if (inFlight) await inFlight;
      inFlight = sent;
    }
    if (inFlight) await inFlight;
    return { inserted: true as const };
  });
}

/** The rows in chunks, read as they come (the caller may build each row only when it is read). */
function* chunksOf<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}
