/**
 * Writing a message and its targets on PostgreSQL (PostgresStore delegates here): one transaction; the
 * targets as chunk rows (postgres.chunks.ts); the idempotency key resolves concurrent requests with `ON CONFLICT`.
 */
import type pg from 'pg';
import { firstRow, withTransaction } from './postgres.tx.js';
import { chunksOf } from './chunks.js';
import { toIdem } from './rows.js';
import type { IdempotencyRecord, MessageRow, NewDelivery } from './types.js';

/** Chunk rows per multi-row INSERT: a 100,000-target message is 20 statements, each one round trip, as with 5000 rows before chunks. */
const CHUNKS_PER_INSERT = 5;

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
    // Targets go in as chunk rows (chunks.ts, migration 13): a claim makes them deliveries rows. Pipelined:
    // group k is sent, and the next is built (encrypted, hashed: the caller builds rows as they are read)
    // while PostgreSQL inserts it. Built and inserted one after the other, the gateway and PostgreSQL took
    // turns and a 100,000-target accept cost the sum of both (bench, 2026-11-30). The transaction still
    // commits only after every group is in.
    let inFlight: Promise<unknown> | undefined;
    for (const group of groupsOf(chunksOf(deliveries), CHUNKS_PER_INSERT)) {
      // One statement per group: the chunks travel as parallel arrays, in order (ids follow it).
      const sent = c.query(
        `INSERT INTO delivery_chunks (tenant, message_id, provider, quota_class, due_at, created_at, count, targets, first_id, last_id)
           SELECT $1, $2, u.provider, u.quota_class, $3, $3, u.count, u.targets, u.first_id, u.last_id
           FROM unnest($4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[]) AS u(provider, quota_class, count, targets, first_id, last_id)`,
        [
          message.tenant,
          message.id,
          message.createdAt,
          group.map((k) => k.provider),
          group.map((k) => k.quotaClass),
          group.map((k) => k.count),
          group.map((k) => k.targets),
          group.map((k) => k.firstId),
          group.map((k) => k.lastId),
        ],
      );
      // Awaited below (or the transaction fails on an earlier group's error first): never unhandled.
      sent.catch(() => undefined);
      if (inFlight) await inFlight;
      inFlight = sent;
    }
    if (inFlight) await inFlight;
    return { inserted: true as const };
  });
}

/** The items in groups of `size`, read as they come (the caller may build each row only when it is read). */
function* groupsOf<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let group: T[] = [];
  for (const item of items) {
    group.push(item);
    if (group.length === size) {
      yield group;
      group = [];
    }
  }
  if (group.length) yield group;
}
