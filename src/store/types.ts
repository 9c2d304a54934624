/**
 * The store contract. SQLite (embedded default) and PostgreSQL (scale-out) implement it; one
 * conformance suite (test/contract/store.contract.ts) runs against both.
 *
 * Tokens arrive here already encrypted (`tokenEnc`) with their HMAC lookup hash (`tokenHash`):
 * the store never sees a plaintext token. It never imports providers/ either: a device's vendor
 * fields are one opaque JSON value (`extras`) that the core validated with the provider's schema.
 */

/** A device's extra fields (the provider's `deviceFieldsSchema` output), stored as one JSON column. */
export type DeviceExtras = Record<string, unknown>;
export type DeliveryState = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'expired' | 'canceled';
export const DELIVERY_STATES: readonly DeliveryState[] = ['queued', 'sending', 'sent', 'delivered', 'failed', 'expired', 'canceled'];

export interface DeviceRow {
  id: string;
  tenant: string;
  provider: string;
  tokenEnc: string;
  tokenHash: string;
  userId: string | null;
  extras: DeviceExtras | null;
  createdAt: number;
  lastSeenAt: number;
}

export interface UpsertDeviceInput {
  id: string; // used when new
  tenant: string;
  provider: string;
  tokenEnc: string;
  tokenHash: string;
  userId: string | null;
  extras: DeviceExtras | null;
  now: number;
}

/** One device to move to its canonical token (src/store/token-forms.ts). */
export interface TokenRewrite {
  id: string;
  /** The lookup hash the row had when it was read: a row changed since is left alone. */
  fromHash: string;
  /** The ciphertext the row had when it was read (key rotation): when given, a row whose ciphertext changed since is left alone too. */
  fromEnc?: string;
  tokenHash: string;
  tokenEnc: string;
}

/** A delivery's stored token, as key rotation reads it (src/store/token-forms.ts). */
export interface StoredDeliveryToken {
  id: string;
  provider: string;
  tokenEnc: string;
  tokenHash: string;
}

/** Key rotation: the targets of one chunk row (src/store/chunks.ts), which no lane has claimed yet, as stored tokens. */
export interface ChunkTokens {
  chunkId: string;
  tokens: StoredDeliveryToken[];
}

/** One delivery's token re-encrypted (and re-hashed) under the current keys. */
export interface DeliveryTokenRewrite {
  id: string;
  /** The ciphertext the row had when it was read: a row changed since is left alone. */
  fromEnc: string;
  tokenEnc: string;
  tokenHash: string;
}

export interface DeliveryError {
  code: string;
  vendorCode?: string | undefined;
  message: string;
}

export interface MessageRow {
  id: string;
  tenant: string;
  idempotencyKey: string | null;
  /** The normalized message (notification, data, options) as JSON. */
  payload: string;
  createdAt: number;
  /** Absolute expiry (createdAt + ttlSeconds), or null. */
  expiresAt: number | null;
  /** `options.category` as sent, kept beside the payload so listings can filter on it; null when none was given. */
  category?: string | null | undefined;
}

export interface NewDelivery {
  id: string;
  provider: string;
  deviceId: string | null;
  tokenEnc: string;
  tokenHash: string;
  extras: DeviceExtras | null;
  quotaClass: string;
  registered: boolean;
}

export interface DeliveryRow extends NewDelivery {
  tenant: string;
  messageId: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: number;
  leaseUntil: number | null;
  lastError: DeliveryError | null;
  vendorMessageId: string | null;
  updatedAt: number;
}

export interface IdempotencyRecord {
  key: string;
  bodyHash: string;
  status: number;
  response: string;
  createdAt: number;
}

export interface LaneKey {
  tenant: string;
  provider: string;
}

export interface ClaimRequest extends LaneKey {
  now: number;
  leaseUntil: number;
  owner: string;
  limit: number;
  /** Quota classes that must not be claimed now (paused for quota or outside their send window). */
  excludeClasses: string[];
}

export interface ClaimedBatch {
  message: MessageRow;
  deliveries: DeliveryRow[];
}

/** What the dispatcher decided for one delivery; applied in one transaction per batch. */
export type DeliveryUpdate =
  | { id: string; state: 'sent'; vendorMessageId: string | null; attempts: number }
  | { id: string; state: 'failed' | 'expired'; error: DeliveryError; attempts: number }
  | { id: string; state: 'queued'; nextAttemptAt: number; error: DeliveryError | null; attempts: number };

