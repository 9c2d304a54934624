/**
 * Chunk rows on PostgreSQL (src/store/chunks.ts, migration 13): the targets no lane has claimed yet.
 * The accept writes them (postgres.messages.ts); a claim takes whole chunks or splits one and inserts
 * the targets it took as deliveries rows already leased (pgClaimChunks); what writes and needs targets
 * one by one (cancel, erasure, device merges) first expands the chunks it concerns into queued rows
 * (pgExpandChunks); listings and key rotation read them in place. From the
 * claim on a target is an ordinary deliveries row, so hand-off, completion, receipts, recall and the
 * dead-letter views never see a chunk.
 */
import type pg from 'pg';
import { decodeChunk, splitChunk } from './chunks.js';
import { firstRow } from './postgres.tx.js';
import { json, toMessage, type Row } from './rows.js';
import type { ClaimRequest, ClaimedBatch, DeliveryRow, NewDelivery } from './types.js';

type Exec = Pick<pg.PoolClient, 'query'>;

/** A chunk row as a claim reads it; `targets` is null when the chunk was read only to compare lane heads. */
export interface ChunkRow {
  id: string;
  messageId: string;
  dueAt: number;
  createdAt: number;
  quotaClass: string;
  count: number;
  targets: string | null;
}

export function toChunk(r: Row): ChunkRow {
  return {
    id: String(r.chunk_id),
    messageId: String(r.message_id),
    dueAt: Number(r.due_at),
    createdAt: Number(r.created_at),
    quotaClass: String(r.quota_class),
    count: Number(r.count),
    targets: r.targets === null || r.targets === undefined ? null : String(r.targets),
  };
}

/**
 * The lane's chunks a claim may take: due, of a class not excluded, of a message that exists (a version
 * without chunk rows may delete a message and leave its chunks during a rolling upgrade; retention removes
 * them). `$1` tenant, `$2` provider, `$3` now, `$4` excluded classes.
 */
export const CHUNK_DUE = `tenant = $1 AND provider = $2 AND due_at <= $3 AND quota_class <> ALL($4::text[])
  AND EXISTS (SELECT 1 FROM messages m WHERE m.id = delivery_chunks.message_id)`;

/** Where expansion looks: one message, a tenant, a provider, a user's devices in a tenant, or (no key) every chunk. */
export interface ChunkScope {
  tenant?: string;
  messageId?: string;
  provider?: string;
  /** Only chunks holding a target of one of this user's devices (with `tenant`). */
  userId?: string;
}

/**
 * Turn the chunks in `scope` into queued deliveries rows (attempts 0, due when the chunk was due, created
 * and updated when it was), in the caller's transaction and before the caller's own statement on
 * deliveries, which then sees every target one by one. The DELETE waits for a claimer holding one of the
 * chunks and then sees what it left (nothing, or the rest of a split chunk); a claimer that comes after
 * skips the locked chunks and finds them gone. The text form is split in SQL, as decodeChunk splits it in
 * chunks.ts (tab-separated fields, one line per target, empty for null), so an expansion
 * moves no target through the gateway and holds none of them in its memory.
 */
export async function pgExpandChunks(c: Exec, scope: ChunkScope): Promise<number> {
  const args: string[] = [];
  const where: string[] = [];
  for (const [column, value] of [
    ['tenant', scope.tenant],
    ['message_id', scope.messageId],
    ['provider', scope.provider],
  ] as const) {
    if (value === undefined) continue;
    args.push(value);
    where.push(`${column} = $${args.length}`);
  }
  if (scope.userId !== undefined) {
    // A device id appears in a chunk only as a whole tab-separated field (chunks.ts): the text search finds
    // exactly the chunks to expand, not the tenant's whole backlog.
    args.push(scope.userId);
    where.push(`EXISTS (SELECT 1 FROM devices v WHERE v.tenant = delivery_chunks.tenant AND v.user_id = $${args.length} AND strpos(delivery_chunks.targets, E'\\t' || v.id || E'\\t') > 0)`);
  }
  const field = (n: number) => `split_part(t.line, E'\\t', ${n})`;
  const { rowCount } = await c.query(
    `WITH gone AS (
       DELETE FROM delivery_chunks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       RETURNING tenant, message_id, provider, quota_class, due_at, created_at, targets
     )
     INSERT INTO deliveries (id, tenant, message_id, provider, device_id, token_enc, token_hash, extras, quota_class, registered, state, attempts, due_at, created_at, updated_at)
     SELECT ${field(1)}, g.tenant, g.message_id, g.provider, NULLIF(${field(2)}, ''), ${field(3)}, ${field(4)}, NULLIF(${field(5)}, ''), g.quota_class, ${field(6)} = '1',
       'queued', 0, g.due_at, g.created_at, g.created_at
     FROM gone g CROSS JOIN LATERAL unnest(string_to_array(g.targets, E'\\n')) AS t(line)`,
    args,
  );
  return rowCount ?? 0;
}

