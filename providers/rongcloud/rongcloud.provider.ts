/**
 * RongCloud adapter: `POST /push/user.json` to ≤100 user ids per request, each request signed with
 * `sha1(appSecret + nonce + timestamp)` (docs/vendors/rongcloud.md). A thin transport: the body comes from
 * rongcloud.request.ts and the outcome from rongcloud.errors.ts.
 *
 * Host failover (docs/vendors/rongcloud.md#endpoints; RC-go `sdk/rongcloud.go` checkStatusCode/ChangeURI): when the
 * current host fails with a transport error, HTTP 5xx or code 1000/1050, the same request (newly signed)
 * is tried ONCE on the other host within the same send; if that fails too, every target gets `retry`
 * and the dispatcher backs off. The host that gave a definite answer becomes the current one, as the
 * official SDKs switch their URI, so an outage of the primary does not cost a timeout per batch.
 *
 * No `refreshCredentials`: the signature is static (no token to renew), so on `auth_error` the
 * dispatcher pauses the lane at once.
 */
import { createVendorHttp, parseRetryAfter, transportReason, type VendorHttp } from '../shared/http.js';
import type { DeliveryTarget, ProviderDeps, PushProvider, SendBatch, SendOutcome, SendResult } from '../types.js';
import { resolveHosts, type RongCloudConfig } from './rongcloud.config.js';
import { classifyRongCloud, TRANSPORT_FAILURE, type RcClassification } from './rongcloud.errors.js';
import { buildAuthHeaders, buildPushUserRequest, type RongCloudOverrides } from './rongcloud.request.js';
import { RC_MAX_USER_IDS, RC_PUSH_USER_PATH, type RcPushUserRequest } from './rongcloud.wire.js';

export const DATA_ONLY_MESSAGE =
  'RongCloud /push/user.json only shows notifications and requires pushContent: a data-only (silent) message cannot be sent to provider rongcloud; add a notification';

interface Attempt {
  host: string;
  cls: RcClassification;
  vendorCode: string;
  vendorMessage: string;
  pushId?: string | undefined;
  retryAfterMs?: number | undefined;
}

export class RongCloudProvider implements PushProvider<RongCloudOverrides> {
  private readonly hosts: string[];
  private readonly clients: VendorHttp[];
  /** Index of the host tried first. */
  private current = 0;

  constructor(
    private readonly config: RongCloudConfig,
    private readonly deps: ProviderDeps,
  ) {
    const { primary, backup } = resolveHosts(config);
    this.hosts = backup && backup !== primary ? [primary, backup] : [primary];
    this.clients = this.hosts.map((baseURL) => createVendorHttp({ baseURL, timeoutMs: config.timeoutMs, ca: config.ca }, deps));
  }

  /** The host the next request goes to first (exposed for tests and diagnostics). */
  get currentHost(): string {
    return this.hosts[this.current] ?? this.hosts[0]!;
  }

  async send(batch: SendBatch<RongCloudOverrides>): Promise<SendOutcome> {
    const { message, targets } = batch;
    if (targets.length === 0) return { results: [] };
    if (!message.notification) {
      return { results: targets.map((t) => ({ deliveryId: t.deliveryId, outcome: 'rejected', vendorCode: 'data_only', vendorMessage: DATA_ONLY_MESSAGE })) };
    }
    const results: SendResult[] = [];
    // The dispatcher already sends ≤ maxTargetsPerRequest; chunk anyway so a bigger batch never becomes 1002.
    for (let i = 0; i < targets.length; i += RC_MAX_USER_IDS) {
      const chunk = targets.slice(i, i + RC_MAX_USER_IDS);
      const body = buildPushUserRequest(message, chunk.map((t) => t.token), this.config, batch.overrides);
      results.push(...resultsFor(chunk, await this.sendWithFailover(body)));
    }
    return { results };
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.close();
  }

  private async sendWithFailover(body: RcPushUserRequest): Promise<Attempt> {
    const first = this.current;
    let attempt = await this.attempt(first, body);
    if (!attempt.cls.failover || this.hosts.length < 2) return attempt;
    const other = 1 - first;
    this.deps.logger.warn(
      { provider: 'rongcloud', host: attempt.host, backup: this.hosts[other], vendorCode: attempt.vendorCode },
      'RongCloud host failed; trying the other host once',
    );
    attempt = await this.attempt(other, body);
    if (!attempt.cls.failover) this.current = other;
    return attempt;
  }

  private async attempt(index: number, body: RcPushUserRequest): Promise<Attempt> {
    const host = this.hosts[index]!;
    const client = this.clients[index]!;
    const headers = buildAuthHeaders(this.config.appKey, this.config.appSecret, this.deps.now(), () => this.deps.random());
    try {
      const res = await client.post(RC_PUSH_USER_PATH, body, { ...headers, 'Content-Type': 'application/json' });
      const data = asObject(res.data);
      const code = numberOf(data?.['code']);
      const cls = classifyRongCloud(res.status, code);
      const errorMessage = typeof data?.['errorMessage'] === 'string' ? data['errorMessage'] : undefined;
      const id = data?.['id'];
      return {
        host,
        cls,
        vendorCode: code !== undefined ? String(code) : `http_${res.status}`,
        vendorMessage: errorMessage ? `${errorMessage} (${cls.meaning})` : cls.meaning,
        pushId: typeof id === 'string' && id !== '' ? id : undefined,
        retryAfterMs: parseRetryAfter(res.headers['retry-after'], this.deps.now()),
      };
    } catch (err) {
      return {
        host,
        cls: TRANSPORT_FAILURE,
        vendorCode: transportReason(err),
        vendorMessage: `transport error talking to ${host}: ${(err as Error)?.message ?? String(err)}`,
      };
    }
  }
}

function resultsFor(targets: DeliveryTarget[], a: Attempt): SendResult[] {
  return targets.map((t) => {
    const r: SendResult = { deliveryId: t.deliveryId, outcome: a.cls.outcome, vendorCode: a.vendorCode };
    if (a.cls.outcome === 'sent') {
      if (a.pushId) r.vendorMessageId = a.pushId;
    } else {
      r.vendorMessage = a.vendorMessage;
      if (a.retryAfterMs !== undefined) r.retryAfterMs = a.retryAfterMs;
    }
    return r;
  });
}

function asObject(data: unknown): Record<string, unknown> | undefined {
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) return data as Record<string, unknown>;
  if (typeof data === 'string' && data.trim().startsWith('{')) {
    try {
      return asObject(JSON.parse(data));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v);
  return undefined;
}
