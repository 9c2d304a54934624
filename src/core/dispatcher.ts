/**
 * The dispatcher: claims one batch for a lane, hands it to the vendor adapter, and acts on the
 * normalized outcome of every target — in this one place for all vendors (README.md "What it does", Outcomes).
 */
import type { Logger } from 'pino';
import { DEFAULT_QUOTA_TIME_ZONE, hourIn, nextLocalHour, nextMidnight } from './time.js';
import type { DeliveryTarget, SendBatch, SendResult } from '../../providers/types.js';
import type { Metrics } from '../metrics/metrics.js';
import type { TokenCipher } from '../privacy/token-cipher.js';
import type { RunResult } from '../queue/types.js';
import type { ClaimedBatch, DeliveryRow, DeliveryUpdate, LaneKey, MessageRow, OutboxWriter, Store } from '../store/types.js';
import { fullJitter } from './backoff.js';
import type { LaneHealth } from './lane-health.js';
import { readStoredMessage, type StoredMessage } from './payload.js';
import type { ProviderHub, Channel } from './providers.js';
import { receiptCallbackUrl } from './receipt-url.js';

export interface DispatchSettings {
  leaseMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Lane pause after a rate-limit answer without Retry-After, and after persistent auth errors (doubles, capped). */
  pauseBaseMs: number;
  pauseMaxMs: number;
  publicBaseUrl: string | undefined;
  receiptSecrets: ReadonlyMap<string, string>;
}

export interface DispatcherDeps {
  store: Store;
  hub: ProviderHub;
  cipher: TokenCipher;
  metrics: Metrics;
  /** What this instance last saw of each lane's vendor (for /readyz and pushgate_provider_up). */
  health: LaneHealth;
  logger: Logger;
  now(): number;
  random(): number;
  /** This process's lease owner id. */
  owner: string;
  /** Outbox rows for a tenant's changes (webhooks), written in the store's transactions; none without. */
  outbox?(tenant: string): OutboxWriter | undefined;
  settings: DispatchSettings;
}

/**
 * What every adapter may rely on (providers/types.ts SendBatch), guaranteed here and tested in
 * test/core/dispatch-guarantees.test.ts: each `send` gets 1..`limits.maxTargetsPerRequest` targets, of one
 * message (one payload, its own overrides slice only), with distinct tokens. Two deliveries of one
 * message to the same token (devices merged by a token-form migration) make one target: the device
 * gets the push once, and both deliveries record its result.
 */
export class Dispatcher {
  private readonly messages = new Map<string, StoredMessage>();
  /** Consecutive rate-limit / auth pauses per lane: the backoff exponent. */
  private readonly strikes = new Map<string, number>();

  constructor(private readonly deps: DispatcherDeps) {}

  /** One vendor request's worth of work for a lane (the queue engine's LaneRunner). */
  readonly runLane = async (lane: LaneKey): Promise<RunResult> => {
    const { store, now } = this.deps;
    const channel = this.deps.hub.get(lane.tenant, lane.provider);
    if (!channel) return { kind: 'idle', nextDueAt: null };
    const t = now();
    const pauses = await store.activePauses(lane, t);
    const whole = pauses.find((p) => p.quotaClass === '*');
    if (whole) return { kind: 'idle', nextDueAt: whole.until };
    const exclude = pauses.map((p) => p.quotaClass);
    const batch = await store.claimBatch({
      ...lane,
      now: t,
      leaseUntil: t + this.deps.settings.leaseMs,
      owner: this.deps.owner,
      limit: channel.def.limits.maxTargetsPerRequest,
      excludeClasses: exclude,
    });
    if (!batch) {
      const next = await store.nextDueAt(lane, exclude);
      const pauseEnd = pauses.length ? Math.min(...pauses.map((p) => p.until)) : null;
      return { kind: 'idle', nextDueAt: minOf(next, pauseEnd) };
    }
    await this.dispatch(channel, batch);
    return { kind: 'more', full: batch.deliveries.length >= channel.def.limits.maxTargetsPerRequest };
  };