/**
 * The claim of a message whose head chunk won the lane (postgres.claims.ts read it, locked): take its
 * chunks in (due, id) order until `limit` targets. A chunk taken whole is deleted; the one that does not
 * fit is split, the row keeping the rest. SKIP LOCKED on every chunk, so two claimers never take the same
 * chunk nor split one chunk between them. The targets taken become deliveries rows leased to the owner,
 * written with the chunks' changes and the message read in one statement.
 */
export async function pgClaimChunks(c: Exec, req: ClaimRequest, head: ChunkRow): Promise<ClaimedBatch> {
  const taken: Array<{ chunk: ChunkRow; targets: string }> = [];
  const deleted: string[] = [];
  let cut: { id: string; rest: string; count: number } | null = null;
  let need = req.limit;
  let chunk: ChunkRow | null = head;
  while (chunk) {
    const targets = chunk.targets ?? '';
    if (chunk.count <= need) {
      deleted.push(chunk.id);
      taken.push({ chunk, targets });
      need -= chunk.count;
    } else {
      const { head: part, rest } = splitChunk(targets, need);
      cut = { id: chunk.id, rest, count: chunk.count - need };
      taken.push({ chunk, targets: part });
      need = 0;
    }
    chunk = need > 0 ? await nextChunk(c, req, chunk) : null;
  }
  const rows = taken.flatMap(({ chunk, targets }) => decodeChunk(targets, req.provider, chunk.quotaClass).map((d) => ({ d, createdAt: chunk.createdAt })));
  const { rows: message } = await c.query(
    `WITH gone AS (DELETE FROM delivery_chunks WHERE id = ANY($1::bigint[])),
     cut AS (UPDATE delivery_chunks SET targets = $2::text, count = $3::int WHERE id = $4::bigint),
     claimed AS (
       INSERT INTO deliveries (id, tenant, message_id, provider, device_id, token_enc, token_hash, extras, quota_class, registered,
           state, attempts, due_at, lease_owner, created_at, updated_at)
       SELECT u.id, $5, $6, $7, u.device_id, u.token_enc, u.token_hash, u.extras, u.quota_class, u.registered, 'sending', 0, $8, $9, u.created_at, $10
       FROM unnest($11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::boolean[], $18::bigint[])
         AS u(id, device_id, token_enc, token_hash, extras, quota_class, registered, created_at)
     )
     SELECT * FROM messages WHERE id = $6`,
    [
      deleted,
      cut?.rest ?? null,
      cut?.count ?? null,
      cut?.id ?? null,
      req.tenant,
      head.messageId,
      req.provider,
      req.leaseUntil,
      req.owner,
      req.now,
      rows.map((r) => r.d.id),
      rows.map((r) => r.d.deviceId),
      rows.map((r) => r.d.tokenEnc),
      rows.map((r) => r.d.tokenHash),
      rows.map((r) => json(r.d.extras)),
      rows.map((r) => r.d.quotaClass),
      rows.map((r) => r.d.registered),
      rows.map((r) => r.createdAt),
    ],
  );
  return { message: toMessage(firstRow(message)), deliveries: rows.map((r) => claimedTarget(r.d, req, head.messageId)) };
}

/** The message's next chunk after `prev` that this claim may take; ours are locked by us, so SKIP LOCKED would not pass them over. */
async function nextChunk(c: Exec, req: ClaimRequest, prev: ChunkRow): Promise<ChunkRow | null> {
  const { rows } = await c.query(
    `SELECT id AS chunk_id, message_id, due_at, created_at, quota_class, count, targets FROM delivery_chunks
     WHERE ${CHUNK_DUE} AND message_id = $5 AND (due_at, id) > ($6::bigint, $7::bigint)
     ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [req.tenant, req.provider, req.now, req.excludeClasses, prev.messageId, prev.dueAt, prev.id],
  );
  return rows[0] ? toChunk(rows[0]) : null;
}

/** A target just claimed out of a chunk: one object literal, as rows.ts's toClaimedDelivery (spreads cost in the micro-bench). */
function claimedTarget(d: NewDelivery, req: ClaimRequest, messageId: string): DeliveryRow {
  return {
    id: d.id,
    tenant: req.tenant,
    messageId,
    provider: req.provider,
    deviceId: d.deviceId,
    tokenEnc: d.tokenEnc,
    tokenHash: d.tokenHash,
    extras: d.extras,
    quotaClass: d.quotaClass,
    registered: d.registered,
    state: 'sending',
    attempts: 0,
    nextAttemptAt: 0,
    leaseUntil: req.leaseUntil,
    lastError: null,
    vendorMessageId: null,
    updatedAt: req.now,
  };
}
