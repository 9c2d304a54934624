/**
 * The PostgreSQL side of the canonical-token migration (token-forms.ts) and of key rotation
 * (key-rotation.ts); PostgresStore delegates here. Each migration page is one transaction under an advisory lock, so instances migrating together take
 * turns; rows are re-read FOR UPDATE, so a registration in between is seen, not overwritten.
 */
import type pg from 'pg';
import { chunkTokens, rewriteChunkTargets } from './chunks.js';
import { pgExpandChunks } from './postgres.chunks.js';
import { withTransaction } from './postgres.tx.js';
import { toDevice } from './rows.js';
import { mergeDevices, rehashesAny } from './token-forms.js';
import type { ChunkTokens, DeliveryTokenRewrite, DeviceRow, StoredDeliveryToken, TokenRewrite } from './types.js';

export async function pgTokenFormVersions(pool: pg.Pool): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ provider: string; version: number }>('SELECT provider, version FROM token_forms');
  return new Map(rows.map((r) => [r.provider, Number(r.version)]));
}

export async function pgSetTokenFormVersion(pool: pg.Pool, provider: string, version: number, now: number): Promise<void> {
  await pool.query(
    'INSERT INTO token_forms (provider, version, applied_at) VALUES ($1, $2, $3) ON CONFLICT (provider) DO UPDATE SET version = EXCLUDED.version, applied_at = EXCLUDED.applied_at',
    [provider, version, now],
  );
}

export async function pgScanDevices(pool: pg.Pool, provider: string, afterId: string | null, limit: number): Promise<DeviceRow[]> {
  const { rows } = await pool.query('SELECT * FROM devices WHERE provider = $1 AND id > $2 ORDER BY id LIMIT $3', [provider, afterId ?? '', limit]);
  return rows.map(toDevice);
}

export async function pgRewriteDeviceTokens(pool: pg.Pool, provider: string, rewrites: TokenRewrite[]): Promise<{ rewritten: number; merged: number }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.pushgate_token_forms'))`);
      // A merge moves deliveries by device_id, which targets in chunks do not expose: they become rows first
      // (rehashesAny: a page that only re-encrypts leaves them to key rotation's chunk pass).
      if (rehashesAny(rewrites)) await pgExpandChunks(client, { provider });
      let rewritten = 0;
      let merged = 0;
      for (const r of rewrites) {
        const found = await client.query('SELECT * FROM devices WHERE id = $1 AND provider = $2 AND token_hash = $3 FOR UPDATE', [r.id, provider, r.fromHash]);
        if (!found.rows[0]) continue; // deleted, merged or rewritten since it was read
        if (r.fromEnc !== undefined && found.rows[0].token_enc !== r.fromEnc) continue; // re-encrypted since (another rotation run)
        const row = toDevice(found.rows[0]);
        const twinRows = await client.query('SELECT * FROM devices WHERE tenant = $1 AND provider = $2 AND token_hash = $3 AND id <> $4 FOR UPDATE', [row.tenant, provider, r.tokenHash, row.id]);
        const twin = twinRows.rows[0] ? toDevice(twinRows.rows[0]) : null;
        let keep = row;
        let createdAt = row.createdAt;
        if (twin) {
          const m = mergeDevices(row, twin);
          await client.query('DELETE FROM devices WHERE id = $1', [m.drop.id]);
          ({ keep, createdAt } = m);
          merged++;
        } else {
          rewritten++;
        }
        await client.query('UPDATE devices SET token_hash = $1, token_enc = $2, created_at = $3 WHERE id = $4', [r.tokenHash, r.tokenEnc, createdAt, keep.id]);
        // The deliveries of both go to the one that stays, carrying the canonical token.
        await client.query('UPDATE deliveries SET device_id = $1, token_hash = $2, token_enc = $3 WHERE device_id = ANY($4::text[])', [keep.id, r.tokenHash, r.tokenEnc, [row.id, twin?.id ?? row.id]]);
      }
      await client.query('COMMIT');
      return { rewritten, merged };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  } finally {
    client.release();
  }
}

/** Delivery rows only, one read-only statement (a read replica answers it): chunks are pgScanChunkTokens's. */
export async function pgScanDeliveryTokens(pool: pg.Pool, afterId: string | null, limit: number): Promise<StoredDeliveryToken[]> {
  const { rows } = await pool.query<{ id: string; provider: string; token_enc: string; token_hash: string }>(
    'SELECT id, provider, token_enc, token_hash FROM deliveries WHERE id > $1 ORDER BY id LIMIT $2',
    [afterId ?? '', limit],
  );
  return rows.map((r) => ({ id: r.id, provider: r.provider, tokenEnc: r.token_enc, tokenHash: r.token_hash }));
}

/**
 * Chunks in id order (BIGSERIAL: one accepted during the pass comes after it, and holds ciphertexts of
 * the new key anyway, README step 3), decoded, one read-only statement.
 */
export async function pgScanChunkTokens(pool: pg.Pool, afterChunk: string | null, limit: number): Promise<ChunkTokens[]> {
  const { rows } = await pool.query<{ id: string; provider: string; targets: string }>(
    'SELECT id::text, provider, targets FROM delivery_chunks WHERE id > $1::bigint ORDER BY id LIMIT $2',
    [afterChunk ?? '0', limit],
  );
  return rows.map((r) => ({ chunkId: r.id, tokens: chunkTokens(r.provider, r.targets) }));
}

/**
 * The chunk re-read FOR UPDATE: a claim holding it is waited for and its cut seen (the targets it took
 * are no longer in the text); a claim that comes after skips it (SKIP LOCKED) until this commits.
 */
export async function pgRewriteChunkTokens(pool: pg.Pool, chunkId: string, rewrites: DeliveryTokenRewrite[]): Promise<number> {
  if (!rewrites.length) return 0;
  return withTransaction(pool, async (c) => {
    const { rows } = await c.query<{ targets: string }>('SELECT targets FROM delivery_chunks WHERE id = $1::bigint FOR UPDATE', [chunkId]);
    if (!rows[0]) return 0; // claimed whole (or expanded) since it was read
    const done = rewriteChunkTargets(rows[0].targets, rewrites);
    if (done.rewritten) await c.query('UPDATE delivery_chunks SET targets = $1 WHERE id = $2::bigint', [done.targets, chunkId]);
    return done.rewritten;
  });
}

/** One statement for the page (a transaction of its own); each row is re-checked against the ciphertext that was read. */
export async function pgRewriteDeliveryTokens(pool: pg.Pool, rewrites: DeliveryTokenRewrite[]): Promise<number> {
  if (!rewrites.length) return 0;
  const { rowCount } = await pool.query(
    `UPDATE deliveries d SET token_enc = r.token_enc, token_hash = r.token_hash
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS r(id, from_enc, token_enc, token_hash)
      WHERE d.id = r.id AND d.token_enc = r.from_enc`,
    [rewrites.map((r) => r.id), rewrites.map((r) => r.fromEnc), rewrites.map((r) => r.tokenEnc), rewrites.map((r) => r.tokenHash)],
  );
  return rowCount ?? 0;
}
