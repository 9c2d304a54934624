/**
 * OPPO Push adapter: a thin transport over the pure builders (oppo.request.ts) and the code table
 * (oppo.errors.ts). Auth: `POST /server/v1/auth` → auth_token (24 h), cached and shared by
 * concurrent sends; `auth_token` goes on every send as a form field (docs/vendors/oppo.md#authentication).
 */
import { CredentialCache, type FetchedCredential } from '../shared/credentials.js';
import { createVendorHttp, type VendorHttp, type VendorResponse } from '../shared/http.js';
import { CredentialError, credentialFailure, httpStatusOutcome, retryAfterOf, sameResult, transportRetry, type TargetResult } from '../shared/results.js';
import { parseJsonObject } from '../shared/text.js';
import type { Outcome, ProviderDeps, PushProvider, SendBatch, SendOutcome } from '../types.js';
import { oppoBaseUrl, type OppoConfig } from './oppo.config.js';
import { oppoOutcome, parseOppoCode } from './oppo.errors.js';
import { buildOppoAuthForm, buildOppoSend, encodeOppoAuthForm, encodeOppoSendForm, OPPO_FORM_HEADERS, type OppoOverrides, type OppoTargetRef } from './oppo.request.js';
import { OPPO_CODES, OPPO_PATHS, type OppoAuthData, type OppoBatchItem, type OppoEnvelope, type OppoUnicastData } from './oppo.wire.js';

/** OPPO auth_tokens live 24 h (docs/vendors/oppo.md#authentication). */
const OPPO_TOKEN_LIFETIME_MS = 24 * 3600_000;
/** We stop using one after 23 h so a send never races its expiry. */
const OPPO_TOKEN_REFRESH_MARGIN_MS = 3600_000;

export class OppoProvider implements PushProvider<OppoOverrides> {
  private readonly http: VendorHttp;
  private readonly tokens: CredentialCache<string>;

  constructor(
    private readonly config: OppoConfig,
    private readonly deps: ProviderDeps,
  ) {
    this.http = createVendorHttp({ baseURL: oppoBaseUrl(config), ca: config.ca, timeoutMs: config.timeoutMs }, deps);
    this.tokens = new CredentialCache({
      fetch: () => this.fetchToken(),
      now: () => deps.now(),
      refreshMarginMs: OPPO_TOKEN_REFRESH_MARGIN_MS,
    });
  }

  /** The dispatcher sends 1..1000 distinct tokens with one payload (limits.maxTargetsPerRequest): one request. */
  async send(batch: SendBatch<OppoOverrides>): Promise<SendOutcome> {
    const { targets } = batch;
    if (targets.length === 0) return { results: [] };
    const everyone = (r: TargetResult): SendOutcome => ({ results: sameResult(targets, r) });

    const built = buildOppoSend(batch.message, targets, this.config, this.deps.now(), { callbackUrl: batch.callbackUrl, callbackRef: batch.callbackRef }, batch.overrides);
    if (!built.ok) return everyone({ outcome: 'rejected', vendorMessage: built.reason });

    let authToken: string;
    try {
      authToken = await this.tokens.get();
    } catch (err) {
      return everyone(credentialFailure(err));
    }

    let res: VendorResponse;
    try {
      res = await this.http.post(built.path, encodeOppoSendForm(built.form, authToken), OPPO_FORM_HEADERS);
    } catch (err) {
      return everyone(transportRetry(err));
    }

    const perToken = this.interpret(res, targets, built.path === OPPO_PATHS.unicast, authToken);
    return {
      results: targets.map((t) => ({ deliveryId: t.deliveryId, ...(perToken.get(t.token) ?? { outcome: 'retry', vendorMessage: 'OPPO returned no result for this target' }) })),
    };
  }

  /** Drop the cached auth_token: the next send signs a new `/server/v1/auth`. */
  async refreshCredentials(): Promise<void> {
    this.tokens.invalidate();
  }

  async close(): Promise<void> {
    this.http.close();
  }