  private async dispatch(channel: Channel, batch: ClaimedBatch): Promise<void> {
    const { now } = this.deps;
    const lane = { tenant: channel.tenant, provider: channel.def.id };
    const stored = this.message(batch.message);
    const t = now();
    const rows = batch.deliveries;

    // Past its ttl: expire, never send. ttlSeconds 0 ("now or never": the vendor must not store it) expires the
    // moment it is accepted, so it gets its one attempt here; any retry of it expires in retryOrGiveUp.
    const { expiresAt, createdAt } = batch.message;
    if (expiresAt !== null && expiresAt > createdAt && t >= expiresAt) {
      return this.complete(lane, rows.map((d) => expired(d)));
    }
    // Send windows (vivo marketing 07:00–23:00 Beijing): hold, never drop.
    const quotaClass = rows[0]?.quotaClass ?? 'default';
    const window = channel.def.sendWindow?.(quotaClass);
    if (window && !inWindow(t, window)) {
      const opens = nextLocalHour(t, window.fromHour, window.timeZone);
      return this.complete(lane, rows.map((d) => ({ id: d.id, state: 'queued', nextAttemptAt: opens, error: d.lastError, attempts: d.attempts })));
    }

    const overrides = stored.overridesOf(channel.def);
    if (!overrides.ok) {
      return this.complete(lane, rows.map((d) => ({ id: d.id, state: 'failed', attempts: d.attempts, error: { code: 'rejected', vendorCode: 'invalid_overrides', message: overrides.error } })));
    }
    const base = { message: stored.message, overrides: overrides.value, callbackRef: stored.message.id };

    const targets = new Map<string, DeliveryTarget>();
    /** Delivery id of the target sent for a token → the other deliveries of that token in this batch. */
    const twins = new Map<string, string[]>();
    const byToken = new Map<string, string>();
    const updates: DeliveryUpdate[] = [];
    for (const d of rows) {
      let token: string;
      try {
        token = this.deps.cipher.decrypt(d.tokenEnc);
      } catch {
        // An erased user's finished delivery has no token left; an undecryptable row cannot be sent.
        updates.push({ id: d.id, state: 'failed', attempts: d.attempts, error: { code: 'token_unavailable', message: 'the stored token could not be decrypted (erased, or another encryption key)' } });
        continue;
      }
      const sent = byToken.get(token);
      if (sent !== undefined) {
        twins.set(sent, [...(twins.get(sent) ?? []), d.id]);
        continue;
      }
      byToken.set(token, d.id);
      targets.set(d.id, { deliveryId: d.id, token, extras: d.extras ?? undefined, registered: d.registered });
    }
    // The hand-off check: a delivery canceled since the claim (DELETE /v1/messages/{id}, on any instance) is
    // not sent; from here on, cancel leaves this batch to finish.
    const handed = new Set(await this.deps.store.startSending(this.deps.owner, [...targets.keys(), ...[...twins.values()].flat()], now()));
    for (const id of targets.keys()) if (!handed.has(id)) targets.delete(id);
    for (const [id, others] of twins) twins.set(id, others.filter((o) => handed.has(o)));
    let results = await this.send(channel, base, [...targets.values()]);

    // auth_error: refresh the credentials once and resend those targets (Huawei/vivo/OPPO tokens, APNs JWT).
    const authFailed = results.filter((r) => r.outcome === 'auth_error');
    if (authFailed.length && channel.provider.refreshCredentials) {
      await channel.provider.refreshCredentials().catch((err: unknown) => this.deps.logger.warn({ err, ...lane }, 'credential refresh failed'));
      const again = await this.send(channel, base, authFailed.map((r) => targets.get(r.deliveryId)).filter((x): x is DeliveryTarget => !!x));
      const byId = new Map(again.map((r) => [r.deliveryId, r]));
      results = results.map((r) => byId.get(r.deliveryId) ?? r);
    }
    if (twins.size) results = results.flatMap((r) => [r, ...(twins.get(r.deliveryId) ?? []).map((id) => ({ ...r, deliveryId: id }))]);
    updates.push(...(await this.act(channel, batch, results)));
    await this.complete(lane, updates);
  }

  /** Distinct targets of one message, in calls of at most the provider's limit (the store claims no more; this makes it hold whatever the store returns). */
  private async send(channel: Channel, base: Omit<SendBatch, 'targets'>, targets: DeliveryTarget[]): Promise<SendResult[]> {
    const max = Math.max(1, channel.def.limits.maxTargetsPerRequest);
    const results: SendResult[] = [];
    for (let i = 0; i < targets.length; i += max) results.push(...(await this.sendOne(channel, base, targets.slice(i, i + max))));
    return results;
  }

