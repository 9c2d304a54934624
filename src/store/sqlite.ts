/**
 * The embedded default store: one SQLite file in WAL mode (better-sqlite3, synchronous API).
 * Every write that must be atomic runs in one transaction (`inTransaction`, src/store/sqlite.sql.ts).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Row } from './rows.js';
import {
  sqliteActivePauses,
  sqliteAllActivePauses,
  sqliteClaimBatch,
  sqliteCompleteDeliveries,
  sqliteLaneStats,
  sqliteMarkReceipt,
  sqliteNextDueAt,
  sqliteReleaseClaims,
  sqliteSetPause,
  sqliteStartSending,
} from './sqlite.claims.js';
import { sqliteCountDevices, sqliteDeleteDevice, sqliteDeleteDeviceByHash, sqliteDevicesOfUsers, sqliteFindDevicesByHashes, sqliteGetDevices, sqliteUpsertDevice } from './sqlite.devices.js';
import { sqliteDeliverySummary, sqliteLaneActivity, sqliteListDeadLetters, sqliteListDeliveries, sqliteListMessages, sqliteMessageStateCounts, sqlitePendingCount } from './sqlite.listing.js';
import { sqliteGetIdempotency, sqliteGetMessage, sqliteInsertMessage, sqliteMessageCounts, type InsertOutcome } from './sqlite.messages.js';
import { WalCheckpointer } from './sqlite.checkpoint.js';
import { sqliteListWithChunks } from './sqlite.chunks.js';
import { GroupCommit } from './sqlite.group.js';
import { FROM_CLAIM_MIN, HandOffLedger } from './handoffs.js';
import { sqliteDisturbLeases, sqliteLeaseEpoch, sqliteRecordHandOff, sqliteWriteHandOffs } from './sqlite.handoffs.js';
import { inTransaction } from './sqlite.sql.js';
import { SQLITE_MIGRATIONS } from './sqlite.migrations.js';
import { sqliteCancelDeliveries, sqliteMarkRecalled, sqliteRequeueDeliveries } from './sqlite.replay.js';
import {
  sqliteRewriteChunkTokens,
  sqliteRewriteDeliveryTokens,
  sqliteRewriteDeviceTokens,
  sqliteScanChunkTokens,
  sqliteScanDeliveryTokens,
  sqliteScanDevices,
  sqliteSetTokenFormVersion,
  sqliteTokenFormVersions,
} from './sqlite.token-forms.js';
import {
  sqliteClaimOutbox,
  sqliteCompleteOutbox,
  sqliteListOutbox,
  sqliteNextOutboxDueAt,
  sqliteOutboxStats,
  sqliteReleaseOutbox,
  sqliteRetryOutbox,
} from './sqlite.outbox.js';
import { sqliteEraseUser, sqliteExportUser } from './sqlite.users.js';
import { sqliteCreateConsoleSession, sqliteDeleteConsoleSession, sqliteDeleteExpiredConsoleSessions, sqliteExtendConsoleSession, sqliteFindConsoleSession } from './sqlite.sessions.js';
import type {
  ClaimRequest,
  ConsoleSessionRow,
  ClaimedBatch,
  DeadLetterFilter,
  DeliveryFilter,
  DeliveryRow,
  DeliverySummaryRow,
  DeliveryState,
  ChunkTokens,
  DeliveryTokenRewrite,
  DeliveryUpdate,
  DeviceRow,
  IdempotencyRecord,
  LaneActivity,
  LaneKey,
  LanePause,
  LaneStats,
  MessageFilter,
  MessageRow,
  NewDelivery,
  OutboxRow,
  OutboxState,
  OutboxStats,
  OutboxUpdate,
  OutboxWriter,
  ReceiptMatch,
  RequeueOutcome,
  RequeueRequest,
  Store,
  StoredDeliveryToken,
  TimeKey,
  TokenRewrite,
  UpsertDeviceInput,
} from './types.js';

export class SqliteStore implements Store {
  readonly driver = 'sqlite';
  private readonly db: Database.Database;
  /** Prepared statements by SQL text: compiling SQL on every call was a top hotspot (bench). */
  private readonly statements = new Map<string, Database.Statement>();
  /** Accepted messages and lane completions: one transaction per event-loop turn (sqlite.group.ts). */
  private readonly perTurn: GroupCommit;
  /** Claims and hand-offs: one transaction per chain of callbacks, before any I/O (sqlite.group.ts). */
  private readonly perTick: GroupCommit;
  /** This process's claims from chunk rows, which a hand-off may answer from (sqlite.handoffs.ts). */
  private readonly handoffs = new HandOffLedger();
  /** WAL checkpoints on a worker thread, not inside this connection's commits (sqlite.checkpoint.ts); none in memory. */
  private readonly checkpointer: WalCheckpointer | undefined;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    const wal = this.db.pragma('journal_mode = WAL', { simple: true }) === 'wal';
    // NORMAL in WAL mode: a power loss may lose the last commits, a process crash loses nothing.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // A 16 MB page cache (default 2 MB) for the hot ends of the active-row indexes that claims and
    // inserts touch. It is resident for the process's life once the database outgrows it: 64 MB was
    // a fifth of a 1,000,000-delivery backlog's peak RSS for no measured gain in accept or fan-out.
    this.db.pragma('cache_size = -16384');
    this.db.pragma('temp_store = MEMORY');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.checkpointer = wal ? WalCheckpointer.start(this.db, file) : undefined;
    this.perTurn = new GroupCommit(this.db, (flush) => setImmediate(flush));
    this.perTick = new GroupCommit(this.db, (flush) => process.nextTick(flush));
  }

  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    const done = new Set((this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) => Number(r.version)));
    SQLITE_MIGRATIONS.forEach((sql, i) => {
      const version = i + 1;
      if (done.has(version)) return;
      inTransaction(this.db, () => {
        this.db.exec(sql);
        this.db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
      });
    });
  }

  async ping(): Promise<void> {
    this.stmt('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }

  // ---- devices (sqlite.devices.ts) ----

  async upsertDevice(input: UpsertDeviceInput): Promise<{ device: DeviceRow; created: boolean }> {
    return sqliteUpsertDevice(this.db, (sql) => this.stmt(sql), input);
  }

  async findDevicesByHashes(tenant: string, provider: string, tokenHashes: string[]): Promise<DeviceRow[]> {
    return sqliteFindDevicesByHashes((sql) => this.stmt(sql), tenant, provider, tokenHashes);
  }

  async getDevices(tenant: string, ids: string[]): Promise<DeviceRow[]> {
    return sqliteGetDevices((sql) => this.stmt(sql), tenant, ids);
  }

  async devicesOfUsers(tenant: string, userIds: string[]): Promise<DeviceRow[]> {
    return sqliteDevicesOfUsers((sql) => this.stmt(sql), tenant, userIds);
  }

  async deleteDevice(tenant: string, id: string): Promise<boolean> {
    return sqliteDeleteDevice((sql) => this.stmt(sql), tenant, id);
  }

  async deleteDeviceByHash(tenant: string, provider: string, tokenHash: string, prune?: { now: number; outbox: OutboxWriter }): Promise<boolean> {
    return sqliteDeleteDeviceByHash(this.db, (sql) => this.stmt(sql), tenant, provider, tokenHash, prune);
  }

  async countDevices(): Promise<Array<LaneKey & { count: number }>> {
    return sqliteCountDevices((sql) => this.stmt(sql));
  }

  // ---- canonical-token migration (sqlite.token-forms.ts) ----

  async tokenFormVersions(): Promise<Map<string, number>> {
    return sqliteTokenFormVersions(this.db);
  }

  async setTokenFormVersion(provider: string, version: number, now: number): Promise<void> {
    sqliteSetTokenFormVersion(this.db, provider, version, now);
  }

  async scanDevices(provider: string, afterId: string | null, limit: number): Promise<DeviceRow[]> {
    return sqliteScanDevices(this.db, provider, afterId, limit);
  }

  async rewriteDeviceTokens(provider: string, rewrites: TokenRewrite[]): Promise<{ rewritten: number; merged: number }> {
    return sqliteRewriteDeviceTokens(this.db, provider, rewrites);
  }

  // ---- key rotation (store/token-forms.ts, rotateTokenKeys) ----

  async scanDeliveryTokens(afterId: string | null, limit: number): Promise<StoredDeliveryToken[]> {
    return sqliteScanDeliveryTokens(this.db, afterId, limit);
  }

  async rewriteDeliveryTokens(rewrites: DeliveryTokenRewrite[]): Promise<number> {
    return sqliteRewriteDeliveryTokens(this.db, rewrites);
  }

  async scanChunkTokens(afterChunk: string | null, limit: number): Promise<ChunkTokens[]> {
    return sqliteScanChunkTokens(this.db, afterChunk, limit);
  }

  async rewriteChunkTokens(chunkId: string, rewrites: DeliveryTokenRewrite[]): Promise<number> {
    return sqliteRewriteChunkTokens(this.db, chunkId, rewrites);
  }

  // ---- a user's data (sqlite.users.ts) ----

  async exportUser(tenant: string, userId: string): Promise<{ devices: DeviceRow[]; deliveries: DeliveryRow[] }> {
    return sqliteExportUser(this.db, (sql) => this.stmt(sql), tenant, userId);
  }

  async eraseUser(tenant: string, userId: string, finish?: { now: number; outbox: OutboxWriter }): Promise<{ devices: number; deliveries: number }> {
    const stmt = (sql: string) => this.stmt(sql);
    return inTransaction(this.db, () => {
      sqliteDisturbLeases(stmt);
      return sqliteEraseUser(this.db, stmt, tenant, userId, finish);
    });
  }

  // ---- messages (sqlite.messages.ts) ----

  async getIdempotency(tenant: string, key: string, notBefore: number): Promise<IdempotencyRecord | null> {
    return sqliteGetIdempotency((sql) => this.stmt(sql), tenant, key, notBefore);
  }

  insertMessage(message: MessageRow, deliveries: Iterable<NewDelivery>, idempotency: IdempotencyRecord | null): Promise<InsertOutcome> {
    return this.perTurn.add(() => sqliteInsertMessage((sql) => this.stmt(sql), message, deliveries, idempotency));
  }

  async getMessage(tenant: string, id: string): Promise<MessageRow | null> {
    return sqliteGetMessage((sql) => this.stmt(sql), tenant, id);
  }

  async messageCounts(tenant: string, id: string): Promise<Array<{ provider: string; state: DeliveryState; count: number }>> {
    return sqliteMessageCounts((sql) => this.stmt(sql), tenant, id);
  }

  // ---- listings (sqlite.listing.ts) ----

  async listDeliveries(tenant: string, messageId: string, after: string | null, limit: number, filter: DeliveryFilter = {}): Promise<DeliveryRow[]> {
    const stmt = (sql: string) => this.stmt(sql);
    // Targets still in chunks are listed where they are (sqlite.chunks.ts), merged into the rows' page.
    return sqliteListWithChunks(this.db, stmt, tenant, messageId, after, limit, filter, () => sqliteListDeliveries(stmt, tenant, messageId, after, limit, filter));
  }

  async listMessages(tenant: string, filter: MessageFilter, after: TimeKey | null, limit: number): Promise<MessageRow[]> {
    return sqliteListMessages((sql) => this.stmt(sql), tenant, filter, after, limit);
  }

  async messageStateCounts(tenant: string, messageIds: string[]): Promise<Array<{ messageId: string; state: DeliveryState; count: number }>> {
    return sqliteMessageStateCounts((sql) => this.stmt(sql), tenant, messageIds);
  }

  async listDeadLetters(tenant: string, filter: DeadLetterFilter, after: TimeKey | null, limit: number): Promise<DeliveryRow[]> {
    return sqliteListDeadLetters((sql) => this.stmt(sql), tenant, filter, after, limit);
  }

  async deliverySummary(tenant: string, since: number): Promise<DeliverySummaryRow[]> {
    return sqliteDeliverySummary((sql) => this.stmt(sql), tenant, since);
  }

  async laneActivity(tenant: string, sentSince: number): Promise<LaneActivity[]> {
    return sqliteLaneActivity((sql) => this.stmt(sql), tenant, sentSince);
  }

  async pendingCount(tenant: string): Promise<number> {
    return sqlitePendingCount((sql) => this.stmt(sql), tenant);
  }

  // ---- dispatch (sqlite.claims.ts) ----

  async nextDueAt(lane: LaneKey, excludeClasses: string[]): Promise<number | null> {
    return sqliteNextDueAt((sql) => this.stmt(sql), lane, excludeClasses);
  }

  claimBatch(req: ClaimRequest): Promise<ClaimedBatch | null> {
    const stmt = (sql: string) => this.stmt(sql);
    return this.perTick.add(() => {
      const claim = sqliteClaimBatch(this.db, stmt, req);
      if (!claim) return null;
      const { batch } = claim;
      // A claim of rows may take rows whose lease ran out from another claim: hand-offs read the rows again.
      // A claim from chunks is recorded in its own transaction, before anything else can run, unless it is
      // too small to hand off from the claim (sqlite.handoffs.ts).
      if (claim.from === 'rows') sqliteDisturbLeases(stmt);
      else if (batch.deliveries.length >= FROM_CLAIM_MIN) {
        this.handoffs.claimed(req.owner, batch.message.id, batch.deliveries.map((d) => d.id), req.leaseUntil, sqliteLeaseEpoch(stmt), req.now);
      }
      return batch;
    });
  }

  completeDeliveries(owner: string, updates: DeliveryUpdate[], now: number, outbox?: OutboxWriter): Promise<void> {
    this.handoffs.completed(updates.map((u) => u.id));
    return this.perTurn.add(() => sqliteCompleteDeliveries(this.db, (sql) => this.stmt(sql), owner, updates, now, outbox));
  }

  startSending(owner: string, ids: string[], now: number): Promise<string[]> {
    const stmt = (sql: string) => this.stmt(sql);
    return this.perTick.add(() => {
      // From the claim when nothing can have taken its rows since (sqlite.handoffs.ts), else by reading them.
      const fromClaim = this.handoffs.mayHandOff(owner, ids, now) ? this.handoffs.handOff(owner, ids, now, sqliteLeaseEpoch(stmt)) : null;
      if (!fromClaim) return sqliteStartSending(stmt, owner, ids, now);
      sqliteRecordHandOff(stmt, owner, fromClaim, now);
      return fromClaim.ids;
    });
  }

  async releaseClaims(owner: string, now: number): Promise<number> {
    const stmt = (sql: string) => this.stmt(sql);
    return inTransaction(this.db, () => {
      sqliteDisturbLeases(stmt);
      return sqliteReleaseClaims(stmt, owner, now);
    });
  }

  async setPause(p: LanePause): Promise<void> {
    sqliteSetPause((sql) => this.stmt(sql), p);
  }

  async activePauses(lane: LaneKey, now: number): Promise<LanePause[]> {
    return sqliteActivePauses((sql) => this.stmt(sql), lane, now);
  }

  async allActivePauses(now: number): Promise<LanePause[]> {
    return sqliteAllActivePauses((sql) => this.stmt(sql), now);
  }

  async laneStats(): Promise<LaneStats[]> {
    return sqliteLaneStats((sql) => this.stmt(sql));
  }

  // ---- cancel and replay (sqlite.replay.ts) ----

  async cancelDeliveries(tenant: string, messageId: string, now: number, outbox?: OutboxWriter): Promise<Array<LaneKey & { id: string }>> {
    const stmt = (sql: string) => this.stmt(sql);
    return inTransaction(this.db, () => {
      // Hand-offs answered from their claim are marked on the rows first, so the cancel leaves those
      // deliveries to finish; claims not handed off yet read their rows from now on (sqlite.handoffs.ts).
      sqliteWriteHandOffs(stmt, messageId);
      sqliteDisturbLeases(stmt);
      return sqliteCancelDeliveries(this.db, stmt, tenant, messageId, now, outbox);
    });
  }

  async markRecalled(tenant: string, ids: string[], now: number): Promise<number> {
    return sqliteMarkRecalled((sql) => this.stmt(sql), tenant, ids, now);
  }

  async requeueDeliveries(req: RequeueRequest): Promise<RequeueOutcome> {
    return sqliteRequeueDeliveries(this.db, (sql) => this.stmt(sql), req);
  }

  // ---- receipts (sqlite.claims.ts) ----

  async markReceipt(match: ReceiptMatch, state: 'delivered', now: number, outbox?: OutboxWriter): Promise<string[]> {
    return sqliteMarkReceipt(this.db, (sql) => this.stmt(sql), match, state, now, outbox);
  }

  // ---- webhook outbox (sqlite.outbox.ts) ----

  async claimOutbox(owner: string, now: number, leaseUntil: number, limit: number): Promise<OutboxRow[]> {
    return sqliteClaimOutbox(this.db, (sql) => this.stmt(sql), owner, now, leaseUntil, limit);
  }

  async completeOutbox(owner: string, updates: OutboxUpdate[], now: number): Promise<void> {
    sqliteCompleteOutbox(this.db, (sql) => this.stmt(sql), owner, updates, now);
  }

  async nextOutboxDueAt(): Promise<number | null> {
    return sqliteNextOutboxDueAt((sql) => this.stmt(sql));
  }

  async listOutbox(tenant: string, state: OutboxState, after: TimeKey | null, limit: number): Promise<OutboxRow[]> {
    return sqliteListOutbox((sql) => this.stmt(sql), tenant, state, after, limit);
  }

  async retryOutbox(tenant: string, ids: string[] | null, now: number, giveUpAt: number, limit: number): Promise<number> {
    return sqliteRetryOutbox((sql) => this.stmt(sql), tenant, ids, now, giveUpAt, limit);
  }

  async outboxStats(): Promise<OutboxStats[]> {
    return sqliteOutboxStats((sql) => this.stmt(sql));
  }

  async releaseOutbox(owner: string, now: number): Promise<number> {
    return sqliteReleaseOutbox((sql) => this.stmt(sql), owner, now);
  }

  // ---- console sessions (sqlite.sessions.ts) ----

  async createConsoleSession(session: ConsoleSessionRow): Promise<void> {
    sqliteCreateConsoleSession((sql) => this.stmt(sql), session);
  }

  async findConsoleSession(idHash: string, now: number): Promise<ConsoleSessionRow | null> {
    return sqliteFindConsoleSession((sql) => this.stmt(sql), idHash, now);
  }

  async extendConsoleSession(idHash: string, expiresAt: number): Promise<void> {
    sqliteExtendConsoleSession((sql) => this.stmt(sql), idHash, expiresAt);
  }

  async deleteConsoleSession(idHash: string): Promise<boolean> {
    return sqliteDeleteConsoleSession((sql) => this.stmt(sql), idHash);
  }

  async deleteExpiredConsoleSessions(now: number): Promise<number> {
    return sqliteDeleteExpiredConsoleSessions((sql) => this.stmt(sql), now);
  }

  // ---- retention ----

  async deleteIdleDevices(before: number): Promise<number> {
    return this.stmt('DELETE FROM devices WHERE last_seen_at < ?').run(before).changes;
  }

  async deleteOldMessages(before: number): Promise<number> {
    return inTransaction(this.db, () => {
      sqliteDisturbLeases((sql) => this.stmt(sql));
      this.stmt('DELETE FROM deliveries WHERE message_id IN (SELECT id FROM messages WHERE created_at < ?)').run(before);
      // By the chunk's own creation time (its message's): this also removes chunks whose message is gone.
      this.stmt('DELETE FROM delivery_chunks WHERE created_at < ?').run(before);
      this.stmt('DELETE FROM idempotency WHERE created_at < ?').run(before);
      this.stmt(`DELETE FROM webhook_outbox WHERE created_at < ? AND state <> 'pending'`).run(before);
      return this.stmt('DELETE FROM messages WHERE created_at < ?').run(before).changes;
    });
  }
}
