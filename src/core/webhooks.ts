/**
 * Webhooks: signed POSTs to the tenant's backend from a durable outbox.
 *
 * - `WebhookOutbox.writer(tenant)` turns the store's state changes into outbox rows; the store
 *   writes them in the transaction of the change (src/store/types.ts StoreChange), so an event
 *   exists if and only if its change committed. message.completed is decided there too: the
 *   transaction that finishes a message's last queued/sending delivery writes it, once.
 * - `WebhookSender` leases due rows (as lanes lease deliveries, so several instances send each
 *   event once in the normal case), POSTs them with axios (keep-alive, timeout, no redirects, the
 *   address re-checked at connect time), and retries with full-jitter backoff until the row's
 *   giveUpAt (24 h by default), after which it stays `failed` for the listing and the retry route.
 * - `WebhookService` is what the routes call.
 */
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import axios, { type AxiosInstance } from 'axios';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics.js';
import type { NewOutboxEvent, OutboxRow, OutboxState, OutboxUpdate, OutboxWriter, Store, StoreChange } from '../store/types.js';
import { fullJitter } from './backoff.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { DomainError } from './errors.js';
import { guardedLookup, isPrivateAddress } from './webhook-address.js';
import type { WebhookEvent } from './webhook-events.js';

export interface WebhookEndpoint {
  url: string;
  events: readonly WebhookEvent[];
  secret: string;
}

export interface TenantWebhooks {
  webhooks: readonly WebhookEndpoint[];
  allowPrivateNetworks: boolean;
}

export interface WebhookSettings {
  /** A claimed event whose sender died is sent again after this. */
  leaseMs: number;
  /** Events leased per claim, and so POSTs in flight per instance. */
  batch: number;
  pollIntervalMs: number;
  timeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Retries stop this long after the event was written (or retried by hand); it is then `failed`. */
  maxAgeMs: number;
}

