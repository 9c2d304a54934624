/**
 * PLACEHOLDER for `GET /v1/lanes` (issue 13): the console branch needs the route to exist; the
 * console-API branch owns the real one (documented in /openapi.json, with `sending` split out of
 * `queued`). When both are merged, this file goes and the real route replaces it.
 *
 * It is mounted on a sub-router (not on `app`) on purpose, so the openapi ↔ express check does
 * not count it while it is undocumented. Built only from what the store, LaneHealth and the quota
 * gauge already know; the tenant is always the caller's.
 */
import express, { type RequestHandler } from 'express';
import type { LaneHealth } from '../../core/lane-health.js';
import type { ProviderHub } from '../../core/providers.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { Store } from '../../store/types.js';
import { principal } from '../auth.js';

export interface LaneSourceDeps {
  store: Pick<Store, 'laneStats' | 'allActivePauses' | 'deliverySummary'>;
  hub: ProviderHub;
  health: LaneHealth;
  metrics: Metrics;
  now(): number;
}

export function laneRoutesPlaceholder(server: RequestHandler, deps: LaneSourceDeps): express.Router {
  const router = express.Router();
  router.get('/v1/lanes', server, async (req, res) => {
    const tenant = principal(req).tenant;
    const now = deps.now();
    const [stats, pauses, recent, quota] = await Promise.all([
      deps.store.laneStats(),
      deps.store.allActivePauses(now),
      deps.store.deliverySummary(tenant, now - 60_000),
      deps.metrics.quotaRemaining.get(),
    ]);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const lanes = deps.hub
      .all()
      .filter((c) => c.tenant === tenant)
      .map((c) => {
        const provider = c.def.id;
        const s = stats.find((x) => x.tenant === tenant && x.provider === provider);
        const whole = pauses.filter((p) => p.tenant === tenant && p.provider === provider).sort((a, b) => (a.quotaClass === '*' ? -1 : 1) - (b.quotaClass === '*' ? -1 : 1) || b.until - a.until)[0];
        const h = deps.health.get({ tenant, provider });
        const remaining = quota.values.filter((v) => v.labels.tenant === tenant && v.labels.provider === provider).map((v) => v.value);
        return {
          provider,
          queued: s?.depth ?? 0,
          sending: 0,
          oldestQueuedAt: iso(s?.oldestCreatedAt ?? null),
          paused: whole ? { reason: whole.quotaClass === '*' ? whole.reason : `quota:${whole.quotaClass}`, until: iso(whole.until) } : null,
          providerUp: h.credentialsOk && !h.failing,
          lastError: h.failing ? h.lastError : null,
          quota: remaining.length ? { remaining: Math.min(...remaining), resetsAt: null } : null,
          sentLastMinute: recent.filter((r) => r.provider === provider && (r.state === 'sent' || r.state === 'delivered')).reduce((n, r) => n + r.count, 0),
        };
      });
    res.json({ lanes });
  });
  return router;
}
