/** The SQLite side of the canonical-token migration (token-forms.ts); SqliteStore delegates here. */
import type Database from 'better-sqlite3';
import { toDevice, type Row } from './rows.js';
import { sqliteExpandChunks } from './sqlite.chunks.js';
import { inTransaction } from './sqlite.sql.js';
import { mergeDevices } from './token-forms.js';
import type { DeliveryTokenRewrite, DeviceRow, StoredDeliveryToken, TokenRewrite } from './types.js';

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
    // The provider's targets still in chunks become rows, so the deliveries of merged devices follow them.
    sqliteExpandChunks((sql) => db.prepare(sql), 'provider = ?', [provider]);
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

export function sqliteScanDeliveryTokens(db: Database.Database, afterId: string | null, limit: number): StoredDeliveryToken[] {
  // Targets in chunks (sqlite.chunks.ts) become rows before each page: those accepted during a pass get
  // later ids than the pass has reached (ids are time-ordered), so the pass still sees every one.
  inTransaction(db, () => sqliteExpandChunks((sql) => db.prepare(sql), '1', []));
  return (db.prepare('SELECT id, provider, token_enc, token_hash FROM deliveries WHERE id > ? ORDER BY id LIMIT ?').all(afterId ?? '', limit) as Row[]).map((r) => ({
    id: String(r.id),
    provider: String(r.provider),
    tokenEnc: String(r.token_enc),
    tokenHash: String(r.token_hash),
  }));
}

export function sqliteRewriteDeliveryTokens(db: Database.Database, rewrites: DeliveryTokenRewrite[]): number {
  const update = db.prepare('UPDATE deliveries SET token_enc = ?, token_hash = ? WHERE id = ? AND token_enc = ?');
  return inTransaction(db, () => rewrites.reduce((n, r) => n + update.run(r.tokenEnc, r.tokenHash, r.id, r.fromEnc).changes, 0));
}
