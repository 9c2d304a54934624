/**
 * The PostgreSQL side of the canonical-token migration (token-forms.ts); PostgresStore delegates
 * here. Each page is one transaction under an advisory lock, so instances migrating together take
 * turns; rows are re-read FOR UPDATE, so a registration in between is seen, not overwritten.
 */
import type pg from 'pg';
import { pgExpandChunks } from './postgres.chunks.js';
import { withTransaction } from './postgres.tx.js';
import { toDevice } from './rows.js';
import { mergeDevices } from './token-forms.js';
import type { DeliveryTokenRewrite, DeviceRow, StoredDeliveryToken, TokenRewrite } from './types.js';

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
      // A merge moves deliveries by device_id, which targets in chunks do not expose: they become rows first.
      if (rewrites.length) await pgExpandChunks(client, { provider });
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

/**
 * A pass starts (no `afterId`) by turning every chunk into rows, so the pass sees each stored token in id
 * order and its rewrites find them by id. Chunks accepted after that hold current ciphertexts: the gateways
 * encrypt with the new key before a rotation runs (README, "Rotating the encryption key", step 3), and the
 * device pass, which comes first, has rewritten the devices whose ciphertexts an accept copies.
 */
export async function pgScanDeliveryTokens(pool: pg.Pool, afterId: string | null, limit: number): Promise<StoredDeliveryToken[]> {
  const page = 'SELECT id, provider, token_enc, token_hash FROM deliveries WHERE id > $1 ORDER BY id LIMIT $2';
  const rows = await withTransaction(pool, async (c) => {
    if (afterId === null) await pgExpandChunks(c, {});
    return (await c.query<{ id: string; provider: string; token_enc: string; token_hash: string }>(page, [afterId ?? '', limit])).rows;
  });
  return rows.map((r) => ({ id: r.id, provider: r.provider, tokenEnc: r.token_enc, tokenHash: r.token_hash }));
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