export const SIGNATURE_HEADER = 'Pushgate-Signature';
export const EVENT_ID_HEADER = 'Pushgate-Event-Id';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` */
export function signatureHeader(secret: string, unixSeconds: number, body: string): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

const eventId = (now: number) => `evt_${now.toString(36).padStart(9, '0')}${randomUUID().replace(/-/g, '').slice(0, 16)}`;

/** The event a store change is, with its body's `data`; null when the change is no event. */
function eventOf(change: StoreChange): { event: WebhookEvent; data: Record<string, unknown> } | null {
  switch (change.kind) {
    case 'message_done':
      return { event: 'message.completed', data: { messageId: change.messageId, counts: change.counts } };
    case 'device_pruned':
      // The device id and the user id: never the token.
      return { event: 'device.pruned', data: { deviceId: change.deviceId, userId: change.userId, provider: change.provider, reason: 'invalid_token' } };
    case 'delivery': {
      const base = { messageId: change.messageId, deliveryId: change.deliveryId, provider: change.provider };
      if (change.state === 'delivered') return { event: 'delivery.delivered', data: base };
      if (change.state === 'failed' || change.state === 'expired') return { event: 'delivery.failed', data: { ...base, state: change.state, attempts: change.attempts, error: change.error } };
      return null;
    }
  }
}

export class WebhookOutbox {
  constructor(
    private readonly tenants: ReadonlyMap<string, TenantWebhooks>,
    private readonly maxAgeMs: number,
  ) {}

  /** The writer for a tenant's changes; undefined when it has no webhook, so the store skips the work. */
  writer(tenant: string): OutboxWriter | undefined {
    const hooks = this.tenants.get(tenant)?.webhooks ?? [];
    if (!hooks.length) return undefined;
    return (change, now) => {
      const e = eventOf(change);
      if (!e) return [];
      const rows: NewOutboxEvent[] = [];
      for (const h of hooks) {
        if (!h.events.includes(e.event)) continue;
        const id = eventId(now);
        const body = JSON.stringify({ id, type: e.event, createdAt: new Date(now).toISOString(), tenant, data: e.data });
        rows.push({ id, tenant, url: h.url, event: e.event, body, giveUpAt: now + this.maxAgeMs });
      }
      return rows;
    };
  }
}

export interface WebhookSenderDeps {
  store: Store;
  tenants: ReadonlyMap<string, TenantWebhooks>;
  metrics: Metrics;
  logger: Logger;
  now(): number;
  random(): number;
  owner: string;
  settings: WebhookSettings;
}

export class WebhookSender {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private readonly clients = new Map<boolean, AxiosInstance>();

  constructor(private readonly deps: WebhookSenderDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Run a round soon (an event was retried by hand). */
  kick(): void {
    if (this.running && !this.current) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.current;
    const released = await this.deps.store.releaseOutbox(this.deps.owner, this.deps.now());
    if (released) this.deps.logger.info({ released }, 'released claimed webhook events for other instances');
    for (const c of this.clients.values()) {
      (c.defaults.httpAgent as http.Agent | undefined)?.destroy();
      (c.defaults.httpsAgent as https.Agent | undefined)?.destroy();
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.current = this.round()
        .catch((err: unknown) => {
          this.deps.logger.error({ err }, 'webhook round failed; retrying');
          return false;
        })
        .then((more) => {
          this.current = undefined;
          if (this.running) this.schedule(more ? 0 : this.deps.settings.pollIntervalMs);
        });
    }, ms);
    this.timer.unref?.();
  }

  /** One claim's worth of events: true when the claim was full (more may be due). */
  async round(): Promise<boolean> {
    const { store, now, owner, settings } = this.deps;
    const t = now();
    const rows = await store.claimOutbox(owner, t, t + settings.leaseMs, settings.batch);
    if (!rows.length) return false;
    const updates = await Promise.all(rows.map((r) => this.deliver(r)));
    await store.completeOutbox(owner, updates, now());
    return rows.length === settings.batch;
  }

  private async deliver(row: OutboxRow): Promise<OutboxUpdate> {
    const { metrics, now, settings } = this.deps;
    const attempts = row.attempts + 1;
    const count = (outcome: 'delivered' | 'retry' | 'failed') => metrics.webhooks.inc({ tenant: row.tenant, event: row.event, outcome });
    const tenant = this.deps.tenants.get(row.tenant);
    const hook = tenant?.webhooks.find((h) => h.url === row.url);
    if (!tenant || !hook) {
      count('failed');
      return { id: row.id, state: 'failed', attempts: row.attempts, error: 'this webhook URL is no longer in the tenant config' };
    }
    let error: string;
    try {
      const host = new URL(row.url).hostname.replace(/^\[|\]$/g, '');
      // An IP literal never reaches the agent's lookup: check it here.
      if (isIP(host) && isPrivateAddress(host) && !tenant.allowPrivateNetworks) throw Object.assign(new Error(`${host} is a private address; set allowPrivateNetworks: true to allow it`), { code: 'EPRIVATEADDRESS' });
      const res = await this.client(tenant.allowPrivateNetworks).post(row.url, row.body, {
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'pushgate-webhooks',
          [SIGNATURE_HEADER]: signatureHeader(hook.secret, Math.floor(now() / 1000), row.body),
          [EVENT_ID_HEADER]: row.id,
          'Pushgate-Event': row.event,
        },
      });
      if (res.status >= 200 && res.status < 300) {
        count('delivered');
        return { id: row.id, state: 'delivered', attempts, error: null };
      }
      error = `the receiver answered ${res.status}`;
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.code === 'EPRIVATEADDRESS') {
        count('failed');
        return { id: row.id, state: 'failed', attempts, error: e.message };
      }
      error = `${e.code ?? 'error'}: ${e.message}`;
    }
    const next = now() + fullJitter(attempts, settings.backoffBaseMs, settings.backoffMaxMs, this.deps.random);
    if (next >= row.giveUpAt) {
      count('failed');
      return { id: row.id, state: 'failed', attempts, error: `${error}; gave up after ${attempts} attempts` };
    }
    count('retry');
    return { id: row.id, state: 'pending', attempts, dueAt: next, error };
  }

  /** One keep-alive client per address policy; redirects never followed, any status returned. */
  private client(allowPrivate: boolean): AxiosInstance {
    let c = this.clients.get(allowPrivate);
    if (!c) {
      const lookup = guardedLookup(allowPrivate);
      c = axios.create({
        timeout: this.deps.settings.timeoutMs,
        maxRedirects: 0,
        validateStatus: () => true,
        responseType: 'text',
        transformRequest: [(body: unknown) => body],
        transitional: { clarifyTimeoutError: true },
        httpAgent: new http.Agent({ keepAlive: true, lookup }),
        httpsAgent: new https.Agent({ keepAlive: true, lookup }),
        proxy: false,
      });
      this.clients.set(allowPrivate, c);
    }
    return c;
  }
}

/** GET /v1/webhooks/deliveries */
export interface WebhookDeliveriesQuery {
  state: OutboxState;
  limit: number;
  cursor?: string | undefined;
}

export interface ListedWebhookDelivery {
  id: string;
  event: string;
  url: string;
  state: OutboxState;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  nextAttemptAt?: string;
}

/** Events one retry call puts back at most. */
export const WEBHOOK_RETRY_LIMIT = 1000;

export class WebhookService {
  constructor(
    private readonly deps: {
      store: Pick<Store, 'listOutbox' | 'retryOutbox'>;
      now(): number;
      maxAgeMs: number;
      kick(): void;
    },
  ) {}

  async deliveries(tenant: string, q: WebhookDeliveriesQuery): Promise<{ deliveries: ListedWebhookDelivery[]; nextCursor: string | null }> {
    const after = q.cursor === undefined ? null : decodeCursor('webhook-deliveries', q.cursor);
    if (q.cursor !== undefined && !after) throw new DomainError('invalid_request', 'query parameter cursor: not a nextCursor of this list', [{ field: 'query.cursor', message: 'not a nextCursor of this list' }]);
    const rows = await this.deps.store.listOutbox(tenant, q.state, after, q.limit);
    const last = rows[rows.length - 1];
    return {
      deliveries: rows.map((r) => ({
        id: r.id,
        event: r.event,
        url: r.url,
        state: r.state,
        attempts: r.attempts,
        lastError: r.lastError,
        createdAt: new Date(r.createdAt).toISOString(),
        updatedAt: new Date(r.updatedAt).toISOString(),
        ...(r.state === 'pending' ? { nextAttemptAt: new Date(r.dueAt).toISOString() } : {}),
      })),
      nextCursor: last && rows.length === q.limit ? encodeCursor('webhook-deliveries', { at: last.createdAt, id: last.id }) : null,
    };
  }

  /** Failed events (these ids, or the oldest of the tenant's) back to pending with a fresh 24 h. */
  async retry(tenant: string, body: { ids?: string[] | undefined }): Promise<{ retried: number }> {
    const now = this.deps.now();
    const retried = await this.deps.store.retryOutbox(tenant, body.ids ?? null, now, now + this.deps.maxAgeMs, WEBHOOK_RETRY_LIMIT);
    if (retried) this.deps.kick();
    return { retried };
  }
}
