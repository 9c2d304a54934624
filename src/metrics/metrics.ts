/**
 * Every pushgate metric, registered on an injected registry (tests pass a fresh one). Labels are
 * bounded: tenant, provider, outcome, state, status, reason, class, route — never a token or a user.
 */
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';

export interface GaugeSources {
  laneStats(): Promise<Array<{ tenant: string; provider: string; depth: number; oldestAgeSeconds: number }>>;
  devices(): Promise<Array<{ tenant: string; provider: string; count: number }>>;
  pauses(): Promise<Array<{ tenant: string; provider: string; reason: string }>>;
  /** Every configured lane, so gauges read 0 (not absent) for idle lanes. */
  lanes(): Array<{ tenant: string; provider: string }>;
  /** Pending webhook events per tenant; tenants with webhooks and nothing pending read 0. */
  outbox?(): Promise<Array<{ tenant: string; depth: number; oldestAgeSeconds: number }>>;
}

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(registry: Registry, opts: { defaultMetrics?: boolean } = {}) {
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let sources: GaugeSources | undefined;

  const m = {
    httpRequests: new Counter({ name: 'pushgate_http_requests_total', help: 'HTTP requests answered', labelNames: ['route', 'method', 'status'], registers }),
    httpDuration: new Histogram({
      name: 'pushgate_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['route', 'method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    // Fresh 202s only, with or without targets; an idempotent replay accepted nothing new.
    messagesAccepted: new Counter({ name: 'pushgate_messages_accepted_total', help: 'Messages accepted (202), idempotent replays excluded', labelNames: ['tenant'], registers }),
    // Two counters, so that no sum adds a vendor answer to a final state: a delivery makes one
    // attempt per vendor answer, and reaches exactly one final state.
    attempts: new Counter({
      name: 'pushgate_delivery_attempts_total',
      help: 'Vendor answers per delivery attempt by normalized outcome (sent, invalid_token, retry, rate_limited, quota_exceeded, rejected, auth_error)',
      labelNames: ['tenant', 'provider', 'outcome'],
      registers,
    }),
    deliveries: new Counter({
      name: 'pushgate_deliveries_total',
      help: 'Deliveries that left the queue, by final state (sent, failed, expired, canceled), once per time they end: a replayed delivery counts again; delivered receipts are counted in pushgate_deliveries_delivered_total',
      labelNames: ['tenant', 'provider', 'state'],
      registers,
    }),
    // Replay (POST /v1/messages/{id}/retry, /v1/deliveries/retry): failed/expired deliveries put back to queued.
    requeued: new Counter({
      name: 'pushgate_deliveries_requeued_total',
      help: 'Failed or expired deliveries put back to queued by a replay',
      labelNames: ['tenant', 'provider'],
      registers,
    }),
    // Cancel of sent deliveries: recalled, not_recallable (the vendor has no recall, or nothing to take back), failed.
    recalls: new Counter({
      name: 'pushgate_recalls_total',
      help: 'Sent deliveries a cancel asked the vendor to take back, by outcome (recalled, not_recallable, failed)',
      labelNames: ['tenant', 'provider', 'outcome'],
      registers,
    }),
    // A subset of deliveries_total{state="sent"}: never add the two.
    delivered: new Counter({
      name: 'pushgate_deliveries_delivered_total',
      help: 'Sent deliveries that a vendor receipt turned delivered, once each',
      labelNames: ['tenant', 'provider'],
      registers,
    }),
    providerDuration: new Histogram({
      name: 'pushgate_provider_request_duration_seconds',
      help: 'Vendor request duration',
      labelNames: ['provider'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    providerErrors: new Counter({ name: 'pushgate_provider_errors_total', help: 'Vendor request failures by reason', labelNames: ['provider', 'reason'], registers }),
    tokensPruned: new Counter({ name: 'pushgate_tokens_pruned_total', help: 'Devices deleted because the vendor said the token is dead', labelNames: ['tenant', 'provider'], registers }),
    providerUp: new Gauge({ name: 'pushgate_provider_up', help: '1 when the lane can authenticate with its vendor, 0 when paused on auth errors', labelNames: ['tenant', 'provider'], registers }),
    quotaRemaining: new Gauge({ name: 'pushgate_quota_remaining', help: 'Remaining daily quota as last reported by the vendor', labelNames: ['tenant', 'provider', 'class'], registers }),
    receipts: new Counter({ name: 'pushgate_receipts_total', help: 'Vendor delivery receipts by status', labelNames: ['tenant', 'provider', 'status'], registers }),
    webhooks: new Counter({
      name: 'pushgate_webhooks_total',
      help: 'Webhook POST attempts by event and outcome (delivered, retry: will be sent again, failed: given up or refused)',
      labelNames: ['tenant', 'event', 'outcome'],
      registers,
    }),
    setSources(s: GaugeSources) {
      sources = s;
    },
  };

  // The two lane gauges share one shape: per-lane laneStats values, idle lanes reading 0 (not absent).
  const laneGauge = (name: string, help: string, pick: (s: { depth: number; oldestAgeSeconds: number }) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['tenant', 'provider'],
      registers,
      async collect() {
        if (!sources) return;
        this.reset();
        for (const l of sources.lanes()) this.set({ tenant: l.tenant, provider: l.provider }, 0);
        for (const s of await sources.laneStats()) this.set({ tenant: s.tenant, provider: s.provider }, pick(s));
      },
    });
  laneGauge('pushgate_queue_depth', 'Deliveries waiting or in flight per lane', (s) => s.depth);
  laneGauge('pushgate_queue_oldest_age_seconds', 'Age of the oldest pending delivery per lane', (s) => s.oldestAgeSeconds);
  new Gauge({
    name: 'pushgate_devices',
    help: 'Registered devices',
    labelNames: ['tenant', 'provider'],
    registers,
    async collect() {
      if (!sources) return;
      this.reset();
      for (const d of await sources.devices()) this.set({ tenant: d.tenant, provider: d.provider }, d.count);
    },
  });
  new Gauge({
    name: 'pushgate_lane_paused',
    help: '1 while a lane (or one of its quota classes) is paused, by reason (rate_limited, quota:<class>, auth)',
    labelNames: ['tenant', 'provider', 'reason'],
    registers,
    async collect() {
      if (!sources) return;
      this.reset();
      for (const p of await sources.pauses()) this.set({ tenant: p.tenant, provider: p.provider, reason: p.reason }, 1);
    },
  });
  const outboxGauge = (name: string, help: string, pick: (s: { depth: number; oldestAgeSeconds: number }) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['tenant'],
      registers,
      async collect() {
        if (!sources?.outbox) return;
        this.reset();
        for (const s of await sources.outbox()) this.set({ tenant: s.tenant }, pick(s));
      },
    });
  outboxGauge('pushgate_webhook_outbox_depth', 'Webhook events waiting to be delivered (pending, in flight included)', (s) => s.depth);
  outboxGauge('pushgate_webhook_outbox_oldest_age_seconds', 'Age of the oldest pending webhook event', (s) => s.oldestAgeSeconds);
  return m;
}