export interface LanePause extends LaneKey {
  /** '*' pauses the whole lane; otherwise one quota class. */
  quotaClass: string;
  until: number;
  reason: string;
}

export interface LaneStats extends LaneKey {
  depth: number;
  oldestCreatedAt: number | null;
}

export interface ReceiptMatch {
  tenant: string;
  provider: string;
  tokenHash?: string | undefined;
  messageId?: string | undefined;
  vendorMessageId?: string | undefined;
}

/**
 * A web console session (src/core/console-sessions.ts). Only the SHA-256 of the random session id
 * is stored, so a copy of the table cannot be replayed as cookies.
 */
export interface ConsoleSessionRow {
  idHash: string;
  tenant: string;
  /** A short digest of the server key that signed in: a key removed from the config ends its sessions. */
  keyTag: string;
  createdAt: number;
  /** Idle expiry (ms): pushed forward as the session is used. */
  expiresAt: number;
}

/** Filters of a tenant's message list (GET /v1/messages); all optional, combined with AND. */
export interface MessageFilter {
  /** created_at >= createdFrom (ms). */
  createdFrom?: number | undefined;
  /** created_at < createdTo (ms). */
  createdTo?: number | undefined;
  /** in_progress: some delivery queued or sending; done: none (a message without deliveries is done). */
  status?: 'in_progress' | 'done' | undefined;
  category?: string | undefined;
}

/** Keyset position in a newest-first list: the last row of the previous page. */
export interface TimeKey {
  at: number;
  id: string;
}

/** Filters on deliveries; all optional, combined with AND. */
export interface DeliveryFilter {
  states?: DeliveryState[] | undefined;
  provider?: string | undefined;
  /** `lastError.code`. */
  errorCode?: string | undefined;
  /** `lastError.vendorCode`: a summary group is (provider, state, errorCode, vendorCode). */
  vendorCode?: string | undefined;
}

/** The dead-letter view: failed/expired deliveries of a tenant that reached that state at or after `since`. */
export interface DeadLetterFilter extends DeliveryFilter {
  states: Array<'failed' | 'expired'>;
  /** updated_at >= since (ms); the moment a delivery became failed or expired. */
  since?: number | undefined;
}

/** One cell of the summary: deliveries of a provider that reached `state` with this error code and vendor code (null: none). */
export interface DeliverySummaryRow {
  provider: string;
  state: DeliveryState;
  /** `lastError.code`. */
  errorCode: string | null;
  /** `lastError.vendorCode`: the vendor's own code, when the adapter recorded one. */
  vendorCode: string | null;
  count: number;
}

/**
 * One provider's deliveries of a tenant as GET /v1/lanes shows them: what waits, and what the vendor
 * took lately. Only providers with a row to count are listed; the core adds the idle lanes.
 */
export interface LaneActivity {
  provider: string;
  queued: number;
  sending: number;
  /** Creation time of the oldest delivery not finished (queued or sending), as pushgate_queue_oldest_age_seconds; null when none. */
  oldestPendingAt: number | null;
  /** Deliveries now sent or delivered whose last change (the send, or a receipt since) was at or after `since`. */
  sentSince: number;
}

/** Replay (POST /v1/messages/{id}/retry, POST /v1/deliveries/retry): what goes back to `queued`, in one transaction. */
export interface RequeueRequest {
  tenant: string;
  /** Deliveries to requeue; only those still failed or expired change. */
  ids: string[];
  now: number;
  /** Messages whose expiry moves (the body's extendTtlSeconds), written with the requeue. */
  expiries: Array<{ messageId: string; expiresAt: number }>;
  /** Stored with the requeue; `answer` builds the stored response from what was actually requeued. */
  idempotency: (Omit<IdempotencyRecord, 'response'> & { answer(requeued: Array<LaneKey & { id: string }>): string }) | null;
}

export type RequeueOutcome =
  | { inserted: true; requeued: Array<LaneKey & { id: string }>; response: string | null }
  | { inserted: false; existing: IdempotencyRecord };

// ---- webhook outbox (src/core/webhooks.ts) ----

