/** The SQLite side of the canonical-token migration (token-forms.ts) and of key rotation (key-rotation.ts); SqliteStore delegates here. */
import type Database from 'better-sqlite3';
import { chunkTokens, rewriteChunkTargets } from './chunks.js';
import { toDevice, type Row } from './rows.js';
import { sqliteExpandChunks } from './sqlite.chunks.js';
import { inTransaction } from './sqlite.sql.js';
import { mergeDevices, rehashesAny } from './token-forms.js';
import type { ChunkTokens, DeliveryTokenRewrite, DeviceRow, StoredDeliveryToken, TokenRewrite } from './types.js';

export function sqliteTokenFormVersions(db: Database.Database): Map<string, number> {
  return new Map((db.prepare('SELECT provider, version FROM token_forms').all() as Row[]).map((r) => [String(r.provider), Number(r.version)]));
}

export function sqliteSetTokenFormVersion(db: Database.Database, provider: string, version: number, now: number): void {
  db.prepare('INSERT INTO token_forms (provider, version, applied_at) VALUES (?, ?, ?) ON CONFLICT (provider) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at')
    .run(provider, version, now);
}

export function sqliteScanDevices(db: Database.Database, provider: string, afterId: string | null, limit: number): DeviceRow[] {
  return (db.prepare('SELECT * FROM devices WHERE provider = ? AND id > ? ORDER BY id LIMIT ?').all(provider, afterId ?? '', limit) as Row[]).map(toDevice);
}

export function sqliteRewriteDeviceTokens(db: Database.Database, provider: string, rewrites: TokenRewrite[]): { rewritten: number; merged: number } {
  return inTransaction(db, () => {
    // The provider's targets still in chunks become rows, so the deliveries of merged devices follow them
    // (rehashesAny: a page that only re-encrypts leaves them to key rotation's chunk pass).
    if (rehashesAny(rewrites)) sqliteExpandChunks((sql) => db.prepare(sql), 'provider = ?', [provider]);
    let rewritten = 0;
    let merged = 0;
    for (const r of rewrites) {
      const found = db.prepare('SELECT * FROM devices WHERE id = ? AND provider = ? AND token_hash = ?').get(r.id, provider, r.fromHash) as Row | undefined;
      if (!found) continue; // deleted, merged or rewritten since it was read
      if (r.fromEnc !== undefined && found.token_enc !== r.fromEnc) continue; // re-encrypted since (another rotation run)
      const row = toDevice(found);
      const twin = db.prepare('SELECT * FROM devices WHERE tenant = ? AND provider = ? AND token_hash = ? AND id <> ?').get(row.tenant, provider, r.tokenHash, row.id) as Row | undefined;
      let keep = row;
      let createdAt = row.createdAt;
      if (twin) {
        const m = mergeDevices(row, toDevice(twin));
        db.prepare('DELETE FROM devices WHERE id = ?').run(m.drop.id);
        ({ keep, createdAt } = m);
        merged++;
      } else {
        rewritten++;
      }
      db.prepare('UPDATE devices SET token_hash = ?, token_enc = ?, created_at = ? WHERE id = ?').run(r.tokenHash, r.tokenEnc, createdAt, keep.id);
      // The deliveries of both go to the one that stays, carrying the canonical token.
      db.prepare('UPDATE deliveries SET device_id = ?, token_hash = ?, token_enc = ? WHERE device_id IN (?, ?)')
        .run(keep.id, r.tokenHash, r.tokenEnc, row.id, twin ? String(twin.id) : row.id);
    }
    return { rewritten, merged };
  });
}

/** Delivery rows only, read-only: targets still in chunks are the chunk pass's (sqliteScanChunkTokens). */
export function sqliteScanDeliveryTokens(db: Database.Database, afterId: string | null, limit: number): StoredDeliveryToken[] {
  return (db.prepare('SELECT id, provider, token_enc, token_hash FROM deliveries WHERE id > ? ORDER BY id LIMIT ?').all(afterId ?? '', limit) as Row[]).map((r) => ({
    id: String(r.id),
    provider: String(r.provider),
    tokenEnc: String(r.token_enc),
    tokenHash: String(r.token_hash),
  }));
}

/**
 * Chunks in id (rowid) order, decoded, read-only. A chunk accepted during the pass gets a later id,
 * unless the newest chunk was claimed whole just before (SQLite reuses the largest rowid then); either
 * way it was accepted under the new key (README, "Rotating the encryption key", step 3).
 */
export function sqliteScanChunkTokens(db: Database.Database, afterChunk: string | null, limit: number): ChunkTokens[] {
  const rows = db.prepare('SELECT id, provider, targets FROM delivery_chunks WHERE id > ? ORDER BY id LIMIT ?').all(Number(afterChunk ?? 0), limit) as Row[];
  return rows.map((r) => ({ chunkId: String(r.id), tokens: chunkTokens(String(r.provider), String(r.targets)) }));
}

/** The chunk re-read in the write transaction, so a claim that took or split it before is seen, not undone. */
export function sqliteRewriteChunkTokens(db: Database.Database, chunkId: string, rewrites: DeliveryTokenRewrite[]): number {
  return inTransaction(db, () => {
    const row = db.prepare('SELECT targets FROM delivery_chunks WHERE id = ?').get(Number(chunkId)) as Row | undefined;
    if (!row) return 0; // claimed whole (or expanded) since it was read
    const done = rewriteChunkTargets(String(row.targets), rewrites);
    if (done.rewritten) db.prepare('UPDATE delivery_chunks SET targets = ? WHERE id = ?').run(done.targets, Number(chunkId));
    return done.rewritten;
  });
}

export function sqliteRewriteDeliveryTokens(db: Database.Database, rewrites: DeliveryTokenRewrite[]): number {
  const update = db.prepare('UPDATE deliveries SET token_enc = ?, token_hash = ? WHERE id = ? AND token_enc = ?');
  return inTransaction(db, () => rewrites.reduce((n, r) => n + update.run(r.tokenEnc, r.tokenHash, r.id, r.fromEnc).changes, 0));
}
