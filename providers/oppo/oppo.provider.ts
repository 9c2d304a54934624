/**
 * OPPO Push adapter: a thin transport over the pure builders (oppo.request.ts) and the code table
 * (oppo.errors.ts). Auth: `POST /server/v1/auth` → auth_token (24 h), cached and shared by
 * concurrent sends; `auth_token` goes on every send as a form field (docs/vendors/oppo.md#authentication).
 */
import type { AxiosResponse } from 'axios';
import { createVendorHttp, parseRetryAfter, transportReason, type VendorHttp } from '../shared/http.js';
import type { Outcome, ProviderDeps, PushProvider, SendBatch, SendOutcome, SendResult } from '../types.js';
import { oppoBaseUrl, type OppoConfig } from './oppo.config.js';
import { oppoOutcome, parseOppoCode } from './oppo.errors.js';
import { buildOppoAuthForm, buildOppoSend, encodeOppoAuthForm, encodeOppoSendForm, OPPO_FORM_HEADERS, type OppoOverrides, type OppoTargetRef } from './oppo.request.js';
import { OPPO_CODES, OPPO_PATHS, type OppoAuthData, type OppoBatchItem, type OppoEnvelope, type OppoUnicastData } from './oppo.wire.js';

/** OPPO tokens live 24 h; we stop using one after 23 h so a send never races its expiry. */
export const OPPO_TOKEN_REUSE_MS = 23 * 3600_000;

/** What a failed request means for every target in it. */
interface Verdict {
  outcome: Outcome;
  vendorCode?: string | undefined;
  vendorMessage?: string | undefined;
  retryAfterMs?: number | undefined;
  vendorMessageId?: string | undefined;
}

type AuthResult = { ok: true; token: string } | { ok: false; verdict: Verdict };

export class OppoProvider implements PushProvider<OppoOverrides> {
  private readonly http: VendorHttp;
  private cached: { token: string; reuseUntil: number } | undefined;
  private inflight: Promise<AuthResult> | undefined;

  constructor(
    private readonly config: OppoConfig,
    private readonly deps: ProviderDeps,
  ) {
    this.http = createVendorHttp({ baseURL: oppoBaseUrl(config), ca: config.ca, timeoutMs: config.timeoutMs }, deps);
  }

  async send(batch: SendBatch<OppoOverrides>): Promise<SendOutcome> {
    if (batch.targets.length === 0) return { results: [] };

    // One request entry per distinct token (OPPO answers 10004 to duplicates); duplicates share its result.
    const byToken = new Map<string, string[]>();
    const unique: OppoTargetRef[] = [];
    for (const t of batch.targets) {
      const ids = byToken.get(t.token);
      if (ids) ids.push(t.deliveryId);
      else {
        byToken.set(t.token, [t.deliveryId]);
        unique.push({ deliveryId: t.deliveryId, token: t.token });
      }
    }
    const everyone = (v: Verdict): SendOutcome => ({ results: batch.targets.map((t) => ({ deliveryId: t.deliveryId, ...v })) });

    const built = buildOppoSend(batch.message, unique, this.config, this.deps.now(), { callbackUrl: batch.callbackUrl, callbackRef: batch.callbackRef }, batch.overrides);
    if (!built.ok) return everyone({ outcome: 'rejected', vendorMessage: built.reason });

    const auth = await this.authToken();
    if (!auth.ok) return everyone(auth.verdict);

    let res: AxiosResponse;
    try {
      res = await this.http.post(built.path, encodeOppoSendForm(built.form, auth.token), OPPO_FORM_HEADERS);
    } catch (err) {
      return everyone({ outcome: 'retry', vendorMessage: `transport: ${transportReason(err)}` });
    }

    const perToken = this.interpret(res, unique, built.path === OPPO_PATHS.unicast, auth.token);
    const results: SendResult[] = [];
    for (const t of batch.targets) {
      const r = perToken.get(t.token) ?? { outcome: 'retry' as const, vendorMessage: 'OPPO returned no result for this target' };
      results.push({ deliveryId: t.deliveryId, ...r });
    }
    return { results };
  }

  /** Drop the cached auth_token: the next send signs a new `/server/v1/auth`. */
  async refreshCredentials(): Promise<void> {
    this.cached = undefined;
    this.inflight = undefined;
  }

  async close(): Promise<void> {
    this.http.close();
  }

