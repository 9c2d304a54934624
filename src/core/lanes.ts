/**
 * The lanes of a tenant as an operator watches them (GET /v1/lanes): per configured provider, what
 * waits (store), what is paused and why (store, shared by every instance), whether the vendor
 * answers (LaneHealth: this instance's own exchanges), the quota where pushgate knows it, and what
 * the vendor took in the last minute (store). /readyz shows the same pause and vendor condition for
 * every tenant through `laneCondition`.
 */
import type { AnyProviderDefinition } from '../../providers/types.js';
import type { LaneActivity, LaneKey, LanePause, Store } from '../store/types.js';
import type { LaneHealth } from './lane-health.js';
import type { ProviderHub } from './providers.js';
import { DEFAULT_QUOTA_TIME_ZONE, nextMidnight } from './time.js';

/** "Sends per minute" counts what the vendor took in this window. */
export const SENT_WINDOW_MS = 60_000;

/** A lane's pauses (from the store) and its vendor's condition (as this instance last saw it); not LaneHealth's LaneCondition, which is only the latter. */
export interface LaneState {
  /** A pause of the whole lane (rate limit, refused credentials); the latest-ending one. */
  paused: { reason: string; until: number } | null;
  /** Pauses of single quota classes (`quota:<class>` until the vendor's quota day ends); the others flow. */
  pausedClasses: Array<{ class: string; reason: string; until: number }>;
  /** The last exchange got no verdict (unreachable, 5xx, timeout, credentials refused). */
  failing: boolean;
  credentialsOk: boolean;
  lastError: string | null;
  failingSince: number | null;
  lastSuccessAt: number | null;
}

/** One lane's condition from the active pauses (any lanes: only this one's are read) and LaneHealth. */
export function laneCondition(lane: LaneKey, pauses: readonly LanePause[], health: LaneHealth): LaneState {
  const mine = pauses.filter((p) => p.tenant === lane.tenant && p.provider === lane.provider);
  const whole = mine.filter((p) => p.quotaClass === '*').sort((a, b) => b.until - a.until)[0];
  const h = health.get(lane);
  return {
    paused: whole ? { reason: whole.reason, until: whole.until } : null,
    pausedClasses: mine.filter((p) => p.quotaClass !== '*').map((p) => ({ class: p.quotaClass, reason: p.reason, until: p.until })),
    failing: h.failing,
    credentialsOk: h.credentialsOk,
    lastError: h.lastError,
    failingSince: h.failingSince,
    lastSuccessAt: h.lastSuccessAt,
  };
}

/** A quota class as GET /v1/lanes shows it (the nulls are part of the published shape; pushgate fills both when it lists a class). */
export interface QuotaView {
  /** What is left of the vendor's daily quota: 0 once the vendor said it ran out. */
  remaining: number | null;
  /** When the vendor's quota day ends. */
  resetsAt: string | null;
}

export interface LaneStatus {
  provider: string;
  queued: number;
  sending: number;
  /** The oldest delivery not finished (queued or sending), by its message's creation, as pushgate_queue_oldest_age_seconds. */
  oldestQueuedAt: string | null;
  paused: { reason: string; until: string | null } | null;
  pausedClasses: Array<{ class: string; reason: string; until: string }>;
  providerUp: boolean;
  credentials: 'ok' | 'failing';
  lastError: string | null;
  failingSince: string | null;
  lastSuccessAt: string | null;
  /** The most constrained of `quotaClasses`; null when pushgate knows no quota of this lane. */
  quota: QuotaView | null;
  quotaClasses: Array<QuotaView & { class: string }>;
  sentLastMinute: number;
  rateLimit: { perSecond: number; concurrency: number };
}

export interface LaneServiceDeps {
  store: Pick<Store, 'laneActivity' | 'allActivePauses'>;
  hub: ProviderHub;
  health: LaneHealth;
  now(): number;
}

export class LaneService {
  constructor(private readonly deps: LaneServiceDeps) {}

  /** Every lane configured for the tenant, in config order; nothing of another tenant's. */
  async list(tenant: string): Promise<LaneStatus[]> {
    const { store, hub, health } = this.deps;
    const now = this.deps.now();
    const [activity, pauses] = await Promise.all([store.laneActivity(tenant, now - SENT_WINDOW_MS), store.allActivePauses(now)]);
    const byProvider = new Map(activity.map((a) => [a.provider, a]));
    return hub
      .all()
      .filter((c) => c.tenant === tenant)
      .map((c) => {
        const lane = { tenant, provider: c.def.id };
        const a: LaneActivity = byProvider.get(c.def.id) ?? { provider: c.def.id, queued: 0, sending: 0, oldestPendingAt: null, sentSince: 0 };
        const cond = laneCondition(lane, pauses, health);
        const quotaClasses = quotaOf(c.def, cond.pausedClasses, health.quotaReadings(lane), now);
        return {
          provider: c.def.id,
          queued: a.queued,
          sending: a.sending,
          oldestQueuedAt: isoOrNull(a.oldestPendingAt),
          paused: cond.paused && { reason: cond.paused.reason, until: iso(cond.paused.until) },
          pausedClasses: cond.pausedClasses.map((p) => ({ ...p, until: iso(p.until) })),
          providerUp: cond.credentialsOk && !cond.failing,
          credentials: cond.credentialsOk ? 'ok' : 'failing',
          lastError: cond.lastError,
          failingSince: isoOrNull(cond.failingSince),
          lastSuccessAt: isoOrNull(cond.lastSuccessAt),
          quota: mostConstrained(quotaClasses),
          quotaClasses,
          sentLastMinute: a.sentSince,
          rateLimit: { perSecond: c.perSecond, concurrency: c.concurrency },
        };
      });
  }
}

/**
 * What pushgate knows of each quota class: a class paused for quota has 0 left until the pause ends
 * (the vendor's quota day); a reading the vendor gave in passing (Xiaomi) counts until that day
 * ends, and is unknown after. Nothing is guessed for classes the vendor said nothing about.
 */
function quotaOf(
  def: Pick<AnyProviderDefinition, 'quotaResetTimeZone'>,
  pausedClasses: LaneState['pausedClasses'],
  readings: ReadonlyArray<{ quotaClass: string; remaining: number; at: number }>,
  now: number,
): Array<QuotaView & { class: string }> {
  const classes = new Map<string, { remaining: number; resetsAt: number }>();
  for (const r of readings) {
    const resetsAt = nextMidnight(r.at, def.quotaResetTimeZone ?? DEFAULT_QUOTA_TIME_ZONE);
    if (resetsAt > now) classes.set(r.quotaClass, { remaining: r.remaining, resetsAt });
  }
  for (const p of pausedClasses) if (p.reason.startsWith('quota')) classes.set(p.class, { remaining: 0, resetsAt: p.until });
  return [...classes].sort(([a], [b]) => (a < b ? -1 : 1)).map(([cls, q]) => ({ class: cls, remaining: q.remaining, resetsAt: iso(q.resetsAt) }));
}

function mostConstrained(classes: ReadonlyArray<QuotaView & { class: string }>): QuotaView | null {
  const least = [...classes].sort((a, b) => (a.remaining ?? Infinity) - (b.remaining ?? Infinity))[0];
  return least ? { remaining: least.remaining, resetsAt: least.resetsAt } : null;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
