/**
 * Xiaomi MiPush adapter: a thin transport over `POST /v3/message/regid` (docs/vendors/xiaomi.md).
 * The AppSecret is a static key, so there is deliberately no `refreshCredentials()`: an auth
 * error (21301/21302) pauses the lane at once instead of making the dispatcher resend.
 */
import { createVendorHttp, transportReason, type VendorHttp, type VendorResponse } from '../shared/http.js';
import { retryAfterOf, sameResult, transportRetry } from '../shared/results.js';
import { parseJsonObject } from '../shared/text.js';
import type { DeliveryTarget, ProviderDeps, PushProvider, QuotaReading, SendBatch, SendOutcome, SendResult } from '../types.js';
import { xiaomiBaseUrl, xiaomiQuotaClassOf, type XiaomiConfig } from './xiaomi.config.js';
import { XIAOMI_OUTCOMES, xiaomiHttpOutcomeOf, xiaomiOutcomeOf } from './xiaomi.errors.js';
import { buildXiaomiRequest, encodeXiaomiForm, type XiaomiOverrides } from './xiaomi.request.js';
import { XiaomiCode, type XiaomiResponse } from './xiaomi.wire.js';

export class XiaomiProvider implements PushProvider<XiaomiOverrides> {
  private readonly http: VendorHttp;

  constructor(
    private readonly config: XiaomiConfig,
    private readonly deps: ProviderDeps,
  ) {
    this.http = createVendorHttp({ baseURL: xiaomiBaseUrl(config), ca: config.ca, timeoutMs: config.timeoutMs, errorReasonOf: errorReason }, deps);
  }

  /** The dispatcher sends 1..1000 distinct regIds with one payload (limits.maxTargetsPerRequest): one request. */
  async send(batch: SendBatch<XiaomiOverrides>): Promise<SendOutcome> {
    const { targets } = batch;
    if (targets.length === 0) return { results: [] };
    const callback = batch.callbackUrl ? { url: batch.callbackUrl, ref: batch.callbackRef } : undefined;
    const request = buildXiaomiRequest(batch.message, targets.map((t) => t.token), this.config, this.deps.now(), callback, batch.overrides);

    let res: VendorResponse;
    try {
      res = await this.http.post(request.path, encodeXiaomiForm(request.form), request.headers);
    } catch (err) {
      return { results: sameResult(targets, { ...transportRetry(err, (r) => `transport error: ${r}`), vendorCode: transportReason(err) }) };
    }
    return this.interpret(res, targets, batch);
  }

  async close(): Promise<void> {
    this.http.close();
  }

  private interpret(res: VendorResponse, targets: DeliveryTarget[], batch: SendBatch): SendOutcome {
    const body = parseBody(res.data);
    const codeValue = body?.code;
    const code = codeValue === undefined || codeValue === '' ? undefined : Number(codeValue);
    const vendorMessage = describe(body, res.status);
    const quota = quotaReading(body);
    const withQuota = (results: SendResult[]): SendOutcome => (quota ? { results, quota: [quota] } : { results });

    if (body && (body.result === 'ok' || code === XiaomiCode.success) && res.status < 400) {
      const bad = new Set(splitList(body.data?.bad_regids));
      const messageId = body.data?.id;
      return withQuota(
        targets.map((t) =>
          bad.has(t.token)
            ? { deliveryId: t.deliveryId, outcome: 'invalid_token', vendorCode: 'bad_regids', vendorMessage: 'listed in data.bad_regids' }
            : { deliveryId: t.deliveryId, outcome: 'sent', vendorCode: '0', ...(messageId ? { vendorMessageId: String(messageId) } : {}) },
        ),
      );
    }

    const known = code !== undefined && Number.isInteger(code);
    const outcome = known ? xiaomiOutcomeOf(code) : xiaomiHttpOutcomeOf(res.status);
    // A 5xx whose body carries an unmapped code is still a server error: retry.
    const final = outcome === 'sent' ? 'retry' : outcome;
    const retryAfterMs = final === 'rate_limited' || final === 'retry' ? retryAfterOf(res.headers, this.deps.now()) : undefined;
    const quotaClass = final === 'quota_exceeded' ? xiaomiQuotaClassOf(batch.message.options.category, this.config) : undefined;
    if (final === 'auth_error') this.deps.logger.warn({ vendorCode: code ?? `http_${res.status}` }, 'xiaomi rejected the AppSecret; check appSecret and region/endpoint');
    return withQuota(
      sameResult(targets, {
        outcome: final,
        vendorCode: known ? String(code) : `http_${res.status}`,
        vendorMessage,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        ...(quotaClass ? { quotaClass } : {}),
      }),
    );
  }
}

function parseBody(data: unknown): XiaomiResponse | undefined {
  return parseJsonObject(data) as XiaomiResponse | undefined;
}

/**
 * The bounded error label for the provider metrics: Xiaomi answers its errors with HTTP 200, so
 * the result code is the reason (`code_21301`; unknown codes collapse into `code_other`).
 */
function errorReason(res: VendorResponse): string | undefined {
  if (res.status >= 400) return `http_${res.status}`;
  const body = parseBody(res.data);
  if (!body) return 'bad_body';
  const code = Number(body.code);
  if (body.result === 'ok' || code === XiaomiCode.success) return undefined;
  return XIAOMI_OUTCOMES.has(code) ? `code_${code}` : 'code_other';
}

function describe(body: XiaomiResponse | undefined, status: number): string {
  const parts = [body?.description, body?.reason].filter((s): s is string => typeof s === 'string' && s.length > 0);
  const text = [...new Set(parts)].join(': ');
  return (text || `HTTP ${status}`).slice(0, 500);
}

function splitList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value === '') return [];
  return value.split(',').map((s) => s.trim());
}

/**
 * The public-message quota reading (pId=1656): `data.day_quota`/`data.day_acked`, or on 200001
 * the description "exceed quota, quota: X, have acked: Y". Only public messages have a quota.
 */
function quotaReading(body: XiaomiResponse | undefined): QuotaReading | undefined {
  const dayQuota = toCount(body?.data?.day_quota);
  const dayAcked = toCount(body?.data?.day_acked);
  if (dayQuota !== undefined && dayAcked !== undefined) return { quotaClass: 'public', remaining: Math.max(0, dayQuota - dayAcked) };
  const m = /quota:\s*(\d+)\s*,\s*have acked:\s*(\d+)/i.exec(body?.description ?? '');
  if (m) return { quotaClass: 'public', remaining: Math.max(0, Number(m[1]) - Number(m[2])) };
  return undefined;
}

function toCount(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}