  /** Map one send answer to a verdict per distinct token. */
  private interpret(res: AxiosResponse, targets: readonly OppoTargetRef[], unicast: boolean, usedToken: string): Map<string, Omit<SendResult, 'deliveryId'>> {
    const out = new Map<string, Omit<SendResult, 'deliveryId'>>();
    const all = (v: Verdict) => {
      for (const t of targets) out.set(t.token, v);
      return out;
    };
    const retryAfterMs = parseRetryAfter(res.headers['retry-after'], this.deps.now());
    const body = parseBody(res.data);
    const code = parseOppoCode(body?.code);

    if (res.status >= 500) {
      return all({ outcome: 'retry', vendorCode: code !== undefined ? String(code) : `http_${res.status}`, vendorMessage: messageOf(body) ?? `HTTP ${res.status}`, retryAfterMs });
    }
    if (code === undefined) {
      const outcome: Outcome =
        res.status === 429 ? 'rate_limited' : res.status === 401 || res.status === 403 ? 'auth_error' : res.status === 408 || res.status < 300 ? 'retry' : 'rejected';
      return all({ outcome, vendorCode: `http_${res.status}`, vendorMessage: 'OPPO answer without a code', retryAfterMs });
    }
    if (code !== OPPO_CODES.SUCCESS) {
      if (code === OPPO_CODES.INVALID_AUTH_TOKEN || code === OPPO_CODES.MISSING_AUTH_TOKEN) this.forget(usedToken);
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

  /** A valid auth_token: cached, or the one auth call already in flight, or a new one. */
  async warmUp(): Promise<void> {
    const auth = await this.authToken();
    if (!auth.ok) throw new Error(`OPPO auth failed: ${auth.verdict.vendorMessage ?? auth.verdict.vendorCode ?? auth.verdict.outcome}`);
  }

  private authToken(): Promise<AuthResult> {
    const now = this.deps.now();
    if (this.cached && now < this.cached.reuseUntil) return Promise.resolve({ ok: true, token: this.cached.token });
    if (!this.inflight) {
      const p = this.fetchToken().finally(() => {
        if (this.inflight === p) this.inflight = undefined;
      });
      this.inflight = p;
    }
    return this.inflight;
  }

  private async fetchToken(): Promise<AuthResult> {
    const startedAt = this.deps.now();
    const form = buildOppoAuthForm(this.config.appKey, this.config.masterSecret, startedAt);
    let res: AxiosResponse;
    try {
      res = await this.http.post(OPPO_PATHS.auth, encodeOppoAuthForm(form), OPPO_FORM_HEADERS);
    } catch (err) {
      return { ok: false, verdict: { outcome: 'retry', vendorMessage: `auth transport: ${transportReason(err)}` } };
    }
    const retryAfterMs = parseRetryAfter(res.headers['retry-after'], this.deps.now());
    const body = parseBody(res.data);
    const code = parseOppoCode(body?.code);
    if (res.status >= 500 || code === undefined) {
      const outcome: Outcome = res.status === 429 ? 'rate_limited' : res.status === 401 || res.status === 403 ? 'auth_error' : 'retry';
      return { ok: false, verdict: { outcome, vendorCode: code !== undefined ? String(code) : `http_${res.status}`, vendorMessage: `auth: ${messageOf(body) ?? `HTTP ${res.status}`}`, retryAfterMs } };
    }
    const data = body?.data as Partial<OppoAuthData> | undefined;
    if (code !== OPPO_CODES.SUCCESS || typeof data?.auth_token !== 'string' || data.auth_token.length === 0) {
      const v = code === OPPO_CODES.SUCCESS ? { outcome: 'retry' as const, vendorCode: '0', vendorMessage: 'auth answer without auth_token' } : oppoOutcome(code, messageOf(body));
      this.deps.logger.warn({ provider: 'oppo', vendorCode: v.vendorCode }, 'OPPO auth failed');
      return { ok: false, verdict: { ...v, vendorMessage: `auth: ${v.vendorMessage}`, retryAfterMs } };
    }
    this.cached = { token: data.auth_token, reuseUntil: startedAt + OPPO_TOKEN_REUSE_MS };
    return { ok: true, token: data.auth_token };
  }

  /** OPPO refused this token: stop reusing it (the dispatcher's refreshCredentials() does the same). */
  private forget(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }
}

function parseBody(data: unknown): OppoEnvelope | undefined {
  let v = data;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as OppoEnvelope) : undefined;
}

function messageOf(body: OppoEnvelope | undefined): string | undefined {
  return typeof body?.message === 'string' && body.message.length > 0 ? body.message : undefined;
}
