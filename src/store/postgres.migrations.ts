/**
 * Versioned schema for the PostgreSQL store; append, never edit a shipped entry. The tables mirror
 * sqlite.migrations.ts column for column: ms timestamps as BIGINT, ids in the "C" collation so
 * `id > $cursor` pages in the same byte order as SQLite whatever the database's locale.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE devices (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant TEXT NOT NULL,
    provider TEXT NOT NULL,
    token_enc TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    user_id TEXT,
    apns TEXT,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    UNIQUE (tenant, provider, token_hash)
  );
  CREATE INDEX devices_user ON devices (tenant, user_id);
  CREATE INDEX devices_seen ON devices (last_seen_at);

  CREATE TABLE messages (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant TEXT NOT NULL,
    idempotency_key TEXT,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT
  );
  CREATE INDEX messages_created ON messages (created_at);

  -- due_at: when a queued delivery may be sent, or when a sending delivery's lease runs out.
  CREATE TABLE deliveries (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant TEXT NOT NULL,
    message_id TEXT COLLATE "C" NOT NULL,
    provider TEXT NOT NULL,
    device_id TEXT COLLATE "C",
    token_enc TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    apns TEXT,
    quota_class TEXT NOT NULL,
    registered BOOLEAN NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    due_at BIGINT,
    lease_owner TEXT,
    last_error TEXT,
    vendor_message_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE INDEX deliveries_lane_due ON deliveries (tenant, provider, due_at) WHERE state IN ('queued','sending');
  CREATE INDEX deliveries_message ON deliveries (message_id, provider, due_at) WHERE state IN ('queued','sending');
  CREATE INDEX deliveries_message_id ON deliveries (message_id, id);
  CREATE INDEX deliveries_device ON deliveries (device_id);
  CREATE INDEX deliveries_token ON deliveries (tenant, provider, token_hash);
  CREATE INDEX deliveries_owner ON deliveries (lease_owner) WHERE state = 'sending';
  CREATE INDEX deliveries_vendor_id ON deliveries (tenant, provider, vendor_message_id) WHERE vendor_message_id IS NOT NULL;

  CREATE TABLE idempotency (
    tenant TEXT NOT NULL,
    key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, key)
  );
  CREATE INDEX idempotency_created ON idempotency (created_at);

  CREATE TABLE lane_pauses (
    tenant TEXT NOT NULL,
    provider TEXT NOT NULL,
    quota_class TEXT NOT NULL,
    until BIGINT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (tenant, provider, quota_class)
  );
  `,
  // 2: which canonical-token form each provider's stored devices are in (src/store/token-forms.ts
  // rewrites them in code: the tokens are encrypted and hashed with the configured key).
  `
  CREATE TABLE token_forms (
    provider TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    applied_at BIGINT NOT NULL
  );
  `,
  // 3: a device's vendor fields are one opaque JSON value (`extras`, the provider's deviceFieldsSchema
  // output), so the store names no vendor. The APNs info written by 0.1 becomes {"apns": …}. TEXT like
  // every JSON column here, so rows.ts maps both stores alike.
  `
  ALTER TABLE devices ADD COLUMN extras TEXT;
  UPDATE devices SET extras = jsonb_build_object('apns', apns::jsonb)::text WHERE apns IS NOT NULL AND apns <> '';
  ALTER TABLE devices DROP COLUMN apns;
  ALTER TABLE deliveries ADD COLUMN extras TEXT;
  UPDATE deliveries SET extras = jsonb_build_object('apns', apns::jsonb)::text WHERE apns IS NOT NULL AND apns <> '';
  ALTER TABLE deliveries DROP COLUMN apns;
  `,
  // 4: listings (GET /v1/messages, /v1/messages/{id}/deliveries, /v1/deliveries[/summary]), as SQLite's
  // migration 6. A message's category gets its own column (0.2 rows take it from the payload);
  // newest-first keyset pages read (tenant, created_at, id); the dead-letter view and the summary read
  // only finished rows by when they finished (updated_at), so claims never write those two indexes.
  `
  ALTER TABLE messages ADD COLUMN category TEXT;
  UPDATE messages SET category = payload::jsonb -> 'options' ->> 'category' WHERE payload LIKE '{%';
  CREATE INDEX messages_tenant_created ON messages (tenant, created_at, id);
  CREATE INDEX deliveries_dead ON deliveries (tenant, updated_at, id) WHERE state IN ('failed','expired');
  CREATE INDEX deliveries_finished ON deliveries (tenant, updated_at) WHERE state IN ('sent','delivered','failed','expired');
  `,
  // 5: cancel, as SQLite's migration 7: handed_at marks a claimed delivery already handed to the vendor
  // (cancel leaves those to finish); `canceled` is a finished state, so the summary index covers it.
  `
  ALTER TABLE deliveries ADD COLUMN handed_at BIGINT;
  DROP INDEX deliveries_finished;
  CREATE INDEX deliveries_finished ON deliveries (tenant, updated_at) WHERE state IN ('sent','delivered','failed','expired','canceled');
  `,
  // 6: the webhook outbox, as SQLite's migration 8.
  `
  CREATE TABLE webhook_outbox (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant TEXT NOT NULL,
    url TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    due_at BIGINT NOT NULL,
    give_up_at BIGINT NOT NULL,
    lease_owner TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE INDEX webhook_outbox_due ON webhook_outbox (due_at) WHERE state = 'pending';
  CREATE INDEX webhook_outbox_list ON webhook_outbox (tenant, state, created_at, id);
  ALTER TABLE messages ADD COLUMN completed_at BIGINT;
  `,
  // 7: web console sessions (src/core/console-sessions.ts): only the session id's SHA-256 is kept,
  // with the tenant, a tag of the server key that signed in, and the idle expiry.
  `
  CREATE TABLE console_sessions (
    id_hash TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    key_tag TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
  `,
  // 8: fewer index entries per delivery, as SQLite's migration 10. Receipts find a delivery by (message id,
  // token hash), in the message's own region of the index instead of a global index of random hashes;
  // raw-token deliveries (no device) no longer enter the device index; the lease-owner index went (a
  // shutdown's releaseClaims reads the active rows through deliveries_lane_due). Each claim and each
  // completion is a non-HOT update that writes an entry into every index the new row belongs to, so
  // every index dropped here is one write less per delivery, twice.
  `
  DROP INDEX deliveries_token;
  CREATE INDEX deliveries_message_token ON deliveries (message_id, token_hash);
  DROP INDEX deliveries_device;
  CREATE INDEX deliveries_device ON deliveries (device_id) WHERE device_id IS NOT NULL;
  DROP INDEX deliveries_owner;
  `,
  // 9: room on each page for a row's next versions. A delivery is updated three times (claim, hand-off,
  // completion); on full pages every new version went to another page and wrote an entry into every index,
  // even the hand-off's, which changes no indexed column. At 75% the hand-off is a HOT update (no index
  // writes) and the others stay on their page: sequential claim/hand-off/complete of 50,000 deliveries
  // 27.7 s → 21.7 s (scratch script, two rounds each, same load). Pages written before this keep their
  // packing until rewritten.
  `
  ALTER TABLE deliveries SET (fillfactor = 75);
  `,
  // 10: claims read one message's due rows in (due_at, id) order, as SQLite's migration 2: with id in the
  // index a claim reads 1000 entries and stops. Without it each claim of 1000 read and sorted every row of
  // the message still queued (75,000 at the 25th batch of a 100,000-target message: 125 ms, an external
  // merge on disk; EXPLAIN ANALYZE), so a big message's claims cost O(n²). Building it locks writes to
  // deliveries while it runs: on a large table, migrate while the queue is quiet.
  `
  CREATE INDEX deliveries_message_due ON deliveries (message_id, provider, due_at, id) WHERE state IN ('queued','sending');
  DROP INDEX deliveries_message;
  `,
  // 11: the receipt index holds only the rows a receipt can find sent or delivered. deliveries_message_token
  // (migration 8) took an entry at the accept, at the claim and at the completion of every delivery, each at a
  // random place in the message's part of the index (token hashes have no order): dropping it took 8-9 µs of
  // PostgreSQL CPU from each claim and completion and 4 from each insert (scratch script, one 100,000-target
  // message, backend CPU from /proc), the most of any index. Queued and sending rows are not in it; a receipt
  // that beats its completion finds its still-sending row through deliveries_message_due (pgMarkReceipt).
  // Building it takes a SHARE lock on deliveries (reads go on, writes wait) while it reads the table.
  `
  CREATE INDEX deliveries_receipt ON deliveries (message_id, token_hash) WHERE state IN ('sent','delivered');
  DROP INDEX deliveries_message_token;
  `,
  // 12: two thirds of each new page left free, so the hand-off stays a HOT update (no index writes). At 75
  // (migration 9) the claim's new version filled the page or left it, and the hand-off was HOT only where it
  // found room or could prune the claim's old version, which 8 concurrent claimers often kept alive: 33,000-
  // 39,000 HOT updates of ~310,000 in a 100,000-target fan-out on PostgreSQL + Redis, the same at 50. At 33 a
  // row's next two versions fit on its own page: 93,000-105,000, and PostgreSQL CPU during dispatch 6.4-6.7 s
  // (at 50) → 5.7-5.9 s (scratch script, backend CPU from /proc, same session). The cost is space: rows that
  // are only inserted take 2.4 times the pages (200,000 fresh rows: 260 MB against 108 MB at 75), and rows kept
  // after they finish stay about that sparse until pages are reused. After a fan-out the table was no bigger
  // than at 75, whose updates spilled to new pages. It touches nothing later migrations rely on, so it can be
  // reverted alone (ALTER TABLE deliveries RESET (fillfactor)). Only the storage parameter changes (SHARE
  // UPDATE EXCLUSIVE lock, instant): pages already written keep their packing.
  `
  ALTER TABLE deliveries SET (fillfactor = 33);
  `,
  // 13: targets no lane has claimed yet live in chunk rows (src/store/chunks.ts, issue 11): one row per
  // (message, provider, quota class) and up to 1000 targets, instead of one deliveries row each. The accept
  // then writes one row and three index entries per thousand targets instead of five entries per target, and a
  // claim inserts its targets as deliveries rows already leased instead of rewriting rows the accept wrote.
  // (tenant, provider, due_at, id) is the lane head a claim reads, as deliveries_lane_due; (message_id) is
  // where a claim takes the rest of a message's chunks, and where listing, cancel and retention find them.
  // message_id in the "C" collation, as everywhere it is compared with messages.id and deliveries.message_id;
  // first_id/last_id (the smallest and largest delivery id inside, "C" as deliveries.id) let a listing page
  // read only the chunks its ids meet.
  `
  CREATE TABLE delivery_chunks (
    id BIGSERIAL PRIMARY KEY,
    tenant TEXT NOT NULL,
    message_id TEXT COLLATE "C" NOT NULL,
    provider TEXT NOT NULL,
    quota_class TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    count INTEGER NOT NULL,
    targets TEXT NOT NULL,
    first_id TEXT COLLATE "C" NOT NULL,
    last_id TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX delivery_chunks_lane_due ON delivery_chunks (tenant, provider, due_at, id);
  CREATE INDEX delivery_chunks_message ON delivery_chunks (message_id);
  `,
  // 14: the hand-off from the claim (src/store/postgres.handoffs.ts, issue 11), as SQLite migration 12.
  // lease_epoch counts the operations that can take a claimed row from its owner (cancel, erasure, release,
  // retention, a claim that takes rows whose lease ran out); its one row is also the lock that orders those
  // against hand-offs on other instances (FOR UPDATE by them, FOR SHARE by a hand-off). handoffs holds one
  // row per batch handed off from its claim (the ids as JSON) instead of a handed_at per delivery; a cancel
  // copies its message's rows onto handed_at first. message_id in "C" as deliveries.message_id, where a
  // cancel looks them up.
  `
  CREATE TABLE lease_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL);
  INSERT INTO lease_epoch (id, n) VALUES (1, 0);
  CREATE TABLE handoffs (
    id BIGSERIAL PRIMARY KEY,
    owner TEXT NOT NULL,
    message_id TEXT COLLATE "C" NOT NULL,
    ids TEXT NOT NULL,
    lease_until BIGINT NOT NULL,
    at BIGINT NOT NULL
  );
  CREATE INDEX handoffs_message ON handoffs (message_id);
  CREATE INDEX handoffs_lease ON handoffs (lease_until);
  `,
];

/**
 * Apply pending migrations under an advisory lock (keyed by the current schema), so instances
 * starting together apply each version exactly once.
 */
export async function applyPostgresMigrations(pool: pg.Pool, logger: Logger): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext(current_schema() || '.pushgate_migrations'))`);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
      for (const [i, sql] of POSTGRES_MIGRATIONS.entries()) {
        const version = i + 1;
        if (done.has(version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version, Date.now()]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${version} failed: ${(err as Error).message}`);
        }
        logger.info({ version }, 'applied PostgreSQL migration');
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext(current_schema() || '.pushgate_migrations'))`);
    }
  } finally {
    client.release();
  }
}
