/** Versioned schema for the SQLite store; append, never edit a shipped entry. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    provider TEXT NOT NULL,
    token_enc TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    user_id TEXT,
    apns TEXT,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    UNIQUE (tenant, provider, token_hash)
  );
  CREATE INDEX devices_user ON devices (tenant, user_id);
  CREATE INDEX devices_seen ON devices (last_seen_at);

  CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    idempotency_key TEXT,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
  );
  CREATE INDEX messages_created ON messages (created_at);

  -- due_at: when a queued delivery may be sent, or when a sending delivery's lease runs out.
  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    message_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    device_id TEXT,
    token_enc TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    apns TEXT,
    quota_class TEXT NOT NULL,
    registered INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    due_at INTEGER,
    lease_owner TEXT,
    last_error TEXT,
    vendor_message_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX deliveries_lane_due ON deliveries (tenant, provider, due_at) WHERE state IN ('queued','sending');
  CREATE INDEX deliveries_message ON deliveries (message_id, provider, due_at) WHERE state IN ('queued','sending');
  CREATE INDEX deliveries_message_id ON deliveries (message_id, id);
  CREATE INDEX deliveries_device ON deliveries (device_id);
  CREATE INDEX deliveries_token ON deliveries (tenant, provider, token_hash);
  CREATE INDEX deliveries_owner ON deliveries (lease_owner) WHERE state = 'sending';

  CREATE TABLE idempotency (
    tenant TEXT NOT NULL,
    key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, key)
  );

  CREATE TABLE lane_pauses (
    tenant TEXT NOT NULL,
    provider TEXT NOT NULL,
    quota_class TEXT NOT NULL,
    until INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (tenant, provider, quota_class)
  );
  `,
  // 2: indexes shaped by the benchmark. Claims read one message's due rows in (due_at, id) order;
  // receipts look tokens up only among sent (or sending) rows, so queued inserts skip that index.
  `
  DROP INDEX deliveries_message;
  CREATE INDEX deliveries_message_due ON deliveries (message_id, provider, due_at, id) WHERE state IN ('queued','sending');
  DROP INDEX deliveries_token;
  CREATE INDEX deliveries_token_sent ON deliveries (tenant, provider, token_hash) WHERE state IN ('sent','sending');
  DROP INDEX deliveries_device;
  CREATE INDEX deliveries_device ON deliveries (device_id) WHERE device_id IS NOT NULL;
  `,
  // 3: fewer index writes per claim. The lease-owner index served only shutdown (releaseClaims
  // scans the active rows instead), and sending rows no longer enter the receipt index.
  `
  DROP INDEX deliveries_owner;
  DROP INDEX deliveries_token_sent;
  CREATE INDEX deliveries_token_sent ON deliveries (tenant, provider, token_hash) WHERE state = 'sent';
  `,
  // 4: which canonical-token form each provider's stored devices are in (src/store/token-forms.ts
  // rewrites them in code: the tokens are encrypted and hashed with the configured key).
  `
  CREATE TABLE token_forms (
    provider TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    applied_at INTEGER NOT NULL
  );
  `,
  // 5: a device's vendor fields are one opaque JSON value (`extras`, the provider's deviceFieldsSchema
  // output), so the store names no vendor. The APNs info written by 0.1 becomes {"apns": …}.
  `
  ALTER TABLE devices ADD COLUMN extras TEXT;
  UPDATE devices SET extras = json_object('apns', json(apns)) WHERE apns IS NOT NULL AND apns <> '';
  ALTER TABLE devices DROP COLUMN apns;
  ALTER TABLE deliveries ADD COLUMN extras TEXT;
  UPDATE deliveries SET extras = json_object('apns', json(apns)) WHERE apns IS NOT NULL AND apns <> '';
  ALTER TABLE deliveries DROP COLUMN apns;
  `,
  // 6: listings (GET /v1/messages, /v1/messages/{id}/deliveries, /v1/deliveries[/summary]). A message's
  // category gets its own column so the list can filter on it; the 0.2 rows take it from the payload.
  // Newest-first keyset pages read (tenant, created_at, id); the dead-letter view and the summary read
  // only finished rows by the time they finished (updated_at), so queued and sending rows, which
  // change on every claim, never enter those two indexes.
  `
  ALTER TABLE messages ADD COLUMN category TEXT;
  UPDATE messages SET category = json_extract(payload, '$.options.category') WHERE json_valid(payload);
  CREATE INDEX messages_tenant_created ON messages (tenant, created_at, id);
  CREATE INDEX deliveries_dead ON deliveries (tenant, updated_at, id) WHERE state IN ('failed','expired');
  CREATE INDEX deliveries_finished ON deliveries (tenant, updated_at) WHERE state IN ('sent','delivered','failed','expired');
  `,
  // 7: cancel (DELETE /v1/messages/{id}). handed_at marks a claimed delivery already handed to the
  // vendor: cancel takes queued rows and claimed rows without it, so a canceled delivery is never sent
  // (store.startSending). `canceled` is a finished state: the summary index covers it.
  `
  ALTER TABLE deliveries ADD COLUMN handed_at INTEGER;
  DROP INDEX deliveries_finished;
  CREATE INDEX deliveries_finished ON deliveries (tenant, updated_at) WHERE state IN ('sent','delivered','failed','expired','canceled');
  `,
  // 8: the webhook outbox (src/core/webhooks.ts). One row per (event, endpoint), written in the
  // transaction of the change that causes it; pending rows are leased like deliveries (due_at is the
  // next attempt or the lease end). A message gets completed_at when its message.completed was written,
  // so the event is written once however the last deliveries finish.
  `
  CREATE TABLE webhook_outbox (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    url TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    give_up_at INTEGER NOT NULL,
    lease_owner TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX webhook_outbox_due ON webhook_outbox (due_at) WHERE state = 'pending';
  CREATE INDEX webhook_outbox_list ON webhook_outbox (tenant, state, created_at, id);
  ALTER TABLE messages ADD COLUMN completed_at INTEGER;
  `,
  // 9: web console sessions (src/core/console-sessions.ts): only the session id's SHA-256 is kept,
  // with the tenant, a tag of the server key that signed in, and the idle expiry.
  `
  CREATE TABLE console_sessions (
    id_hash TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    key_tag TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
  `,
  // 10: receipts find a delivery by (message id, token hash), written once with the row. The receipt
  // index on (tenant, provider, token_hash) among sent rows was written when a delivery turned `sent`:
  // random keys, so each completed batch of 1000 dirtied about 1000 index pages, the largest single
  // cost of a completion (bench profile). Every vendor that reports tokens echoes the message id
  // (callbackRef); a token-only receipt is still answered, by a scan.
  `
  DROP INDEX deliveries_token_sent;
  CREATE INDEX deliveries_message_token ON deliveries (message_id, token_hash);
  `,
  // 11: chunk rows (src/store/chunks.ts). The targets of a message that no lane has claimed yet are
  // one row per (provider, quota class) and up to 1000 targets; a claim inserts them as leased
  // deliveries. The accept wrote a row and five index entries per target that the claim then
  // rewrote (docs/performance.md). The lane index finds the next due chunk, the message index a
  // message's chunks; first_id/last_id (the smallest and largest delivery id inside) let a listing
  // page read only the chunks its ids meet. Deliveries from before stay rows and are claimed as before.
  `
  CREATE TABLE delivery_chunks (
    id INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    message_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    quota_class TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    count INTEGER NOT NULL,
    targets TEXT NOT NULL,
    first_id TEXT NOT NULL,
    last_id TEXT NOT NULL
  );
  CREATE INDEX delivery_chunks_lane ON delivery_chunks (tenant, provider, due_at);
  CREATE INDEX delivery_chunks_message ON delivery_chunks (message_id, provider, due_at);
  `,
  // 12: the hand-off from the claim (src/store/sqlite.handoffs.ts). lease_epoch counts the operations
  // that may take a claimed delivery from its owner; handoffs holds, per batch handed off that way, the
  // ids as JSON until their lease ends, for a cancel to copy onto handed_at.
  `
  CREATE TABLE lease_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
  INSERT INTO lease_epoch (id, n) VALUES (1, 0);
  CREATE TABLE handoffs (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    message_id TEXT NOT NULL,
    ids TEXT NOT NULL,
    lease_until INTEGER NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX handoffs_message ON handoffs (message_id);
  CREATE INDEX handoffs_lease ON handoffs (lease_until);
  `,
];