  private async sendOne(channel: Channel, base: Omit<SendBatch, 'targets'>, targets: DeliveryTarget[]): Promise<SendResult[]> {
    if (!targets.length) return [];
    const callbackUrl = this.callbackUrl(channel);
    try {
      const out = await channel.provider.send({ ...base, targets, callbackUrl });
      for (const q of out.quota ?? []) this.deps.health.quotaSeen({ tenant: channel.tenant, provider: channel.def.id }, q, this.deps.now());
      const byId = new Map(out.results.map((r) => [r.deliveryId, r]));
      // The contract is one result per target; a missing one is retried rather than lost.
      return targets.map((t) => byId.get(t.deliveryId) ?? { deliveryId: t.deliveryId, outcome: 'retry', vendorMessage: 'the adapter returned no result for this target' });
    } catch (err) {
      this.deps.logger.error({ err, tenant: channel.tenant, provider: channel.def.id }, 'adapter threw; the batch will be retried');
      return targets.map((t) => ({ deliveryId: t.deliveryId, outcome: 'retry', vendorMessage: `adapter error: ${(err as Error).message}` }));
    }
  }

  /** The one place where outcomes become state changes. */
  private async act(channel: Channel, batch: ClaimedBatch, results: SendResult[]): Promise<DeliveryUpdate[]> {
    const { metrics, store, now, settings } = this.deps;
    const rows = batch.deliveries;
    // The stored expiry, not createdAt + ttlSeconds: a replay with extendTtlSeconds moves it.
    const expiresAt = batch.message.expiresAt;
    const lane = { tenant: channel.tenant, provider: channel.def.id };
    const laneKey = `${lane.tenant}/${lane.provider}`;
    const byId = new Map(rows.map((d) => [d.id, d]));
    const updates: DeliveryUpdate[] = [];
    const t = now();
    // Lane-level decisions are taken once per batch, however many targets report them.
    let backoffUntil: number | undefined;
    const laneBackoff = () => (backoffUntil ??= t + this.pauseMs(laneKey));
    let rateLimitedUntil: number | null = null;
    let authPausedUntil: number | null = null;
    const quotaPauses = new Map<string, number>();
    let laneOk = false;
    let firstRetry: string | undefined;
    let authError: string | undefined;

    // Counted per outcome, then added once each: prom-client validates and hashes the labels on every inc (bench profile).
    const attemptsByOutcome = new Map<string, number>();
    for (const r of results) {
      const d = byId.get(r.deliveryId);
      if (!d) continue;
      attemptsByOutcome.set(r.outcome, (attemptsByOutcome.get(r.outcome) ?? 0) + 1);
      const attempts = d.attempts + 1;
      const error = { code: r.outcome, vendorCode: r.vendorCode, message: r.vendorMessage ?? r.outcome };
      switch (r.outcome) {
        case 'sent':
          laneOk = true;
          updates.push({ id: d.id, state: 'sent', vendorMessageId: r.vendorMessageId ?? null, attempts });
          break;
        case 'invalid_token':
          laneOk = true;
          if (await store.deleteDeviceByHash(lane.tenant, lane.provider, d.tokenHash, this.prune(lane.tenant, t))) metrics.tokensPruned.inc(lane);
          updates.push({ id: d.id, state: 'failed', attempts, error });
          break;
        case 'rejected':
          laneOk = true;
          updates.push({ id: d.id, state: 'failed', attempts, error });
          break;
        case 'retry': {
          firstRetry ??= error.message;
          const wait = Math.max(r.retryAfterMs ?? 0, fullJitter(attempts, settings.backoffBaseMs, settings.backoffMaxMs, this.deps.random));
          updates.push(this.retryOrGiveUp(expiresAt, d, attempts, t + wait, error));
          break;
        }
        case 'rate_limited': {
          const until = r.retryAfterMs !== undefined ? t + r.retryAfterMs : laneBackoff();
          rateLimitedUntil = Math.max(rateLimitedUntil ?? 0, until);
          // Not the delivery's fault: the attempt is not counted.
          updates.push(this.retryOrGiveUp(expiresAt, d, d.attempts, until, error));
          break;
        }
        case 'quota_exceeded': {
          const cls = r.quotaClass ?? d.quotaClass;
          const reset = nextMidnight(t, channel.def.quotaResetTimeZone ?? DEFAULT_QUOTA_TIME_ZONE);
          quotaPauses.set(cls, reset);
          updates.push(this.retryOrGiveUp(expiresAt, d, d.attempts, reset, error));
          break;
        }
        case 'auth_error': {
          authError ??= error.message;
          authPausedUntil = laneBackoff();
          updates.push(this.retryOrGiveUp(expiresAt, d, d.attempts, authPausedUntil, error));
          break;
        }
      }
    }
    for (const [outcome, n] of attemptsByOutcome) metrics.attempts.inc({ ...lane, outcome }, n);
    for (const [cls, until] of quotaPauses) await store.setPause({ ...lane, quotaClass: cls, until, reason: `quota:${cls}` });
    if (authPausedUntil !== null) {
      await store.setPause({ ...lane, quotaClass: '*', until: authPausedUntil, reason: 'auth' });
      this.deps.health.authFailed(lane, t, authError ?? 'auth_error');
    } else if (rateLimitedUntil !== null) {
      await store.setPause({ ...lane, quotaClass: '*', until: rateLimitedUntil, reason: 'rate_limited' });
    }
    if (laneOk && authPausedUntil === null) {
      this.strikes.delete(laneKey);
      this.deps.health.ok(lane, t);
    } else if (!laneOk && firstRetry !== undefined && authPausedUntil === null) {
      // Not one verdict in the batch: the vendor is down or unreachable, whatever the retry plan.
      this.deps.health.failed(lane, t, firstRetry);
    }
    return updates;
  }

