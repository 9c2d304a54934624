/**
 * Replay: put failed and expired deliveries back to `queued` once their cause is fixed (a credential,
 * a vendor outage). POST /v1/messages/{id}/retry replays one message's; POST /v1/deliveries/retry the
 * tenant's, with the dead-letter view's filters, bounded per call.
 *
 * A replayed delivery gets fresh attempts (0), is due now and keeps its last error until the next
 * vendor answer replaces it, so listings still say why it failed. Never replayed: a delivery whose
 * device was pruned (last error `invalid_token`) or is gone (deleted, erased), and one whose message
 * has expired unless the body names `extendTtlSeconds` (the message's expiry then moves).
 */
import { createHash } from 'node:crypto';
import type { Metrics } from '../metrics/metrics.js';
import type { DeliveryRow, LaneKey, MessageRow, Store } from '../store/types.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { DomainError } from './errors.js';
import { canonicalJson, type Idempotency } from './messages.js';

const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;
/** Deliveries a tenant-wide replay examines per call at most; `nextCursor` continues. */
export const REPLAY_MAX_PER_CALL = 10_000;
/** Rows read per store query while collecting one message's failed deliveries. */
const PAGE = 2000;

export type SkipReason = 'invalid_token' | 'device_removed' | 'ttl_passed';
export const SKIP_REASONS: readonly SkipReason[] = ['invalid_token', 'device_removed', 'ttl_passed'];

/** POST /v1/messages/{id}/retry */
export interface MessageReplayBody {
  providers?: string[] | undefined;
  errorCodes?: string[] | undefined;
  extendTtlSeconds?: number | undefined;
}

/** POST /v1/deliveries/retry: the dead-letter view's filters, a bound and a position. */
export interface TenantReplayBody {
  state?: 'failed' | 'expired' | undefined;
  since?: string | undefined;
  provider?: string | undefined;
  errorCode?: string | undefined;
  vendorCode?: string | undefined;
  extendTtlSeconds?: number | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface ReplayCounts {
  /** Deliveries put back to queued. */
  requeued: number;
  /** Failed or expired deliveries matched but left as they are, by reason. */
  skipped: Record<SkipReason, number>;
}

export type MessageReplayAnswer = ReplayCounts & { id: string };
export type TenantReplayAnswer = ReplayCounts & {
  /** True when more failed/expired deliveries match past the ones examined: call again with nextCursor. */
  more: boolean;
  nextCursor: string | null;
};

export interface ReplayServiceDeps {
  store: Pick<Store, 'getMessage' | 'getDevices' | 'listDeliveries' | 'listDeadLetters' | 'getIdempotency' | 'requeueDeliveries'>;
  metrics: Pick<Metrics, 'requeued'>;
  /** Wake a lane that just got work (the queue engine's kick). */
  kick(lane: LaneKey): void;
  now(): number;
}

export class ReplayService {
  constructor(private readonly deps: ReplayServiceDeps) {}

  /** One message's failed and expired deliveries (optionally of these providers and error codes). */
  async replayMessage(tenant: string, messageId: string, body: MessageReplayBody, idempotency: Idempotency | undefined): Promise<{ body: unknown; status: number }> {
    const { store } = this.deps;
    return this.idempotent(tenant, { route: 'retryMessage', messageId, body }, body.extendTtlSeconds, idempotency, async () => {
      const message = await store.getMessage(tenant, messageId);
      if (!message) throw new DomainError('not_found', `No message ${messageId} in your tenant (messages are kept for retention.messageDays).`);
      const providers = body.providers?.length ? new Set(body.providers) : null;
      const codes = body.errorCodes?.length ? new Set(body.errorCodes) : null;
      const rows: DeliveryRow[] = [];
      for (let after: string | null = null; ; ) {
        const page = await store.listDeliveries(tenant, messageId, after, PAGE, { states: ['failed', 'expired'] });
        rows.push(...page.filter((d) => (!providers || providers.has(d.provider)) && (!codes || codes.has(d.lastError?.code ?? ''))));
        const last = page[page.length - 1];
        if (!last || page.length < PAGE) break;
        after = last.id;
      }
      return { rows, messages: new Map([[message.id, message]]), extra: {}, head: { id: messageId } };
    });
  }

  /** The tenant's failed and expired deliveries matching the dead-letter filters, at most `limit` per call. */
  async replayTenant(tenant: string, body: TenantReplayBody, idempotency: Idempotency | undefined): Promise<{ body: unknown; status: number }> {
    const { store } = this.deps;
    return this.idempotent(tenant, { route: 'retryDeliveries', body }, body.extendTtlSeconds, idempotency, async () => {
      const limit = Math.min(body.limit ?? REPLAY_MAX_PER_CALL, REPLAY_MAX_PER_CALL);
      const after = body.cursor === undefined ? null : decodeCursor('dead-letters', body.cursor);
      if (body.cursor !== undefined && !after) throw new DomainError('invalid_request', 'cursor is not a nextCursor of this replay; pass nextCursor unchanged, or omit it to start from the most recent.', [{ field: 'cursor', message: 'not a cursor of this list' }]);
      const filter = {
        states: body.state ? [body.state] : (['failed', 'expired'] as Array<'failed' | 'expired'>),
        since: body.since === undefined ? undefined : Date.parse(body.since),
        provider: body.provider,
        errorCode: body.errorCode,
        vendorCode: body.vendorCode,
      };
      const listed = await store.listDeadLetters(tenant, filter, after, limit + 1);
      const rows = listed.slice(0, limit);
      const more = listed.length > limit;
      const last = rows[rows.length - 1];
      const messages = new Map<string, MessageRow>();
      for (const id of new Set(rows.map((d) => d.messageId))) {
        const m = await store.getMessage(tenant, id);
        if (m) messages.set(id, m);
      }
      // The cursor is the last row examined: requeued rows leave the view, skipped ones stay, so the next call starts past both.
      return { rows, messages, extra: { more, nextCursor: more && last ? encodeCursor('dead-letters', { at: last.updatedAt, id: last.id }) : null }, head: {} };
    });
  }