/**
 * A state change as the store made it, inside its transaction. The core's `OutboxWriter` turns it
 * into outbox rows (or none), which the store writes in that same transaction: an event is stored
 * if and only if the change that causes it committed. The store knows no event names or bodies.
 */
export type StoreChange =
  | { kind: 'delivery'; tenant: string; messageId: string; deliveryId: string; provider: string; state: DeliveryState; attempts: number; error: DeliveryError | null }
  /** The message's last queued/sending delivery became final in this transaction (once per message). */
  | { kind: 'message_done'; tenant: string; messageId: string; counts: Partial<Record<DeliveryState, number>> }
  /** A device deleted because its vendor called its token dead. Never the token. */
  | { kind: 'device_pruned'; tenant: string; provider: string; deviceId: string; userId: string | null };

/** Outbox rows a change causes; called by the store inside the change's transaction, so it must not do I/O. */
export type OutboxWriter = (change: StoreChange, now: number) => NewOutboxEvent[];

/** One event for one webhook endpoint. `body` is opaque JSON; `id` is the event id receivers de-duplicate on. */
export interface NewOutboxEvent {
  id: string;
  tenant: string;
  url: string;
  event: string;
  body: string;
  /** The sender stops retrying at this time and keeps the row as `failed`. */
  giveUpAt: number;
}

export type OutboxState = 'pending' | 'delivered' | 'failed';
export const OUTBOX_STATES: readonly OutboxState[] = ['pending', 'delivered', 'failed'];

export interface OutboxRow extends NewOutboxEvent {
  state: OutboxState;
  attempts: number;
  /** pending: the next attempt, or the lease end while one is in flight. */
  dueAt: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The sender's verdict on one claimed row; applied only while the row is still leased by `owner`. */
export type OutboxUpdate =
  | { id: string; state: 'delivered' | 'failed'; attempts: number; error: string | null }
  | { id: string; state: 'pending'; attempts: number; dueAt: number; error: string };

export interface OutboxStats {
  tenant: string;
  pending: number;
  oldestCreatedAt: number | null;
}

export interface Store {
  readonly driver: string;
  ping(): Promise<void>;
  close(): Promise<void>;

  upsertDevice(input: UpsertDeviceInput): Promise<{ device: DeviceRow; created: boolean }>;
  /** Devices by token lookup hash (raw-token sends look up thousands at once). */
  findDevicesByHashes(tenant: string, provider: string, tokenHashes: string[]): Promise<DeviceRow[]>;
  getDevices(tenant: string, ids: string[]): Promise<DeviceRow[]>;
  devicesOfUsers(tenant: string, userIds: string[]): Promise<DeviceRow[]>;
  deleteDevice(tenant: string, id: string): Promise<boolean>;
  /** With `outbox`: the deletion is a prune (the vendor called the token dead), and its rows are written in the same transaction. */
  deleteDeviceByHash(tenant: string, provider: string, tokenHash: string, prune?: { now: number; outbox: OutboxWriter }): Promise<boolean>;
  countDevices(): Promise<Array<LaneKey & { count: number }>>;

  /** Canonical-token migration (src/store/token-forms.ts): the form version applied per provider. */
  tokenFormVersions(): Promise<Map<string, number>>;
  setTokenFormVersion(provider: string, version: number, now: number): Promise<void>;
  /** One page of a provider's devices across tenants, in id order. */
  scanDevices(provider: string, afterId: string | null, limit: number): Promise<DeviceRow[]>;
  /**
   * In one transaction, give each device its canonical token (hash and ciphertext, also on its
   * deliveries). A device whose new hash another device of its tenant already has is merged with
   * it (`mergeDevices`): the newest stays, the other's deliveries move to it.
   */
  rewriteDeviceTokens(provider: string, rewrites: TokenRewrite[]): Promise<{ rewritten: number; merged: number }>;
  /**
   * Key rotation: one page of all delivery rows' stored tokens (any state, any tenant), in id order.
   * Read-only: targets still in chunk rows are not among them (scanChunkTokens).
   */
  scanDeliveryTokens(afterId: string | null, limit: number): Promise<StoredDeliveryToken[]>;
  /**
   * Key rotation: up to `limit` chunk rows after `afterChunk` (null: from the first), in chunk-id order,
   * each with its targets' stored tokens decoded. Read-only (`rotate-keys --check`, a read replica).
   */
  scanChunkTokens(afterChunk: string | null, limit: number): Promise<ChunkTokens[]>;
  /**
   * Key rotation: in one transaction, re-read the chunk (locked) and write each target's new ciphertext
   * and hash where the target is still in it and its ciphertext is still `fromEnc`; answers how many.
   * The targets stay in the chunk (no rows are made); a chunk claimed whole meanwhile answers 0.
   */
  rewriteChunkTokens(chunkId: string, rewrites: DeliveryTokenRewrite[]): Promise<number>;
  /** Key rotation: in one transaction, write each delivery's new ciphertext and hash where its ciphertext is still `fromEnc`; answers how many. */
  rewriteDeliveryTokens(rewrites: DeliveryTokenRewrite[]): Promise<number>;