  private retryOrGiveUp(expiresAt: number | null, d: DeliveryRow, attempts: number, at: number, error: { code: string; vendorCode?: string | undefined; message: string }): DeliveryUpdate {
    if (expiresAt !== null && at >= expiresAt) return { id: d.id, state: 'expired', attempts, error: { ...error, message: `${error.message}; ttl ends before the next attempt` } };
    if (attempts >= this.deps.settings.maxAttempts) return { id: d.id, state: 'failed', attempts, error: { ...error, message: `${error.message}; gave up after ${attempts} attempts` } };
    return { id: d.id, state: 'queued', nextAttemptAt: at, error, attempts };
  }

  private pauseMs(laneKey: string): number {
    const n = (this.strikes.get(laneKey) ?? 0) + 1;
    this.strikes.set(laneKey, n);
    return Math.min(this.deps.settings.pauseMaxMs, this.deps.settings.pauseBaseMs * 2 ** (n - 1));
  }

  private async complete(lane: LaneKey, updates: DeliveryUpdate[]): Promise<void> {
    // Every final state passes through here exactly once; `queued` is not final (counted as attempts only).
    const finals = new Map<string, number>();
    for (const u of updates) if (u.state !== 'queued') finals.set(u.state, (finals.get(u.state) ?? 0) + 1);
    for (const [state, n] of finals) this.deps.metrics.deliveries.inc({ ...lane, state }, n);
    await this.deps.store.completeDeliveries(this.deps.owner, updates, this.deps.now(), this.deps.outbox?.(lane.tenant));
  }

  private prune(tenant: string, now: number): { now: number; outbox: OutboxWriter } | undefined {
    const outbox = this.deps.outbox?.(tenant);
    return outbox ? { now, outbox } : undefined;
  }

  private callbackUrl(channel: Channel): string | undefined {
    return receiptCallbackUrl(this.deps.settings.publicBaseUrl, channel.def.id, channel.tenant, this.deps.settings.receiptSecrets.get(channel.tenant));
  }

  /** Parsed messages, cached: a 100k-target message is claimed in a hundred batches. */
  private message(row: MessageRow): StoredMessage {
    let m = this.messages.get(row.id);
    if (!m || expiryOf(m) !== row.expiresAt) {
      m = readStoredMessage(row.id, row.createdAt, row.payload);
      // A replay with extendTtlSeconds moved the stored expiry: adapters count the time left from ttlSeconds.
      if (row.expiresAt !== null && expiryOf(m) !== row.expiresAt) m.message.options.ttlSeconds = Math.max(0, Math.round((row.expiresAt - row.createdAt) / 1000));
      if (this.messages.size > 1000) this.messages.delete(this.messages.keys().next().value as string);
      this.messages.set(row.id, m);
    }
    return m;
  }
}

function expiryOf(m: StoredMessage): number | null {
  const ttl = m.message.options.ttlSeconds;
  return ttl === undefined ? null : m.message.createdAt + ttl * 1000;
}

function expired(d: DeliveryRow): DeliveryUpdate {
  return { id: d.id, state: 'expired', attempts: d.attempts, error: { code: 'expired', message: 'ttlSeconds passed before the delivery could be sent' } };
}

function inWindow(t: number, w: { fromHour: number; toHour: number; timeZone: string }): boolean {
  const h = hourIn(t, w.timeZone);
  return w.fromHour <= w.toHour ? h >= w.fromHour && h < w.toHour : h >= w.fromHour || h < w.toHour;
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