  /**
   * The Idempotency-Key contract of POST /v1/messages: the same key and body within 24 h get the first
   * answer and change nothing; another body with that key is a 409. The answer is stored with the requeue.
   */
  private async idempotent(
    tenant: string,
    request: unknown,
    extendTtlSeconds: number | undefined,
    idempotency: Idempotency | undefined,
    select: () => Promise<{ rows: DeliveryRow[]; messages: Map<string, MessageRow>; extra: Record<string, unknown>; head: Record<string, unknown> }>,
  ): Promise<{ body: unknown; status: number }> {
    const { store, now: clock } = this.deps;
    const now = clock();
    const bodyHash = idempotency === undefined ? '' : createHash('sha256').update(canonicalJson(request)).digest('base64url');
    if (idempotency !== undefined) {
      checkKey(idempotency.key);
      const seen = await store.getIdempotency(tenant, idempotency.key, now - IDEMPOTENCY_WINDOW_MS);
      if (seen) return stored(seen, bodyHash);
    }
    const { rows, messages, extra, head } = await select();
    const plan = await this.plan(tenant, rows, messages, extendTtlSeconds, now);
    const answer = (requeued: number): unknown => ({ ...head, requeued, skipped: plan.skipped, ...extra });
    const out = await store.requeueDeliveries({
      tenant,
      ids: plan.ids,
      now,
      expiries: plan.expiries,
      idempotency: idempotency === undefined ? null : { key: idempotency.key, bodyHash, status: idempotency.answerStatus, createdAt: now, answer: (r) => JSON.stringify(answer(r.length)) },
    });
    if (!out.inserted) return stored(out.existing, bodyHash);
    const perLane = new Map<string, LaneKey & { n: number }>();
    for (const r of out.requeued) {
      const key = `${r.tenant}\0${r.provider}`;
      const lane = perLane.get(key) ?? { tenant: r.tenant, provider: r.provider, n: 0 };
      lane.n += 1;
      perLane.set(key, lane);
    }
    for (const { n, ...lane } of perLane.values()) {
      this.deps.metrics.requeued.inc(lane, n);
      this.deps.kick(lane);
    }
    return { body: answer(out.requeued.length), status: idempotency?.answerStatus ?? 200 };
  }

  /** Which rows go back, which are skipped and why, and which messages' expiry moves. */
  private async plan(tenant: string, rows: DeliveryRow[], messages: Map<string, MessageRow>, extendTtlSeconds: number | undefined, now: number) {
    const skipped = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>;
    const deviceIds = [...new Set(rows.flatMap((d) => (d.deviceId === null ? [] : [d.deviceId])))];
    const present = new Set(deviceIds.length ? (await this.deps.store.getDevices(tenant, deviceIds)).map((d) => d.id) : []);
    const newExpiry = extendTtlSeconds === undefined ? null : now + extendTtlSeconds * 1000;
    const expiries = new Map<string, number>();
    const ids: string[] = [];
    for (const d of rows) {
      if (d.lastError?.code === 'invalid_token') {
        skipped.invalid_token += 1;
        continue;
      }
      // A device deleted (by the app, by retention, pruned by a receipt) or an erased user's row (no token left).
      if (d.tokenEnc === '' || (d.deviceId !== null && !present.has(d.deviceId))) {
        skipped.device_removed += 1;
        continue;
      }
      const expiresAt = messages.get(d.messageId)?.expiresAt ?? null;
      if (expiresAt !== null && newExpiry !== null && newExpiry > expiresAt) expiries.set(d.messageId, newExpiry);
      else if (expiresAt !== null && expiresAt <= now) {
        skipped.ttl_passed += 1;
        continue;
      }
      ids.push(d.id);
    }
    return { ids, skipped, expiries: [...expiries].map(([messageId, at]) => ({ messageId, expiresAt: at })) };
  }
}

function checkKey(key: string): void {
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw new DomainError('invalid_request', 'The Idempotency-Key header must be 1–255 visible ASCII characters.', [{ field: 'Idempotency-Key', message: 'invalid format' }]);
}

function stored(seen: { bodyHash: string; status: number; response: string }, bodyHash: string): { body: unknown; status: number } {
  if (seen.bodyHash !== bodyHash) {
    throw new DomainError('idempotency_conflict', 'This Idempotency-Key was already used within 24 h with another request. Use a new key for a different replay, or resend the identical request.');
  }
  return { body: JSON.parse(seen.response), status: seen.status };
}
