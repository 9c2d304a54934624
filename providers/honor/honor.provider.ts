/**
 * Honor Push adapter: a thin transport around the pure builders and the outcome rules.
 * OAuth client-credentials token cached per tenant (honor.credentials.ts,
 * docs/vendors/honor.md#authentication), one send request per batch, one SendResult per target.
 */
import type { AxiosResponse } from 'axios';
import { createVendorHttp, parseRetryAfter, transportReason, type VendorHttp } from '../shared/http.js';
import type { DeliveryTarget, Outcome, ProviderDeps, PushProvider, SendBatch, SendOutcome, SendResult } from '../types.js';
import type { HonorConfig } from './honor.config.js';
import { AccessTokenCache } from './honor.credentials.js';
import { honorAccepted, honorOutcomeFor, honorTokenFailureOutcome, readHonorAnswer } from './honor.errors.js';
import { buildHonorSendHeaders, buildHonorSendRequest, buildHonorTokenRequest, honorQuotaClassOf, honorSendPath, type HonorOverrides } from './honor.request.js';
import type { HonorTokenError, HonorTokenResponse } from './honor.wire.js';

/** Vendor text kept on a result, bounded (an answer may echo long strings). */
const MAX_VENDOR_MESSAGE = 200;

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

export class HonorProvider implements PushProvider<HonorOverrides> {
  private readonly pushHttp: VendorHttp;
  private readonly authHttp: VendorHttp;
  private readonly tokens: AccessTokenCache;

  constructor(
    private readonly config: HonorConfig,
    private readonly deps: ProviderDeps,
  ) {
    this.pushHttp = createVendorHttp({ baseURL: config.endpoint, ca: config.ca }, deps);
    this.authHttp = createVendorHttp({ baseURL: config.authEndpoint, ca: config.ca, maxSockets: 4 }, deps);
    this.tokens = new AccessTokenCache(() => this.fetchToken(), () => deps.now());
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
      const f = err instanceof TokenFailure ? err : new TokenFailure('retry', String(err));
      return { results: everyTarget(targets, { outcome: f.outcome, vendorCode: f.vendorCode, vendorMessage: f.message, retryAfterMs: f.retryAfterMs }) };
    }

    const tokens = targets.map((t) => t.token);
    const now = this.deps.now();
    const body = buildHonorSendRequest(batch.message, tokens, batch.callbackRef, now, batch.overrides);
    let res: AxiosResponse;
    try {
      res = await this.pushHttp.post(honorSendPath(this.config), body, buildHonorSendHeaders(accessToken, now));
    } catch (err) {
      return { results: everyTarget(targets, { outcome: 'retry', vendorMessage: `transport: ${transportReason(err)}` }) };
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

  private async fetchToken(): Promise<{ value: string; expiresInSeconds?: number }> {
    const req = buildHonorTokenRequest(this.config);
    let res: AxiosResponse;
    try {
      res = await this.authHttp.post(req.path, req.body, req.headers);
    } catch (err) {
      throw new TokenFailure('retry', `token request failed: ${transportReason(err)}`);
    }
    const data = asObject(res.data) as Partial<HonorTokenResponse & HonorTokenError> | undefined;
    if (res.status === 200 && typeof data?.access_token === 'string' && data.access_token !== '') {
      return { value: data.access_token, ...(typeof data.expires_in === 'number' ? { expiresInSeconds: data.expires_in } : {}) };
    }
    const outcome = res.status === 200 ? 'retry' : honorTokenFailureOutcome(res.status);
    const vendorCode = typeof data?.error === 'string' && data.error !== '' ? data.error : `http_${res.status}`;
    const detail = typeof data?.error_description === 'string' ? `: ${data.error_description}` : '';
    this.deps.logger.warn({ provider: 'honor', status: res.status, vendorCode }, 'honor OAuth token request refused');
    throw new TokenFailure(
      outcome,
      clip(`OAuth token request refused (HTTP ${res.status})${detail}`),
      vendorCode,
      outcome === 'rate_limited' ? parseRetryAfter(res.headers['retry-after'], this.deps.now()) : undefined,
    );
  }

  private interpret(res: AxiosResponse, targets: readonly DeliveryTarget[], quotaClass: string): SendResult[] {
    const a = readHonorAnswer(asObject(res.data));
    const vendorCode = a.code ?? `http_${res.status}`;
    const accepted = honorAccepted(a, res.status);
    const refused = accepted ? 'sent' : honorOutcomeFor(a.code, res.status, this.config.codes);
    const retryAfterMs = refused === 'rate_limited' || refused === 'retry' ? parseRetryAfter(res.headers['retry-after'], this.deps.now()) : undefined;
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

/** The same result for every target (whole-request answers). */
function everyTarget(targets: readonly DeliveryTarget[], r: Omit<SendResult, 'deliveryId'>): SendResult[] {
  const clean = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Omit<SendResult, 'deliveryId'>;
  return targets.map((t) => ({ deliveryId: t.deliveryId, ...clean }));
}

/** Axios hands JSON bodies over parsed and anything else as text. */
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
