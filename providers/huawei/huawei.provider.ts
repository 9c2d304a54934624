/**
 * Huawei Push Kit v1 adapter: a thin transport around the pure builders and the outcome table.
 * OAuth client-credentials token cached per tenant (docs/vendors/huawei.md#authentication), one send request per
 * ≤1000 tokens, one SendResult per target.
 */
import type { AxiosResponse } from 'axios';
import { createVendorHttp, parseRetryAfter, transportReason, type VendorHttp } from '../shared/http.js';
import type { DeliveryTarget, Outcome, ProviderDeps, PushProvider, SendBatch, SendOutcome, SendResult } from '../types.js';
import type { HuaweiConfig } from './huawei.config.js';
import { huaweiOutcomeFor, huaweiTokenFailureOutcome, parseIllegalTokens } from './huawei.errors.js';
import { buildHuaweiSendHeaders, buildHuaweiSendRequest, buildHuaweiTokenRequest, huaweiSendPath, type HuaweiOverrides } from './huawei.request.js';
import { HUAWEI_CODES, HUAWEI_MAX_TOKENS, type HuaweiSendResponse, type HuaweiTokenError, type HuaweiTokenResponse } from './huawei.wire.js';

/** Refresh this long before `expires_in` runs out (at most half the token's life for short-lived tokens). */
export const HUAWEI_TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** Used when the token answer has no usable `expires_in` (Huawei documents 3600 s). */
const DEFAULT_TOKEN_LIFETIME_S = 3600;
/** Vendor text kept on a result, bounded (an answer may echo long strings). */
const MAX_VENDOR_MESSAGE = 200;

interface CachedToken {
  value: string;
  /** deps.now() after which a new token is fetched before sending. */
  refreshAt: number;
}

