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
import { createVendorHttp, transportReason, type VendorHttp } from '../shared/http.js';
import { retryAfterOf, sameResult } from '../shared/results.js';
import { parseJsonObject } from '../shared/text.js';
import type { DeliveryTarget, ProviderDeps, PushProvider, SendBatch, SendOutcome, SendResult } from '../types.js';
import { resolveHosts, type RongCloudConfig } from './rongcloud.config.js';
import { classifyRongCloud, TRANSPORT_FAILURE, type RcClassification } from './rongcloud.errors.js';
import { buildAuthHeaders, buildPushUserRequest, type RongCloudOverrides } from './rongcloud.request.js';
import { RC_PUSH_USER_PATH, type RcPushUserRequest } from './rongcloud.wire.js';

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
      return { results: sameResult(targets, { outcome: 'rejected', vendorCode: 'data_only', vendorMessage: DATA_ONLY_MESSAGE }) };
    }
    // The dispatcher sends 1..100 distinct user ids with one payload (limits.maxTargetsPerRequest): one request.
    const body = buildPushUserRequest(message, targets.map((t) => t.token), this.config, batch.overrides);
    return { results: resultsFor(targets, await this.sendWithFailover(body)) };
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
      const data = parseJsonObject(res.data);
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
        retryAfterMs: retryAfterOf(res.headers, this.deps.now()),
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

/** RongCloud answers for the whole request: every target gets its outcome. */
function resultsFor(targets: DeliveryTarget[], a: Attempt): SendResult[] {
  return a.cls.outcome === 'sent'
    ? sameResult(targets, { outcome: 'sent', vendorCode: a.vendorCode, vendorMessageId: a.pushId })
    : sameResult(targets, { outcome: a.cls.outcome, vendorCode: a.vendorCode, vendorMessage: a.vendorMessage, retryAfterMs: a.retryAfterMs });
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v);
  return undefined;
}