  /** Everything stored about a user: devices and their deliveries. */
  exportUser(tenant: string, userId: string): Promise<{ devices: DeviceRow[]; deliveries: DeliveryRow[] }>;
  /**
   * Remove the user's devices and their pending (queued/sending) deliveries. With `finish`, a
   * message this leaves with nothing pending is passed to its outbox writer (message.completed), in the same transaction.
   */
  eraseUser(tenant: string, userId: string, finish?: { now: number; outbox: OutboxWriter }): Promise<{ devices: number; deliveries: number }>;

  getIdempotency(tenant: string, key: string, notBefore: number): Promise<IdempotencyRecord | null>;
  /**
   * Insert the message, all its deliveries and the idempotency record in ONE transaction.
   * Returns the record already there when another request won the race for the same key.
   * `deliveries` is iterated once, inside the transaction: the caller may build each row as it is
   * read, so a 100,000-target message never holds all its rows in memory at once. It can be read
   * only once: a caller that retries the insert must build the rows again. The rows come in id
   * order, which is also token-hash order in byte comparison (src/core/targets.ts).
   */
  insertMessage(
    message: MessageRow,
    deliveries: Iterable<NewDelivery>,
    idempotency: IdempotencyRecord | null,
  ): Promise<{ inserted: true } | { inserted: false; existing: IdempotencyRecord }>;
  getMessage(tenant: string, id: string): Promise<MessageRow | null>;
  /** Counts per state and per provider for one message. */
  messageCounts(tenant: string, id: string): Promise<Array<{ provider: string; state: DeliveryState; count: number }>>;
  /** One message's deliveries in id order after `after`, optionally filtered. */
  listDeliveries(tenant: string, messageId: string, after: string | null, limit: number, filter?: DeliveryFilter): Promise<DeliveryRow[]>;
  /** A tenant's messages, newest first: (createdAt, id) descending, strictly after `after`. */
  listMessages(tenant: string, filter: MessageFilter, after: TimeKey | null, limit: number): Promise<MessageRow[]>;
  /** Counts per state for each of these messages (one query for a page of messages). */
  messageStateCounts(tenant: string, messageIds: string[]): Promise<Array<{ messageId: string; state: DeliveryState; count: number }>>;
  /** Failed/expired deliveries of a tenant, newest first: (updatedAt, id) descending, strictly after `after`. */
  listDeadLetters(tenant: string, filter: DeadLetterFilter, after: TimeKey | null, limit: number): Promise<DeliveryRow[]>;
  /** Finished deliveries (sent, delivered, failed, expired, canceled) updated at or after `since`, counted by provider × state × error code × vendor code. */
  deliverySummary(tenant: string, since: number): Promise<DeliverySummaryRow[]>;
  /** Per provider of a tenant: deliveries queued and sending, the oldest pending one, and those sent since `sentSince` (GET /v1/lanes). */
  laneActivity(tenant: string, sentSince: number): Promise<LaneActivity[]>;
  /** Deliveries not yet finished (queued or sending) of a tenant: the back-pressure measure. */
  pendingCount(tenant: string): Promise<number>;

