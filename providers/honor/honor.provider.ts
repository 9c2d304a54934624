/**
 * Honor Push adapter: a thin transport around the pure builders and the outcome rules.
 * OAuth client-credentials token cached per tenant in the shared CredentialCache
 * (docs/vendors/honor.md#authentication), one send request per batch, one SendResult per target.
 */
import { CredentialCache, type FetchedCredential } from '../shared/credentials.js';
import { createVendorHttp, type VendorHttp, type VendorResponse } from '../shared/http.js';
import { fetchOAuthToken } from '../shared/oauth.js';
import { credentialFailure, retryAfterOf, sameResult, transportRetry } from '../shared/results.js';
import { clip, parseJsonObject } from '../shared/text.js';
import type { DeliveryTarget, ProviderDeps, PushProvider, SendBatch, SendOutcome, SendResult } from '../types.js';
import type { HonorConfig } from './honor.config.js';
import { honorAccepted, honorOutcomeFor, honorTokenFailureOutcome, readHonorAnswer } from './honor.errors.js';
import { buildHonorSendHeaders, buildHonorSendRequest, buildHonorTokenRequest, honorQuotaClassOf, honorSendPath, type HonorOverrides } from './honor.request.js';

/** Refresh this long before `expires_in` runs out (at most half the token's life for short-lived tokens). */
export const HONOR_TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** Used when the token answer has no usable `expires_in` (Honor's is typically 3600 s). */
const DEFAULT_TOKEN_LIFETIME_S = 3600;

export class HonorProvider implements PushProvider<HonorOverrides> {
  private readonly pushHttp: VendorHttp;
  private readonly authHttp: VendorHttp;
  private readonly tokens: CredentialCache<string>;

  constructor(
    private readonly config: HonorConfig,
    private readonly deps: ProviderDeps,
  ) {
    this.pushHttp = createVendorHttp({ baseURL: config.endpoint, ca: config.ca, timeoutMs: config.timeoutMs }, deps);
    this.authHttp = createVendorHttp({ baseURL: config.authEndpoint, ca: config.ca, maxSockets: 4, timeoutMs: config.timeoutMs }, deps);
    this.tokens = new CredentialCache({ fetch: () => this.fetchToken(), now: () => deps.now(), refreshMarginMs: HONOR_TOKEN_REFRESH_MARGIN_MS });
  }

  /** The dispatcher sends 1..1000 distinct tokens with one payload (limits.maxTargetsPerRequest): one request. */
  async send(batch: SendBatch<HonorOverrides>): Promise<SendOutcome> {
    const { targets } = batch;
    if (targets.length === 0) return { results: [] };
    const quotaClass = honorQuotaClassOf(batch.message.options.category);

    let accessToken: string;
    try {
      accessToken = await this.tokens.get();
    } catch (err) {
      return { results: sameResult(targets, credentialFailure(err)) };
    }

    const tokens = targets.map((t) => t.token);
    const now = this.deps.now();
    const body = buildHonorSendRequest(batch.message, tokens, batch.callbackRef, now, batch.overrides);
    let res: VendorResponse;
    try {
      res = await this.pushHttp.post(honorSendPath(this.config), body, buildHonorSendHeaders(accessToken, now));
    } catch (err) {
      return { results: sameResult(targets, transportRetry(err)) };
    }
    return { results: this.interpret(res, targets, quotaClass) };
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
      provider: 'honor',
      http: this.authHttp,
      request: buildHonorTokenRequest(this.config),
      now: () => this.deps.now(),
      logger: this.deps.logger,
      defaultLifetimeSeconds: DEFAULT_TOKEN_LIFETIME_S,
      failureOutcome: honorTokenFailureOutcome,
      describeError: (data, status) => {
        const error = data?.['error'];
        const description = data?.['error_description'];
        return { vendorCode: typeof error === 'string' && error !== '' ? error : `http_${status}`, detail: typeof description === 'string' ? description : '' };
      },
    });
  }


  private interpret(res: VendorResponse, targets: readonly DeliveryTarget[], quotaClass: string): SendResult[] {
    const a = readHonorAnswer(parseJsonObject(res.data));
    const vendorCode = a.code ?? `http_${res.status}`;
    const accepted = honorAccepted(a, res.status);
    const refused = accepted ? 'sent' : honorOutcomeFor(a.code, res.status, this.config.codes);
    const retryAfterMs = refused === 'rate_limited' || refused === 'retry' ? retryAfterOf(res.headers, this.deps.now()) : undefined;
    const text = clip(a.message ?? `HTTP ${res.status}`);
    if (!accepted) this.deps.logger.debug({ provider: 'honor', status: res.status, vendorCode, requestId: a.requestId }, 'honor refused a send');
    return targets.map((t): SendResult => {
      const base = { deliveryId: t.deliveryId, vendorCode, ...(a.requestId !== undefined ? { vendorMessageId: a.requestId } : {}) };
      // expireTokens: "失效的pushTokens" — the one per-token signal Honor documents: prune.
      if (a.expireTokens.has(t.token)) return { ...base, outcome: 'invalid_token', vendorMessage: 'expired token (data.expireTokens)' };
      // failTokens: "推送失败的pushTokens", no reason given: retried, never pruned.
      if (a.failTokens.has(t.token)) return { ...base, outcome: 'retry', vendorMessage: 'failed token (data.failTokens)' };
      if (accepted) return { ...base, outcome: 'sent' };
      return {
        ...base,
        outcome: refused,
        vendorMessage: text,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        ...(refused === 'quota_exceeded' ? { quotaClass } : {}),
      };
    });
  }
}
