/**
 * Readiness: can this instance accept durably (store and queue reachable, not shutting down)?
 * A vendor outage shows in `lanes` but never makes the instance unready: accepted messages wait
 * in the store. Lanes are listed as paused (store, shared by all instances) or down/up (this
 * instance's last exchange, LaneHealth).
 */
import type { QueueEngine } from '../queue/types.js';
import type { Store } from '../store/types.js';
import type { LaneHealth } from './lane-health.js';
import { laneCondition } from './lanes.js';
import type { ProviderHub } from './providers.js';

export interface ReadinessCheck {
  name: string;
  ok: boolean;
  error?: string;
}

export interface LaneView {
  tenant: string;
  provider: string;
  state: 'up' | 'paused' | 'down';
  credentials: 'ok' | 'failing';
  reason?: string;
  until?: string;
  pausedClasses?: Array<{ class: string; reason: string; until: string }>;
  lastError?: string;
  failingSince?: string;
  lastSuccessAt?: string | null;
}

export interface Readiness {
  ready: boolean;
  checks: ReadinessCheck[];
  lanes: LaneView[];
}

export class ReadinessService {
  constructor(
    private readonly deps: {
      store: Pick<Store, 'ping' | 'allActivePauses'>;
      queue: Pick<QueueEngine, 'ping'>;
      hub: ProviderHub;
      health: LaneHealth;
      now(): number;
      /** False once shutdown has begun. */
      accepting(): boolean;
    },
  ) {}

  async check(): Promise<Readiness> {
    const checks = await Promise.all([check('store', () => this.deps.store.ping()), check('queue', () => this.deps.queue.ping())]);
    const ready = checks.every((c) => c.ok) && this.deps.accepting();
    return { ready, checks, lanes: await this.lanes() };
  }

  /** Every configured lane: paused (store, shared by all instances) or down/up (this instance's last exchange). */
  private async lanes(): Promise<LaneView[]> {
    const now = this.deps.now();
    // The pauses live in the store; when it is unreachable the answer is a 503 anyway, so list without them.
    const pauses = await this.deps.store.allActivePauses(now).catch(() => []);
    const iso = (ms: number) => new Date(ms).toISOString();
    return this.deps.hub.all().map((c) => {
      const lane = { tenant: c.tenant, provider: c.def.id };
      const h = laneCondition(lane, pauses, this.deps.health);
      const view: LaneView = { ...lane, state: h.paused ? 'paused' : h.failing ? 'down' : 'up', credentials: h.credentialsOk ? 'ok' : 'failing' };
      if (h.paused) Object.assign(view, { reason: h.paused.reason, until: iso(h.paused.until) });
      if (h.pausedClasses.length) view.pausedClasses = h.pausedClasses.map((p) => ({ ...p, until: iso(p.until) }));
      if (h.failing && h.lastError !== null) view.lastError = h.lastError;
      if (h.failing && h.failingSince !== null) view.failingSince = iso(h.failingSince);
      view.lastSuccessAt = h.lastSuccessAt === null ? null : iso(h.lastSuccessAt);
      return view;
    });
  }
}

async function check(name: string, fn: () => Promise<void>): Promise<ReadinessCheck> {
  try {
    await fn();
    return { name, ok: true };
  } catch (err) {
    return { name, ok: false, error: (err as Error).message };
  }
}