  /**
   * When the lane's next delivery falls due (queued: its next attempt; sending: its lease end),
   * ignoring `excludeClasses`; null when the lane has nothing pending.
   */
  nextDueAt(lane: LaneKey, excludeClasses: string[]): Promise<number | null>;
  /** Claim up to `limit` due deliveries of ONE message (the oldest due) in a lane; sets the lease. */
  claimBatch(req: ClaimRequest): Promise<ClaimedBatch | null>;
  /**
   * Apply the dispatcher's decisions; only rows still leased by `owner` are changed. With `outbox`,
   * each changed row and each message this call finished (no queued/sending delivery left) are
   * passed to it, and its rows are written in the same transaction.
   */
  completeDeliveries(owner: string, updates: DeliveryUpdate[], now: number, outbox?: OutboxWriter): Promise<void>;
  /**
   * The hand-off check, right before the adapter is called: marks these deliveries as handed to the
   * vendor and returns the ids still `sending` under `owner`'s lease. A delivery canceled since the
   * claim is not among them and must not be sent; one returned can no longer be canceled.
   */
  startSending(owner: string, ids: string[], now: number): Promise<string[]>;
  /** Give back every lease held by `owner` (graceful shutdown). */
  releaseClaims(owner: string, now: number): Promise<number>;

  setPause(pause: LanePause): Promise<void>;
  activePauses(lane: LaneKey, now: number): Promise<LanePause[]>;
  allActivePauses(now: number): Promise<LanePause[]>;
  laneStats(): Promise<LaneStats[]>;

  /**
   * Cancel a message: its queued deliveries, and those claimed but not yet handed to the vendor (or
   * whose lease ran out), become `canceled`, in one statement. Returns the ones changed.
   */
  cancelDeliveries(tenant: string, messageId: string, now: number, outbox?: OutboxWriter): Promise<Array<LaneKey & { id: string }>>;
  /** Sent or delivered deliveries the vendor took back: they become `canceled` with last error `recalled`. Returns how many. */
  markRecalled(tenant: string, ids: string[], now: number): Promise<number>;
  /** Replay: failed/expired deliveries back to `queued` with 0 attempts, due now, their last error kept. */
  requeueDeliveries(req: RequeueRequest): Promise<RequeueOutcome>;

  /** Mark the delivery a receipt refers to; returns the ids changed. */
  markReceipt(match: ReceiptMatch, state: 'delivered', now: number, outbox?: OutboxWriter): Promise<string[]>;

  /** Lease up to `limit` due pending outbox rows (oldest due first) to `owner` until `leaseUntil`. */
  claimOutbox(owner: string, now: number, leaseUntil: number, limit: number): Promise<OutboxRow[]>;
  /** Apply the sender's verdicts; rows no longer leased by `owner` are left alone. */
  completeOutbox(owner: string, updates: OutboxUpdate[], now: number): Promise<void>;
  /** When the next pending row falls due (its next attempt or lease end); null when none is pending. */
  nextOutboxDueAt(): Promise<number | null>;
  /** A tenant's outbox rows in one state, newest first: (createdAt, id) descending, strictly after `after`. */
  listOutbox(tenant: string, state: OutboxState, after: TimeKey | null, limit: number): Promise<OutboxRow[]>;
  /** Failed rows (all of the tenant's, or these ids) back to pending, due now, attempts 0, until `giveUpAt`; at most `limit`. */
  retryOutbox(tenant: string, ids: string[] | null, now: number, giveUpAt: number, limit: number): Promise<number>;
  /** Pending rows per tenant and the oldest one's creation time. */
  outboxStats(): Promise<OutboxStats[]>;
  /** Give back every outbox lease held by `owner` (graceful shutdown). */
  releaseOutbox(owner: string, now: number): Promise<number>;

  /** Console sessions: store a new one. */
  createConsoleSession(session: ConsoleSessionRow): Promise<void>;
  /** The session with this id hash, unless it expired at `now`. */
  findConsoleSession(idHash: string, now: number): Promise<ConsoleSessionRow | null>;
  /** Push the idle expiry forward (never back). */
  extendConsoleSession(idHash: string, expiresAt: number): Promise<void>;
  /** Logout: returns whether a session was removed. */
  deleteConsoleSession(idHash: string): Promise<boolean>;
  /** Remove sessions expired at `now`; returns how many. */
  deleteExpiredConsoleSessions(now: number): Promise<number>;

  /** Retention: delete devices idle since before `before`; returns how many. */
  deleteIdleDevices(before: number): Promise<number>;
  /** Retention: delete messages (and their deliveries and idempotency records, and finished outbox rows) created before `before`. */
  deleteOldMessages(before: number): Promise<number>;
}
