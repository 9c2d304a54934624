/**
 * The embedded default store: one SQLite file in WAL mode (better-sqlite3, synchronous API).
 * Every write that must be atomic runs in one `db.transaction`.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { json, RECALLED, toDelivery, toDevice, toIdem, toMessage, toPause, type Row } from './rows.js';
import { SQLITE_MIGRATIONS } from './sqlite.migrations.js';
import {
  sqliteRewriteDeliveryTokens,
  sqliteRewriteDeviceTokens,
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
  sqliteOutboxForDeliveries,
  sqliteOutboxStats,
  sqliteReleaseOutbox,
  sqliteRetryOutbox,
  sqliteWriteOutbox,
} from './sqlite.outbox.js';
import type {
  ClaimRequest,
  ClaimedBatch,
  DeadLetterFilter,
  DeliveryFilter,
  DeliveryRow,
  DeliverySummaryRow,
  DeliveryState,
  DeliveryTokenRewrite,
  DeliveryUpdate,
  DeviceRow,
  IdempotencyRecord,
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

type InsertOutcome = { inserted: true } | { inserted: false; existing: IdempotencyRecord };
const ACTIVE = `state IN ('queued','sending')`;

export class SqliteStore implements Store {
  readonly driver = 'sqlite';
  private readonly db: Database.Database;
  /** Prepared statements by SQL text: compiling SQL on every call was a top hotspot (bench). */
  private readonly statements = new Map<string, Database.Statement>();
  private readonly pendingInserts: Array<{ run: () => InsertOutcome; resolve(o: InsertOutcome): void; reject(err: unknown): void }> = [];

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a power loss may lose the last commits, a process crash loses nothing.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // A 64 MB page cache (default 2 MB): a large backlog's indexes stay in memory while lanes churn them.
    this.db.pragma('cache_size = -65536');
    this.db.pragma('temp_store = MEMORY');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
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
      this.db.transaction(() => {
        this.db.exec(sql);
        this.db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
      }).immediate();
    });
  }

  async ping(): Promise<void> {
    this.stmt('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // ---- devices ----

  async upsertDevice(input: UpsertDeviceInput): Promise<{ device: DeviceRow; created: boolean }> {
    return this.db.transaction(() => {
      const existing = this.stmt('SELECT * FROM devices WHERE tenant = ? AND provider = ? AND token_hash = ?')
        .get(input.tenant, input.provider, input.tokenHash) as Row | undefined;
      if (existing) {
        this.stmt('UPDATE devices SET last_seen_at = ?, user_id = ?, extras = ?, token_enc = ? WHERE id = ?')
          .run(input.now, input.userId, json(input.extras), input.tokenEnc, existing.id);
        return { device: toDevice({ ...existing, last_seen_at: input.now, user_id: input.userId, extras: json(input.extras), token_enc: input.tokenEnc }), created: false };
      }
      this.stmt(
          'INSERT INTO devices (id, tenant, provider, token_enc, token_hash, user_id, extras, created_at, last_seen_at) VALUES (?,?,?,?,?,?,?,?,?)',
        )
        .run(input.id, input.tenant, input.provider, input.tokenEnc, input.tokenHash, input.userId, json(input.extras), input.now, input.now);
      const row = this.stmt('SELECT * FROM devices WHERE id = ?').get(input.id) as Row;
      return { device: toDevice(row), created: true };
    }).immediate();
  }

  async findDevicesByHashes(tenant: string, provider: string, tokenHashes: string[]): Promise<DeviceRow[]> {
    return this.inChunks(tokenHashes, (chunk) =>
      this.stmt(`SELECT * FROM devices WHERE tenant = ? AND provider = ? AND token_hash IN (${marks(chunk)})`).all(tenant, provider, ...chunk) as Row[],
    ).map(toDevice);
  }

  async getDevices(tenant: string, ids: string[]): Promise<DeviceRow[]> {
    return this.inChunks(ids, (chunk) =>
      this.stmt(`SELECT * FROM devices WHERE tenant = ? AND id IN (${marks(chunk)})`).all(tenant, ...chunk) as Row[],
    ).map(toDevice);
  }

  async devicesOfUsers(tenant: string, userIds: string[]): Promise<DeviceRow[]> {
    return this.inChunks(userIds, (chunk) =>
      this.stmt(`SELECT * FROM devices WHERE tenant = ? AND user_id IN (${marks(chunk)}) ORDER BY created_at, id`).all(tenant, ...chunk) as Row[],
    ).map(toDevice);
  }

  async deleteDevice(tenant: string, id: string): Promise<boolean> {
    return this.stmt('DELETE FROM devices WHERE tenant = ? AND id = ?').run(tenant, id).changes > 0;
  }

  async deleteDeviceByHash(tenant: string, provider: string, tokenHash: string, prune?: { now: number; outbox: OutboxWriter }): Promise<boolean> {
    if (!prune) return this.stmt('DELETE FROM devices WHERE tenant = ? AND provider = ? AND token_hash = ?').run(tenant, provider, tokenHash).changes > 0;
    return this.db.transaction(() => {
      const gone = this.stmt('DELETE FROM devices WHERE tenant = ? AND provider = ? AND token_hash = ? RETURNING id, user_id').all(tenant, provider, tokenHash) as Row[];
      const { now, outbox } = prune;
      for (const d of gone) {
        const change = { kind: 'device_pruned', tenant, provider, deviceId: String(d.id), userId: d.user_id === null ? null : String(d.user_id) } as const;
        sqliteWriteOutbox((sql) => this.stmt(sql), outbox(change, now), now);
      }
      return gone.length > 0;
    }).immediate();
  }

  async countDevices(): Promise<Array<LaneKey & { count: number }>> {
    return (this.stmt('SELECT tenant, provider, COUNT(*) AS n FROM devices GROUP BY tenant, provider').all() as Row[]).map((r) => ({
      tenant: String(r.tenant),
      provider: String(r.provider),
      count: Number(r.n),
    }));
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

  async exportUser(tenant: string, userId: string): Promise<{ devices: DeviceRow[]; deliveries: DeliveryRow[] }> {
    const devices = (this.stmt('SELECT * FROM devices WHERE tenant = ? AND user_id = ? ORDER BY created_at').all(tenant, userId) as Row[]).map(toDevice);
    const deliveries = (
      this.stmt('SELECT d.* FROM deliveries d JOIN devices v ON v.id = d.device_id WHERE v.tenant = ? AND v.user_id = ? ORDER BY d.created_at')
        .all(tenant, userId) as Row[]
    ).map(toDelivery);
    return { devices, deliveries };
  }

  async eraseUser(tenant: string, userId: string, finish?: { now: number; outbox: OutboxWriter }): Promise<{ devices: number; deliveries: number }> {
    return this.db.transaction(() => {
      const gone = this.stmt(`DELETE FROM deliveries WHERE ${ACTIVE} AND device_id IN (SELECT id FROM devices WHERE tenant = ? AND user_id = ?) RETURNING tenant, message_id`)
        .all(tenant, userId) as Row[];
      const deliveries = gone.length;
      // Removed, not finished: no delivery event, but their messages may now be complete.
      if (finish) sqliteOutboxForDeliveries((sql) => this.stmt(sql), gone.map((r) => ({ ...r, state: 'queued' })), finish.outbox, finish.now);
      // Finished deliveries keep their counts but lose the link and the token: nothing about the user remains.
      this.stmt(`UPDATE deliveries SET device_id = NULL, token_enc = '', token_hash = '' WHERE device_id IN (SELECT id FROM devices WHERE tenant = ? AND user_id = ?)`)
        .run(tenant, userId);
      const devices = this.stmt('DELETE FROM devices WHERE tenant = ? AND user_id = ?').run(tenant, userId).changes;
      return { devices, deliveries };
    }).immediate();
  }

  // ---- messages ----

  async getIdempotency(tenant: string, key: string, notBefore: number): Promise<IdempotencyRecord | null> {
    const row = this.stmt('SELECT * FROM idempotency WHERE tenant = ? AND key = ? AND created_at >= ?')
      .get(tenant, key, notBefore) as Row | undefined;
    return row ? toIdem(row) : null;
  }

  /**
   * Group commit: inserts that arrive in the same event-loop turn share one transaction (one WAL
   * write), each inside its own savepoint so one failure never takes the others with it. Every
   * caller is still answered only after the commit that holds its rows.
   */
  insertMessage(message: MessageRow, deliveries: NewDelivery[], idempotency: IdempotencyRecord | null): Promise<InsertOutcome> {
    return new Promise((resolve, reject) => {
      this.pendingInserts.push({ run: () => this.insertOne(message, deliveries, idempotency), resolve, reject });
      if (this.pendingInserts.length === 1) setImmediate(() => this.flushInserts());
    });
  }

  private flushInserts(): void {
    const batch = this.pendingInserts.splice(0);
    const outcomes: Array<{ ok: InsertOutcome } | { err: unknown }> = [];
    try {
      this.db.transaction(() => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: this.db.transaction(item.run)() }); // nested: a savepoint
          } catch (err) {
            outcomes.push({ err });
          }
        }
      }).immediate();
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i];
      if (o && 'ok' in o) item.resolve(o.ok);
      else item.reject(o?.err);
    });
  }

  private insertOne(message: MessageRow, deliveries: NewDelivery[], idempotency: IdempotencyRecord | null): InsertOutcome {
    if (idempotency) {
      const existing = this.stmt('SELECT * FROM idempotency WHERE tenant = ? AND key = ?').get(message.tenant, idempotency.key) as Row | undefined;
      if (existing && Number(existing.created_at) >= idempotency.createdAt - 86_400_000) return { inserted: false, existing: toIdem(existing) };
      this.stmt('INSERT OR REPLACE INTO idempotency (tenant, key, body_hash, status, response, created_at) VALUES (?,?,?,?,?,?)')
        .run(message.tenant, idempotency.key, idempotency.bodyHash, idempotency.status, idempotency.response, idempotency.createdAt);
    }
    this.stmt('INSERT INTO messages (id, tenant, idempotency_key, payload, created_at, expires_at, category) VALUES (?,?,?,?,?,?,?)')
      .run(message.id, message.tenant, message.idempotencyKey, message.payload, message.createdAt, message.expiresAt, message.category ?? null);
    const insertDelivery = this.stmt(
      `INSERT INTO deliveries (id, tenant, message_id, provider, device_id, token_enc, token_hash, extras, quota_class, registered,
         state, attempts, due_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,'queued',0,?,?,?)`,
    );
    for (const d of deliveries) {
      insertDelivery.run(d.id, message.tenant, message.id, d.provider, d.deviceId, d.tokenEnc, d.tokenHash, json(d.extras), d.quotaClass, d.registered ? 1 : 0, message.createdAt, message.createdAt, message.createdAt);
    }
    return { inserted: true };
  }

  async getMessage(tenant: string, id: string): Promise<MessageRow | null> {
    const row = this.stmt('SELECT * FROM messages WHERE tenant = ? AND id = ?').get(tenant, id) as Row | undefined;
    return row ? toMessage(row) : null;
  }

  async messageCounts(tenant: string, id: string): Promise<Array<{ provider: string; state: DeliveryState; count: number }>> {
    return (
      this.stmt('SELECT provider, state, COUNT(*) AS n FROM deliveries WHERE tenant = ? AND message_id = ? GROUP BY provider, state').all(tenant, id) as Row[]
    ).map((r) => ({ provider: String(r.provider), state: r.state as DeliveryState, count: Number(r.n) }));
  }

  async listDeliveries(tenant: string, messageId: string, after: string | null, limit: number, filter: DeliveryFilter = {}): Promise<DeliveryRow[]> {
    const f = deliveryWhere(filter);
    return (
      this.stmt(`SELECT * FROM deliveries WHERE tenant = ? AND message_id = ? AND id > ?${f.sql} ORDER BY id LIMIT ?`)
        .all(tenant, messageId, after ?? '', ...f.args, limit) as Row[]
    ).map(toDelivery);
  }

  async listMessages(tenant: string, filter: MessageFilter, after: TimeKey | null, limit: number): Promise<MessageRow[]> {
    const w = terms('tenant = ?', tenant);
    if (after) w.add('(created_at, id) < (?, ?)', after.at, after.id);
    if (filter.createdFrom !== undefined) w.add('created_at >= ?', filter.createdFrom);
    if (filter.createdTo !== undefined) w.add('created_at < ?', filter.createdTo);
    if (filter.category !== undefined) w.add('category = ?', filter.category);
    if (filter.status) w.add(`${filter.status === 'done' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = messages.id AND d.${ACTIVE})`);
    return (
      this.stmt(`SELECT * FROM messages WHERE ${w.sql()} ORDER BY created_at DESC, id DESC LIMIT ?`).all(...w.args, limit) as Row[]
    ).map(toMessage);
  }

  async messageStateCounts(tenant: string, messageIds: string[]): Promise<Array<{ messageId: string; state: DeliveryState; count: number }>> {
    return this.inChunks(messageIds, (chunk) =>
      this.stmt(`SELECT message_id, state, COUNT(*) AS n FROM deliveries WHERE tenant = ? AND message_id IN (${marks(chunk)}) GROUP BY message_id, state`).all(tenant, ...chunk) as Row[],
    ).map((r) => ({ messageId: String(r.message_id), state: r.state as DeliveryState, count: Number(r.n) }));
  }

  async listDeadLetters(tenant: string, filter: DeadLetterFilter, after: TimeKey | null, limit: number): Promise<DeliveryRow[]> {
    if (!filter.states.length) return [];
    // The states are written out (not bound) so the planner sees that the partial index deliveries_dead applies.
    const w = terms('tenant = ?', tenant);
    w.add(`state IN (${filter.states.map((x) => (x === 'failed' ? `'failed'` : `'expired'`)).join(',')})`);
    if (after) w.add('(updated_at, id) < (?, ?)', after.at, after.id);
    if (filter.since !== undefined) w.add('updated_at >= ?', filter.since);
    const f = deliveryWhere({ ...filter, states: undefined });
    return (
      this.stmt(`SELECT * FROM deliveries WHERE ${w.sql()}${f.sql} ORDER BY updated_at DESC, id DESC LIMIT ?`).all(...w.args, ...f.args, limit) as Row[]
    ).map(toDelivery);
  }

  async deliverySummary(tenant: string, since: number): Promise<DeliverySummaryRow[]> {
    return (
      this.stmt(
        `SELECT provider, state, json_extract(last_error, '$.code') AS code, COUNT(*) AS n FROM deliveries
         WHERE tenant = ? AND state IN ('sent','delivered','failed','expired','canceled') AND updated_at >= ?
         GROUP BY provider, state, code ORDER BY provider, state, code`,
      ).all(tenant, since) as Row[]
    ).map((r) => ({ provider: String(r.provider), state: r.state as DeliveryState, errorCode: r.code === null || r.code === undefined ? null : String(r.code), count: Number(r.n) }));
  }

  async pendingCount(tenant: string): Promise<number> {
    const row = this.stmt(`SELECT COUNT(*) AS n FROM deliveries WHERE tenant = ? AND ${ACTIVE}`).get(tenant) as Row;
    return Number(row.n);
  }

  // ---- dispatch ----

  async nextDueAt(lane: LaneKey, excludeClasses: string[]): Promise<number | null> {
    const row = this.stmt(`SELECT MIN(due_at) AS due FROM deliveries WHERE tenant = ? AND provider = ? AND ${ACTIVE}${notIn(excludeClasses)}`)
      .get(lane.tenant, lane.provider, ...excludeClasses) as Row;
    return row.due === null || row.due === undefined ? null : Number(row.due);
  }

  async claimBatch(req: ClaimRequest): Promise<ClaimedBatch | null> {
    const ex = notIn(req.excludeClasses);
    return this.db.transaction(() => {
      const first = this.stmt(`SELECT message_id FROM deliveries WHERE tenant = ? AND provider = ? AND ${ACTIVE} AND due_at <= ?${ex} ORDER BY due_at LIMIT 1`)
        .get(req.tenant, req.provider, req.now, ...req.excludeClasses) as Row | undefined;
      if (!first) return null;
      const messageId = String(first.message_id);
      // One statement leases the whole batch (UPDATE … RETURNING): per-row round trips were the claim's cost.
      const rows = this.stmt(
        `UPDATE deliveries SET state = 'sending', lease_owner = ?, due_at = ?, updated_at = ?, handed_at = NULL
         WHERE id IN (SELECT id FROM deliveries WHERE message_id = ? AND provider = ? AND ${ACTIVE} AND due_at <= ?${ex} ORDER BY due_at, id LIMIT ?)
         RETURNING *`,
      ).all(req.owner, req.leaseUntil, req.now, messageId, req.provider, req.now, ...req.excludeClasses, req.limit) as Row[];
      rows.sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
      const message = this.stmt('SELECT * FROM messages WHERE id = ?').get(messageId) as Row;
      return {
        message: toMessage(message),
        deliveries: rows.map(toDelivery),
      };
    }).immediate();
  }

  async completeDeliveries(owner: string, updates: DeliveryUpdate[], now: number, outbox?: OutboxWriter): Promise<void> {
    // Updates with the same values (a batch that all went `sent` with one vendor id) are applied by
    // one statement over a JSON list of ids, not one statement per row.
    const groups = new Map<string, { values: unknown[]; ids: string[] }>();
    for (const u of updates) {
      const values =
        u.state === 'queued'
          ? ['queued', u.attempts, null, json(u.error), u.nextAttemptAt]
          : u.state === 'sent'
            ? ['sent', u.attempts, u.vendorMessageId, null, null]
            : [u.state, u.attempts, null, json(u.error), null];
      const key = JSON.stringify(values);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { values, ids: [] }));
      g.ids.push(u.id);
    }
    const apply = this.stmt(
      `UPDATE deliveries SET state = ?, attempts = ?, vendor_message_id = ?, last_error = ?, due_at = ?, lease_owner = NULL, updated_at = ?
       WHERE id IN (SELECT value FROM json_each(?)) AND lease_owner = ? AND state = 'sending'`,
    );
    if (!outbox) {
      this.db.transaction(() => {
        for (const g of groups.values()) apply.run(...g.values, now, JSON.stringify(g.ids), owner);
      }).immediate();
      return;
    }
    const applyReturning = this.stmt(
      `UPDATE deliveries SET state = ?, attempts = ?, vendor_message_id = ?, last_error = ?, due_at = ?, lease_owner = NULL, updated_at = ?
       WHERE id IN (SELECT value FROM json_each(?)) AND lease_owner = ? AND state = 'sending'
       RETURNING id, tenant, message_id, provider, state, attempts, last_error`,
    );
    this.db.transaction(() => {
      const changed: Row[] = [];
      for (const g of groups.values()) changed.push(...(applyReturning.all(...g.values, now, JSON.stringify(g.ids), owner) as Row[]));
      sqliteOutboxForDeliveries((sql) => this.stmt(sql), changed, outbox, now);
    }).immediate();
  }

  async startSending(owner: string, ids: string[], now: number): Promise<string[]> {
    if (!ids.length) return [];
    return (
      this.stmt(`UPDATE deliveries SET handed_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND lease_owner = ? AND state = 'sending' RETURNING id`)
        .all(now, JSON.stringify(ids), owner) as Row[]
    ).map((r) => String(r.id));
  }

  async releaseClaims(owner: string, now: number): Promise<number> {
    return this.stmt(`UPDATE deliveries SET state = 'queued', lease_owner = NULL, due_at = ?, updated_at = ? WHERE lease_owner = ? AND state = 'sending'`)
      .run(now, now, owner).changes;
  }

  async setPause(p: LanePause): Promise<void> {
    this.stmt(
        `INSERT INTO lane_pauses (tenant, provider, quota_class, until, reason) VALUES (?,?,?,?,?)
         ON CONFLICT (tenant, provider, quota_class) DO UPDATE SET until = excluded.until, reason = excluded.reason`,
      )
      .run(p.tenant, p.provider, p.quotaClass, p.until, p.reason);
  }

  async activePauses(lane: LaneKey, now: number): Promise<LanePause[]> {
    return (
      this.stmt('SELECT * FROM lane_pauses WHERE tenant = ? AND provider = ? AND until > ?').all(lane.tenant, lane.provider, now) as Row[]
    ).map(toPause);
  }

  async allActivePauses(now: number): Promise<LanePause[]> {
    return (this.stmt('SELECT * FROM lane_pauses WHERE until > ?').all(now) as Row[]).map(toPause);
  }

  async laneStats(): Promise<LaneStats[]> {
    return (
      this.stmt(`SELECT tenant, provider, COUNT(*) AS n, MIN(created_at) AS oldest FROM deliveries WHERE ${ACTIVE} GROUP BY tenant, provider`).all() as Row[]
    ).map((r) => ({ tenant: String(r.tenant), provider: String(r.provider), depth: Number(r.n), oldestCreatedAt: r.oldest === null ? null : Number(r.oldest) }));
  }

  // ---- cancel and replay ----

  async cancelDeliveries(tenant: string, messageId: string, now: number, outbox?: OutboxWriter): Promise<Array<LaneKey & { id: string }>> {
    // One writer at a time: a claim or a hand-off (startSending) is either before this, or sees `canceled`.
    // With `outbox`, a cancel that leaves nothing queued or sending completes the message (message.completed).
    const rows = this.db.transaction(() => {
      const changed = this.stmt(
        `UPDATE deliveries SET state = 'canceled', lease_owner = NULL, due_at = NULL, updated_at = ?
         WHERE tenant = ? AND message_id = ? AND (state = 'queued' OR (state = 'sending' AND (handed_at IS NULL OR due_at <= ?)))
         RETURNING id, tenant, message_id, provider, state, attempts, last_error`,
      ).all(now, tenant, messageId, now) as Row[];
      if (outbox && changed.length) sqliteOutboxForDeliveries((sql) => this.stmt(sql), changed, outbox, now);
      return changed;
    }).immediate();
    return rows.map((r) => ({ id: String(r.id), tenant: String(r.tenant), provider: String(r.provider) }));
  }

  async markRecalled(tenant: string, ids: string[], now: number): Promise<number> {
    if (!ids.length) return 0;
    return this.stmt(
      `UPDATE deliveries SET state = 'canceled', last_error = ?, updated_at = ? WHERE tenant = ? AND id IN (SELECT value FROM json_each(?)) AND state IN ('sent','delivered')`,
    ).run(json(RECALLED), now, tenant, JSON.stringify(ids)).changes;
  }

  async requeueDeliveries(req: RequeueRequest): Promise<RequeueOutcome> {
    return this.db.transaction((): RequeueOutcome => {
      const idem = req.idempotency;
      if (idem) {
        const existing = this.stmt('SELECT * FROM idempotency WHERE tenant = ? AND key = ?').get(req.tenant, idem.key) as Row | undefined;
        if (existing && Number(existing.created_at) >= idem.createdAt - 86_400_000) return { inserted: false, existing: toIdem(existing) };
      }
      const setExpiry = this.stmt('UPDATE messages SET expires_at = ? WHERE tenant = ? AND id = ?');
      for (const e of req.expiries) setExpiry.run(e.expiresAt, req.tenant, e.messageId);
      const requeue = this.stmt(
        `UPDATE deliveries SET state = 'queued', attempts = 0, due_at = ?, lease_owner = NULL, handed_at = NULL, updated_at = ?
         WHERE tenant = ? AND id IN (SELECT value FROM json_each(?)) AND state IN ('failed','expired')
         RETURNING id, tenant, provider, message_id`,
      );
      const requeued: Array<LaneKey & { id: string }> = [];
      const messages = new Set<string>();
      for (let i = 0; i < req.ids.length; i += 10_000) {
        const rows = requeue.all(req.now, req.now, req.tenant, JSON.stringify(req.ids.slice(i, i + 10_000))) as Row[];
        for (const r of rows) {
          requeued.push({ id: String(r.id), tenant: String(r.tenant), provider: String(r.provider) });
          messages.add(String(r.message_id));
        }
      }
      // A replayed message completes again: message.completed is written when these end too.
      const rearm = this.stmt('UPDATE messages SET completed_at = NULL WHERE tenant = ? AND id = ?');
      for (const m of messages) rearm.run(req.tenant, m);
      let response: string | null = null;
      if (idem) {
        response = idem.answer(requeued);
        this.stmt('INSERT OR REPLACE INTO idempotency (tenant, key, body_hash, status, response, created_at) VALUES (?,?,?,?,?,?)')
          .run(req.tenant, idem.key, idem.bodyHash, idem.status, response, idem.createdAt);
      }
      return { inserted: true, requeued, response };
    }).immediate();
  }

  async markReceipt(match: ReceiptMatch, state: 'delivered', now: number, outbox?: OutboxWriter): Promise<string[]> {
    const where: string[] = ['tenant = ?', 'provider = ?'];
    const args: unknown[] = [match.tenant, match.provider];
    const add = (sql: string, v: string | undefined) => {
      if (v) {
        where.push(sql);
        args.push(v);
      }
    };
    add('token_hash = ?', match.tokenHash);
    add('message_id = ?', match.messageId);
    add('vendor_message_id = ?', match.vendorMessageId);
    if (args.length === 2) return [];
    return this.db.transaction(() => {
      // 'sent' rows through the partial index deliveries_token_sent; 'sending' covers a receipt that
      // beat our own commit (rare, and then found through the message's active rows).
      const sent = this.stmt(`SELECT id FROM deliveries WHERE ${where.join(' AND ')} AND state = 'sent' LIMIT 1000`).all(...args) as Row[];
      const sending = match.messageId ? (this.stmt(`SELECT id FROM deliveries WHERE ${where.join(' AND ')} AND state = 'sending' LIMIT 1000`).all(...args) as Row[]) : [];
      const ids = [...sent, ...sending].map((r) => String(r.id));
      const upd = this.stmt(`UPDATE deliveries SET state = ?, updated_at = ? WHERE id = ? RETURNING id, tenant, message_id, provider, state, attempts, last_error`);
      const changed = ids.flatMap((id) => upd.all(state, now, id) as Row[]);
      if (outbox) sqliteOutboxForDeliveries((sql) => this.stmt(sql), changed, outbox, now);
      return ids;
    }).immediate();
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

  // ---- retention ----

  async deleteIdleDevices(before: number): Promise<number> {
    return this.stmt('DELETE FROM devices WHERE last_seen_at < ?').run(before).changes;
  }

  async deleteOldMessages(before: number): Promise<number> {
    return this.db.transaction(() => {
      this.stmt('DELETE FROM deliveries WHERE message_id IN (SELECT id FROM messages WHERE created_at < ?)').run(before);
      this.stmt('DELETE FROM idempotency WHERE created_at < ?').run(before);
      this.stmt(`DELETE FROM webhook_outbox WHERE created_at < ? AND state <> 'pending'`).run(before);
      return this.stmt('DELETE FROM messages WHERE created_at < ?').run(before).changes;
    }).immediate();
  }

  /** SQLite caps bound parameters; split long id lists. */
  private inChunks(values: string[], query: (chunk: string[]) => Row[]): Row[] {
    const out: Row[] = [];
    for (let i = 0; i < values.length; i += 500) out.push(...query(values.slice(i, i + 500)));
    return out;
  }
}

/** The optional delivery filters as extra AND terms (state list, provider, `lastError.code`). */
function deliveryWhere(filter: DeliveryFilter): { sql: string; args: unknown[] } {
  const w = terms();
  if (filter.states?.length) w.add(`state IN (${marks(filter.states)})`, ...filter.states);
  if (filter.provider !== undefined) w.add('provider = ?', filter.provider);
  if (filter.errorCode !== undefined) w.add(`json_extract(last_error, '$.code') = ?`, filter.errorCode);
  return { sql: w.args.length ? ` AND ${w.sql()}` : '', args: w.args };
}

/** WHERE terms joined by AND, with their bound values in order. */
function terms(first?: string, ...values: unknown[]) {
  const parts: string[] = first === undefined ? [] : [first];
  const args: unknown[] = [...values];
  return {
    args,
    add(sql: string, ...v: unknown[]) {
      parts.push(sql);
      args.push(...v);
    },
    sql: () => parts.join(' AND '),
  };
}

const marks = (xs: unknown[]) => xs.map(() => '?').join(',');
const notIn = (classes: string[]) => (classes.length ? ` AND quota_class NOT IN (${marks(classes)})` : '');