  /** Map one send answer to a verdict per distinct token. */
  private interpret(res: VendorResponse, targets: readonly OppoTargetRef[], unicast: boolean, usedToken: string): Map<string, TargetResult> {
    const out = new Map<string, TargetResult>();
    const all = (v: TargetResult) => {
      for (const t of targets) out.set(t.token, v);
      return out;
    };
    const retryAfterMs = retryAfterOf(res.headers, this.deps.now());
    const body = parseJsonObject(res.data) as OppoEnvelope | undefined;
    const code = parseOppoCode(body?.code);

    if (res.status >= 500) {
      return all({ outcome: 'retry', vendorCode: code !== undefined ? String(code) : `http_${res.status}`, vendorMessage: messageOf(body) ?? `HTTP ${res.status}`, retryAfterMs });
    }
    if (code === undefined) {
      return all({ outcome: httpStatusOutcome(res.status), vendorCode: `http_${res.status}`, vendorMessage: 'OPPO answer without a code', retryAfterMs });
    }
    if (code !== OPPO_CODES.SUCCESS) {
      // OPPO refused this token: stop reusing it, unless another batch already replaced it.
      if (code === OPPO_CODES.INVALID_AUTH_TOKEN || code === OPPO_CODES.MISSING_AUTH_TOKEN) this.tokens.invalidate(usedToken);
      const v = oppoOutcome(code, messageOf(body));
      return all({ ...v, retryAfterMs: v.outcome === 'rate_limited' || v.outcome === 'retry' ? retryAfterMs : undefined });
    }

    if (unicast) {
      const data = body?.data as Partial<OppoUnicastData> | undefined;
      return all({ outcome: 'sent', vendorCode: '0', vendorMessageId: typeof data?.messageId === 'string' ? data.messageId : undefined });
    }
    const items = Array.isArray(body?.data) ? (body.data as OppoBatchItem[]) : [];
    for (const item of items) {
      if (!item || typeof item.registrationId !== 'string' || out.has(item.registrationId)) continue;
      const itemCode = parseOppoCode(item.errorCode);
      if (itemCode === undefined || itemCode === OPPO_CODES.SUCCESS) {
        out.set(item.registrationId, { outcome: 'sent', vendorCode: '0', vendorMessageId: typeof item.messageId === 'string' ? item.messageId : undefined });
      } else {
        out.set(item.registrationId, { ...oppoOutcome(itemCode, typeof item.errorMessage === 'string' ? item.errorMessage : undefined), vendorMessageId: typeof item.messageId === 'string' ? item.messageId : undefined });
      }
    }
    return out;
  }

  async warmUp(): Promise<void> {
    try {
      await this.tokens.get();
    } catch (err) {
      const r = credentialFailure(err);
      throw new Error(`OPPO auth failed: ${r.vendorMessage ?? r.vendorCode ?? r.outcome}`);
    }
  }

  /** One `/server/v1/auth` call; throws a CredentialError carrying the outcome for every target. */
  private async fetchToken(): Promise<FetchedCredential<string>> {
    const startedAt = this.deps.now();
    const form = buildOppoAuthForm(this.config.appKey, this.config.masterSecret, startedAt);
    let res: VendorResponse;
    try {
      res = await this.http.post(OPPO_PATHS.auth, encodeOppoAuthForm(form), OPPO_FORM_HEADERS);
    } catch (err) {
      throw new CredentialError(transportRetry(err, (r) => `auth transport: ${r}`));
    }
    const retryAfterMs = retryAfterOf(res.headers, this.deps.now());
    const body = parseJsonObject(res.data) as OppoEnvelope | undefined;
    const code = parseOppoCode(body?.code);
    if (res.status >= 500 || code === undefined) {
      const outcome: Outcome = res.status === 429 ? 'rate_limited' : res.status === 401 || res.status === 403 ? 'auth_error' : 'retry';
      throw new CredentialError({ outcome, vendorCode: code !== undefined ? String(code) : `http_${res.status}`, vendorMessage: `auth: ${messageOf(body) ?? `HTTP ${res.status}`}`, retryAfterMs });
    }
    const data = body?.data as Partial<OppoAuthData> | undefined;
    if (code !== OPPO_CODES.SUCCESS || typeof data?.auth_token !== 'string' || data.auth_token.length === 0) {
      const v = code === OPPO_CODES.SUCCESS ? { outcome: 'retry' as const, vendorCode: '0', vendorMessage: 'auth answer without auth_token' } : oppoOutcome(code, messageOf(body));
      this.deps.logger.warn({ provider: 'oppo', vendorCode: v.vendorCode }, 'OPPO auth failed');
      throw new CredentialError({ ...v, vendorMessage: `auth: ${v.vendorMessage}`, retryAfterMs });
    }
    return { value: data.auth_token, expiresAt: startedAt + OPPO_TOKEN_LIFETIME_MS };
  }
}

function messageOf(body: OppoEnvelope | undefined): string | undefined {
  return typeof body?.message === 'string' && body.message.length > 0 ? body.message : undefined;
}