/** Why no access token could be had; turned into one outcome for every target. */
class TokenFailure extends Error {
  constructor(
    readonly outcome: Outcome,
    message: string,
    readonly vendorCode?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export class HuaweiProvider implements PushProvider<HuaweiOverrides> {
  private readonly pushHttp: VendorHttp;
  private readonly authHttp: VendorHttp;
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;
  /** Bumped by refreshCredentials so a token fetched before the drop is not cached after it. */
  private generation = 0;

  constructor(
    private readonly config: HuaweiConfig,
    private readonly deps: ProviderDeps,
  ) {
    this.pushHttp = createVendorHttp({ baseURL: config.endpoint, ca: config.ca }, deps);
    this.authHttp = createVendorHttp({ baseURL: config.authEndpoint, ca: config.ca, maxSockets: 4 }, deps);
  }

  async send(batch: SendBatch<HuaweiOverrides>): Promise<SendOutcome> {
    const { targets } = batch;
    if (targets.length === 0) return { results: [] };
    // The dispatcher batches by limits.maxTargetsPerRequest; split anyway rather than earn 80300010.
    if (targets.length > HUAWEI_MAX_TOKENS) {
      const chunks: DeliveryTarget[][] = [];
      for (let i = 0; i < targets.length; i += HUAWEI_MAX_TOKENS) chunks.push(targets.slice(i, i + HUAWEI_MAX_TOKENS));
      const outcomes = await Promise.all(chunks.map((chunk) => this.send({ ...batch, targets: chunk })));
      return { results: outcomes.flatMap((o) => o.results) };
    }

    let accessToken: string;
    try {
      accessToken = await this.accessToken();
    } catch (err) {
      const f = err instanceof TokenFailure ? err : new TokenFailure('retry', String(err));
      return {
        results: everyTarget(targets, { outcome: f.outcome, vendorCode: f.vendorCode, vendorMessage: f.message, retryAfterMs: f.retryAfterMs }),
      };
    }

    // A token listed twice (two deliveries, e.g. raw tokens) is sent once; both get its result.
    const tokens = [...new Set(targets.map((t) => t.token))];
    const body = buildHuaweiSendRequest(batch.message, tokens, this.config, batch.callbackRef, this.deps.now(), batch.overrides);
    let res: AxiosResponse;
    try {
      res = await this.pushHttp.post(huaweiSendPath(this.config.appId), body, buildHuaweiSendHeaders(accessToken));
    } catch (err) {
      return { results: everyTarget(targets, { outcome: 'retry', vendorMessage: `transport: ${transportReason(err)}` }) };
    }
    return { results: this.interpret(res, targets) };
  }

  async warmUp(): Promise<void> {
    await this.accessToken();
  }

  async refreshCredentials(): Promise<void> {
    this.generation += 1;
    this.cached = undefined;
    this.inflight = undefined;
  }

  async close(): Promise<void> {
    this.pushHttp.close();
    this.authHttp.close();
  }

  /** The cached token, or one shared in-flight request for a new one. */
  private accessToken(): Promise<string> {
    if (this.cached && this.deps.now() < this.cached.refreshAt) return Promise.resolve(this.cached.value);
    if (!this.inflight) {
      const generation = this.generation;
      const request: Promise<string> = this.fetchToken()
        .then((token) => {
          if (generation === this.generation) this.cached = token;
          return token.value;
        })
        .finally(() => {
          if (this.inflight === request) this.inflight = undefined;
        });
      this.inflight = request;
    }
    return this.inflight;
  }

  private async fetchToken(): Promise<CachedToken> {
    const requestedAt = this.deps.now();
    const req = buildHuaweiTokenRequest(this.config);
    let res: AxiosResponse;
    try {
      res = await this.authHttp.post(req.path, req.body, req.headers);
    } catch (err) {
      throw new TokenFailure('retry', `token request failed: ${transportReason(err)}`);
    }
    const data = asObject(res.data) as Partial<HuaweiTokenResponse & HuaweiTokenError> | undefined;
    if (res.status === 200 && typeof data?.access_token === 'string' && data.access_token !== '') {
      const expiresIn = typeof data.expires_in === 'number' && data.expires_in > 0 ? data.expires_in : DEFAULT_TOKEN_LIFETIME_S;
      const lifetimeMs = expiresIn * 1000;
      const margin = Math.min(HUAWEI_TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 2);
      return { value: data.access_token, refreshAt: requestedAt + lifetimeMs - margin };
    }
    const outcome = res.status === 200 ? 'retry' : huaweiTokenFailureOutcome(res.status);
    const vendorCode = data?.error !== undefined ? String(data.error) : `http_${res.status}`;
    const detail = [data?.sub_error !== undefined ? `sub_error ${String(data.sub_error)}` : '', typeof data?.error_description === 'string' ? data.error_description : '']
      .filter(Boolean)
      .join(': ');
    this.deps.logger.warn({ provider: 'huawei', status: res.status, vendorCode }, 'huawei OAuth token request refused');
    throw new TokenFailure(
      outcome,
      clip(`OAuth token request refused (HTTP ${res.status})${detail ? `: ${detail}` : ''}`),
      vendorCode,
      outcome === 'rate_limited' ? parseRetryAfter(res.headers['retry-after'], this.deps.now()) : undefined,
    );
  }

  private interpret(res: AxiosResponse, targets: readonly DeliveryTarget[]): SendResult[] {
    const data = asObject(res.data) as Partial<HuaweiSendResponse> | undefined;
    const code = data?.code !== undefined && data.code !== null ? String(data.code) : undefined;
    const requestId = typeof data?.requestId === 'string' ? data.requestId : undefined;
    const msg = typeof data?.msg === 'string' ? data.msg : undefined;

    if (code === HUAWEI_CODES.PARTIAL_SUCCESS && res.status < 300) {
      const illegal = parseIllegalTokens(data?.msg);
      if (!illegal) {
        // The vendor accepted the valid tokens, so resending would duplicate; dead tokens will
        // still be pruned by receipts (status 2/5/10).
        this.deps.logger.warn({ provider: 'huawei', requestId }, 'huawei partial success without a readable token list');
      }
      return targets.map((t) => {
        const reason = illegal?.get(t.token);
        return reason !== undefined
          ? { deliveryId: t.deliveryId, outcome: 'invalid_token', vendorCode: code, vendorMessage: clip(reason), vendorMessageId: requestId }
          : { deliveryId: t.deliveryId, outcome: 'sent', vendorCode: code, vendorMessageId: requestId };
      });
    }

    const outcome = huaweiOutcomeFor(code, res.status);
    const retryAfterMs =
      outcome === 'rate_limited' || outcome === 'retry' ? parseRetryAfter(res.headers['retry-after'], this.deps.now()) : undefined;
    return everyTarget(targets, {
      outcome,
      vendorCode: code ?? `http_${res.status}`,
      vendorMessage: outcome === 'sent' ? undefined : clip(msg ?? `HTTP ${res.status}`),
      vendorMessageId: requestId,
      retryAfterMs,
    });
  }
}

/** The same result for every target (whole-request answers). */
function everyTarget(targets: readonly DeliveryTarget[], r: Omit<SendResult, 'deliveryId'>): SendResult[] {
  const clean = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Omit<SendResult, 'deliveryId'>;
  return targets.map((t) => ({ deliveryId: t.deliveryId, ...clean }));
}

/** Axios hands JSON bodies over parsed and anything else as text; Huawei's are JSON. */
function asObject(data: unknown): Record<string, unknown> | undefined {
  if (typeof data === 'object' && data !== null) return data as Record<string, unknown>;
  if (typeof data === 'string' && data.trim().startsWith('{')) {
    try {
      return JSON.parse(data) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function clip(s: string): string {
  return s.length > MAX_VENDOR_MESSAGE ? `${s.slice(0, MAX_VENDOR_MESSAGE)}…` : s;
}
