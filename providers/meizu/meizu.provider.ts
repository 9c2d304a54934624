/**
 * Meizu Flyme Push adapter: a thin transport over `POST …/varnished/pushByPushId` (and, when the
 * tenant enables pass-through, `…/unvarnished/pushByPushId`) (docs/vendors/meizu.md). The appSecret
 * signs each request and is static, so there is deliberately no credential cache and no
 * `refreshCredentials()`: a signature or app error (1006, 110000, 110033) pauses the lane at once
 * instead of making the dispatcher resend.
 */
import { createVendorHttp, transportReason, type VendorHttp, type VendorResponse } from '../shared/http.js';
import { httpStatusOutcome, retryAfterOf, sameResult, transportRetry } from '../shared/results.js';
import { clip, parseJsonObject } from '../shared/text.js';
import type { DeliveryTarget, ProviderDeps, PushProvider, SendBatch, SendOutcome, SendResult } from '../types.js';
import { meizuBaseUrl, meizuClassOf, type MeizuConfig } from './meizu.config.js';
import { MEIZU_REQUEST_OUTCOMES, meizuRequestOutcomeOf, meizuTargetOutcomeOf } from './meizu.errors.js';
import { buildMeizuRequest, encodeMeizuForm, MeizuRequestError, type MeizuOverrides, type MeizuRequest } from './meizu.request.js';
import { MeizuSigner } from './meizu.signer.js';
import { MeizuCode, type MeizuResponse } from './meizu.wire.js';

const FORM_HEADERS = { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' };

export class MeizuProvider implements PushProvider<MeizuOverrides> {
  private readonly http: VendorHttp;
  private readonly signer: MeizuSigner;
  private warnedCallback = false;

  constructor(
    private readonly config: MeizuConfig,
    private readonly deps: ProviderDeps,
  ) {
    this.http = createVendorHttp({ baseURL: meizuBaseUrl(config), ca: config.ca, timeoutMs: config.timeoutMs, errorReasonOf: errorReason }, deps);
    this.signer = new MeizuSigner(config.appId, config.appSecret);
  }

  /** The dispatcher sends 1..100 distinct pushIds with one payload (limits.maxTargetsPerRequest): one request. */
  async send(batch: SendBatch<MeizuOverrides>): Promise<SendOutcome> {
    const { targets } = batch;
    let request: MeizuRequest;
    try {
      const callback = batch.callbackUrl ? { url: batch.callbackUrl, ref: batch.callbackRef } : undefined;
      request = buildMeizuRequest(batch.message, targets.map((t) => t.token), this.config, this.signer, this.deps.now(), callback, batch.overrides);
    } catch (err) {
      if (err instanceof MeizuRequestError) return { results: sameResult(targets, { outcome: 'rejected', vendorCode: 'invalid_request', vendorMessage: err.message }) };
      throw err;
    }
    if (request.callbackDropped && !this.warnedCallback) {
      this.warnedCallback = true;
      this.deps.logger.warn('meizu takes a receipt URL of at most 128 bytes; server.publicBaseUrl, the tenant id and receiptSecret make it longer, so Meizu messages are sent without receipts');
    }

    let res: VendorResponse;
    try {
      res = await this.http.post(request.path, encodeMeizuForm(request.form), FORM_HEADERS);
    } catch (err) {
      return { results: sameResult(targets, { ...transportRetry(err, (r) => `transport error: ${r}`), vendorCode: transportReason(err) }) };
    }
    return { results: this.interpret(res, targets, batch) };
  }

  async close(): Promise<void> {
    this.http.close();
  }

  private interpret(res: VendorResponse, targets: DeliveryTarget[], batch: SendBatch<MeizuOverrides>): SendResult[] {
    const body = parseBody(res.data);
    const code = codeOf(body);
    const vendorMessage = describe(body, res.status);

    if (code === MeizuCode.ok && res.status < 400) {
      const msgId = typeof body?.msgId === 'string' && body.msgId !== '' ? body.msgId : undefined;
      const listed = perTargetCodes(body?.value);
      return targets.map((t): SendResult => {
        const targetCode = listed.get(t.token);
        if (targetCode === undefined) return { deliveryId: t.deliveryId, outcome: 'sent', vendorCode: '200', ...(msgId ? { vendorMessageId: msgId } : {}) };
        const outcome = meizuTargetOutcomeOf(targetCode);
        return {
          deliveryId: t.deliveryId,
          outcome,
          vendorCode: targetCode,
          vendorMessage: `pushId listed under ${targetCode} in value`,
          ...(outcome === 'quota_exceeded' ? { quotaClass: meizuClassOf(batch.message.options.category, this.config) } : {}),
        };
      });
    }

    const outcome = code !== undefined ? meizuRequestOutcomeOf(code, targets.length) : httpStatusOutcome(res.status);
    // A code of 200 on an HTTP error status is a proxy's page, not Meizu's verdict: retry.
    const final = outcome === 'sent' ? 'retry' : outcome;
    const retryAfterMs = final === 'rate_limited' || final === 'retry' ? retryAfterOf(res.headers, this.deps.now()) : undefined;
    const quotaClass = final === 'quota_exceeded' ? meizuClassOf(batch.message.options.category, this.config) : undefined;
    if (final === 'auth_error') this.deps.logger.warn({ vendorCode: code ?? `http_${res.status}` }, 'meizu refused the signature or app; check appId, appSecret and region/endpoint');
    return sameResult(targets, { outcome: final, vendorCode: code ?? `http_${res.status}`, vendorMessage, retryAfterMs, quotaClass });
  }
}

function parseBody(data: unknown): MeizuResponse | undefined {
  return parseJsonObject(data) as MeizuResponse | undefined;
}

/** `code` as the string Meizu documents (a number is accepted too); undefined when absent. */
function codeOf(body: MeizuResponse | undefined): string | undefined {
  const c = body?.code;
  if (typeof c === 'number' && Number.isFinite(c)) return String(c);
  return typeof c === 'string' && c.trim() !== '' ? c.trim() : undefined;
}

/**
 * pushId → per-target code from `value` (`{"110002": ["J04…"], …}`). Lists are arrays per the doc;
 * a comma-joined string is accepted too. A pushId listed twice keeps its first code.
 */
function perTargetCodes(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [code, list] of Object.entries(value as Record<string, unknown>)) {
    const ids = Array.isArray(list) ? list.map(String) : typeof list === 'string' ? list.split(',') : [];
    for (const id of ids.map((s) => s.trim()).filter(Boolean)) if (!out.has(id)) out.set(id, code);
  }
  return out;
}

/**
 * The bounded error label for the provider metrics: Meizu answers its errors with HTTP 200, so the
 * code is the reason (`code_1006`; unknown codes collapse into `code_other`).
 */
function errorReason(res: VendorResponse): string | undefined {
  if (res.status >= 400) return `http_${res.status}`;
  const body = parseBody(res.data);
  if (!body) return 'bad_body';
  const code = codeOf(body);
  if (code === MeizuCode.ok) return undefined;
  return code !== undefined && (MEIZU_REQUEST_OUTCOMES.has(code) || code === MeizuCode.pushIdNotRegistered || code === MeizuCode.illegalPushId) ? `code_${code}` : 'code_other';
}

function describe(body: MeizuResponse | undefined, status: number): string {
  const text = typeof body?.message === 'string' ? body.message : '';
  return clip(text || `HTTP ${status}`, 500);
}
