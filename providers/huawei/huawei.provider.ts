/**
 * Huawei Push Kit v1 adapter: a thin transport around the pure builders and the outcome table.
 * OAuth client-credentials token cached per tenant (docs/vendors/huawei.md#authentication), one send request per
 * ≤1000 tokens, one SendResult per target.
 */
import { CredentialCache, type FetchedCredential } from '../shared/credentials.js';
import { createVendorHttp, type VendorHttp, type VendorResponse } from '../shared/http.js';
import { fetchOAuthToken } from '../shared/oauth.js';
import { credentialFailure, retryAfterOf, sameResult, transportRetry } from '../shared/results.js';
import { clip, parseJsonObject } from '../shared/text.js';
import type { DeliveryTarget, ProviderDeps, PushProvider, SendBatch, SendOutcome, SendResult } from '../types.js';
import type { HuaweiConfig } from './huawei.config.js';
import { huaweiOutcomeFor, huaweiTokenFailureOutcome, parseIllegalTokens } from './huawei.errors.js';
import { buildHuaweiSendHeaders, buildHuaweiSendRequest, buildHuaweiTokenRequest, huaweiSendPath, type HuaweiOverrides } from './huawei.request.js';
import { HUAWEI_CODES, type HuaweiSendResponse, type HuaweiTokenError } from './huawei.wire.js';

/** Refresh this long before `expires_in` runs out (at most half the token's life for short-lived tokens). */
export const HUAWEI_TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** Used when the token answer has no usable `expires_in` (Huawei documents 3600 s). */
const DEFAULT_TOKEN_LIFETIME_S = 3600;

export class HuaweiProvider implements PushProvider<HuaweiOverrides> {
  private readonly pushHttp: VendorHttp;
  private readonly authHttp: VendorHttp;
  private readonly tokens: CredentialCache<string>;

  constructor(
    private readonly config: HuaweiConfig,
    private readonly deps: ProviderDeps,
  ) {
    this.pushHttp = createVendorHttp({ baseURL: config.endpoint, ca: config.ca, timeoutMs: config.timeoutMs }, deps);
    this.authHttp = createVendorHttp({ baseURL: config.authEndpoint, ca: config.ca, maxSockets: 4, timeoutMs: config.timeoutMs }, deps);
    this.tokens = new CredentialCache({ fetch: () => this.fetchToken(), now: () => deps.now(), refreshMarginMs: HUAWEI_TOKEN_REFRESH_MARGIN_MS });
  }

  /** The dispatcher sends 1..1000 distinct tokens with one payload (limits.maxTargetsPerRequest): one request. */
  async send(batch: SendBatch<HuaweiOverrides>): Promise<SendOutcome> {
    const { targets } = batch;
    if (targets.length === 0) return { results: [] };

    let accessToken: string;
    try {
      accessToken = await this.tokens.get();
    } catch (err) {
      return { results: sameResult(targets, credentialFailure(err)) };
    }

    const tokens = targets.map((t) => t.token);
    const body = buildHuaweiSendRequest(batch.message, tokens, this.config, batch.callbackRef, this.deps.now(), batch.overrides);
    let res: VendorResponse;
    try {
      res = await this.pushHttp.post(huaweiSendPath(this.config.appId), body, buildHuaweiSendHeaders(accessToken));
    } catch (err) {
      return { results: sameResult(targets, transportRetry(err)) };
    }
    return { results: this.interpret(res, targets) };
  }

  async warmUp(): Promise<void> {
    await this.tokens.get();
  }

  async refreshCredentials(): Promise<void> {
    this.tokens.invalidate();
  }

  async close(): Promise<void> {
    this.pushHttp.close();
    this.authHttp.close();
  }

  private fetchToken(): Promise<FetchedCredential<string>> {
    return fetchOAuthToken({
      provider: 'huawei',
      http: this.authHttp,
      request: buildHuaweiTokenRequest(this.config),
      now: () => this.deps.now(),
      logger: this.deps.logger,
      defaultLifetimeSeconds: DEFAULT_TOKEN_LIFETIME_S,
      failureOutcome: huaweiTokenFailureOutcome,
      describeError: (data, status) => {
        const { error, sub_error: subError, error_description: description } = (data ?? {}) as Partial<HuaweiTokenError>;
        const detail = [subError !== undefined ? `sub_error ${String(subError)}` : '', typeof description === 'string' ? description : ''].filter(Boolean).join(': ');
        return { vendorCode: error !== undefined ? String(error) : `http_${status}`, detail };
      },
    });
  }


  private interpret(res: VendorResponse, targets: readonly DeliveryTarget[]): SendResult[] {
    const data = parseJsonObject(res.data) as Partial<HuaweiSendResponse> | undefined;
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
    const retryAfterMs = outcome === 'rate_limited' || outcome === 'retry' ? retryAfterOf(res.headers, this.deps.now()) : undefined;
    return sameResult(targets, {
      outcome,
      vendorCode: code ?? `http_${res.status}`,
      vendorMessage: outcome === 'sent' ? undefined : clip(msg ?? `HTTP ${res.status}`),
      vendorMessageId: requestId,
      retryAfterMs,
    });
  }
}
