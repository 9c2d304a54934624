/**
 * Xiaomi MiPush adapter: a thin transport over `POST /v3/message/regid` (docs/vendors/xiaomi.md).
 * The AppSecret is a static key, so there is deliberately no `refreshCredentials()`: an auth
 * error (21301/21302) pauses the lane at once instead of making the dispatcher resend.
 */
import type { AxiosResponse } from 'axios';
import { createVendorHttp, parseRetryAfter, transportReason, type VendorHttp } from '../shared/http.js';
import type { DeliveryTarget, ProviderDeps, PushProvider, QuotaReading, SendBatch, SendOutcome, SendResult } from '../types.js';
import { xiaomiBaseUrl, xiaomiQuotaClassOf, type XiaomiConfig } from './xiaomi.config.js';
import { XIAOMI_OUTCOMES, xiaomiHttpOutcomeOf, xiaomiOutcomeOf } from './xiaomi.errors.js';
import { buildXiaomiRequest, encodeXiaomiForm, type XiaomiOverrides, type XiaomiRequest } from './xiaomi.request.js';
import { XIAOMI_MAX_REGIDS, XiaomiCode, type XiaomiResponse } from './xiaomi.wire.js';

export class XiaomiProvider implements PushProvider<XiaomiOverrides> {
  private readonly http: VendorHttp;

  constructor(
    private readonly config: XiaomiConfig,
    private readonly deps: ProviderDeps,
  ) {
    this.http = createVendorHttp({ baseURL: xiaomiBaseUrl(config), ca: config.ca, timeoutMs: config.timeoutMs }, deps);
  }

  async send(batch: SendBatch<XiaomiOverrides>): Promise<SendOutcome> {
    const results: SendResult[] = [];
    const quota: QuotaReading[] = [];
    // The core chunks by limits.maxTargetsPerRequest; chunk again so a bigger batch still works.
    for (let i = 0; i < batch.targets.length; i += XIAOMI_MAX_REGIDS) {
      const chunk = batch.targets.slice(i, i + XIAOMI_MAX_REGIDS);
      const out = await this.sendChunk(batch, chunk);
      results.push(...out.results);
      if (out.quota) quota.push(...out.quota);
    }
    return quota.length > 0 ? { results, quota: [quota[quota.length - 1] as QuotaReading] } : { results };
  }

  async close(): Promise<void> {
    this.http.close();
  }

  private async sendChunk(batch: SendBatch<XiaomiOverrides>, targets: DeliveryTarget[]): Promise<SendOutcome> {
    const callback = batch.callbackUrl ? { url: batch.callbackUrl, ref: batch.callbackRef } : undefined;
    const request = buildXiaomiRequest(
      batch.message,
      targets.map((t) => t.token),
      this.config,
      this.deps.now(),
      callback,
      batch.overrides,
    );

    let res: AxiosResponse;
    try {
      res = await this.post(request);
    } catch (err) {
      const reason = transportReason(err);
      return { results: every(targets, { outcome: 'retry', vendorCode: reason, vendorMessage: `transport error: ${reason}` }) };
    }
    return this.interpret(res, targets, batch);
  }

  /** POST with the request's headers; feeds the provider request metrics. */
  private async post(request: XiaomiRequest): Promise<AxiosResponse> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const res = await this.http.client.post(request.path, encodeXiaomiForm(request.form), {
        headers: request.headers,
      });
      this.deps.observeRequest(seconds(), errorReason(res));
      return res;
    } catch (err) {
      this.deps.observeRequest(seconds(), transportReason(err));
      throw err;
    }
  }

  private interpret(res: AxiosResponse, targets: DeliveryTarget[], batch: SendBatch): SendOutcome {
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
    const retryAfterMs = final === 'rate_limited' || final === 'retry' ? parseRetryAfter(res.headers['retry-after'], this.deps.now()) : undefined;
    const quotaClass = final === 'quota_exceeded' ? xiaomiQuotaClassOf(batch.message.options.category, this.config) : undefined;
    if (final === 'auth_error') this.deps.logger.warn({ vendorCode: code ?? `http_${res.status}` }, 'xiaomi rejected the AppSecret; check appSecret and region/endpoint');
    return withQuota(
      every(targets, {
        outcome: final,
        vendorCode: known ? String(code) : `http_${res.status}`,
        vendorMessage,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        ...(quotaClass ? { quotaClass } : {}),
      }),
    );
  }
}

function every(targets: DeliveryTarget[], result: Omit<SendResult, 'deliveryId'>): SendResult[] {
  return targets.map((t) => ({ deliveryId: t.deliveryId, ...result }));
}

function parseBody(data: unknown): XiaomiResponse | undefined {
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      return undefined;
    }
  }
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as XiaomiResponse) : undefined;
}

/**
 * The bounded error label for the provider metrics: Xiaomi answers its errors with HTTP 200, so
 * the result code is the reason (`code_21301`; unknown codes collapse into `code_other`).
 */
function errorReason(res: AxiosResponse): string | undefined {
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
