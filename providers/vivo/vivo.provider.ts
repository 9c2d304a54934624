/**
 * vivo Push adapter: a thin transport over the pure builders (vivo.request.ts) and the outcome table
 * (vivo.errors.ts). docs/vendors/vivo.md; vendor doc v2.9.2 mirror https://app.applebyme.cn/cloud/appshangjia/2017.html
 */
import type { DeliveryTarget, ProviderDeps, PushProvider, SendBatch, SendOutcome, SendResult } from '../types.js';
import { CredentialCache, type FetchedCredential } from '../shared/credentials.js';
import { createVendorHttp, type VendorHttp, type VendorResponse } from '../shared/http.js';
import { CredentialError, credentialFailure, retryAfterOf, sameResult, transportRetry, type TargetResult } from '../shared/results.js';
import { parseJsonObject } from '../shared/text.js';
import { nextMidnight } from '../shared/time.js';
import type { VivoConfig } from './vivo.config.js';
import { isVivoQuotaCode, vivoHttpOutcome, vivoInvalidUserOutcome, vivoOutcome, vivoRateLimitWaitMs } from './vivo.errors.js';
import {
  buildVivoAuthRequest,
  buildVivoPayload,
  buildVivoPushToListRequest,
  buildVivoSaveListPayloadRequest,
  buildVivoSendRequest,
  vivoHeaders,
  vivoPayloadRequestId,
  vivoQuotaClass,
  type VivoOverrides,
} from './vivo.request.js';
import { VIVO_CODES, VIVO_LIMITS, VIVO_PATHS, type VivoAuthResponse, type VivoMessagePayload, type VivoSendResponse } from './vivo.wire.js';

/** vivo's quota day is the Beijing day (docs/vendors/vivo.md#rate-limits-and-quotas, vivo's "超量说明"). */
export const VIVO_QUOTA_TIME_ZONE = 'Asia/Shanghai';
/** vivo: "24 h expiry; cache centrally and refresh every 1–2 h" (docs/vendors/vivo.md#authentication). */
const TOKEN_RENEW_AFTER_MS = 3_600_000;
/** Stop using a token 10 min before its 24 h expiry. */
const TOKEN_REFRESH_MARGIN_MS = 10 * 60_000;
/**
 * How long a saveListPayload taskId is reused for further batches of the same message and payload. vivo's own
 * lifetime for a saved list payload is UNVERIFIED; 15 min covers one message's batches without relying on it.
 */
const LIST_TASK_TTL_MS = 15 * 60_000;
const LIST_TASK_CACHE_MAX = 1000;

/** The send APIs pushgate calls: a single push, or saveListPayload + pushToList. */
export type VivoApi = 'single' | 'list';
/** vivo counts system (classification 1) and operations messages against separate daily quotas. */
export type VivoQuotaClass = ReturnType<typeof vivoQuotaClass>;

interface Exhausted {
  until: number;
  code: number;
  /** The vivo path that answered the quota code. */
  path: string;
}

/** What a failed vivo call means for every target of the request. */
type Failure = TargetResult;

interface Reply {
  status: number;
  headers: VendorResponse['headers'];
  /** The parsed vivo JSON object, or undefined when the body was not one. */
  json: Record<string, unknown> | undefined;
  text: string;
}

/**
 * vivo answers JSON; regIds (`userid`) and `taskId` are long digit strings that lose precision if ever sent as
 * JSON numbers (one public client types `userid` as int), so they are quoted before parsing.
 */
function quoteVivoIds(text: string): string {
  return text.replace(/("(?:userid|taskId|regId)"\s*:\s*)(-?\d+)/g, '$1"$2"');
}

function codeOf(json: Record<string, unknown>): number | undefined {
  const r = json['result'];
  const n = typeof r === 'number' ? r : typeof r === 'string' && /^-?\d+$/.test(r) ? Number(r) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function descOf(json: Record<string, unknown>): string | undefined {
  return typeof json['desc'] === 'string' ? json['desc'] : undefined;
}

export class VivoProvider implements PushProvider<VivoOverrides> {
  private readonly http: VendorHttp;
  private readonly tokens: CredentialCache<string>;
  /** The last authToken vivo answered 10000 for; refreshCredentials() keeps a token fetched since. */
  private rejectedToken: string | undefined;
  /**
   * Per quota class: exhausted until the next Beijing midnight after vivo answered 10070/10252/10254 on any of
   * /message/send, saveListPayload or pushToList. vivo's quota counts messages, whichever API carries them, and
   * its doc asks not to call send, saveListPayload or pushToList again that day: one quota answer stops all three
   * for that class (the other class has its own quota and keeps flowing).
   */
  private readonly exhausted = new Map<VivoQuotaClass, Exhausted>();
  private readonly listTasks = new Map<string, { taskId: string; expiresAt: number }>();

  constructor(
    private readonly config: VivoConfig,
    private readonly deps: ProviderDeps,
  ) {
    // Bodies as text: parsed here after quoting vivo's long numeric ids.
    this.http = createVendorHttp({ baseURL: config.endpoint, timeoutMs: config.timeoutMs, ca: config.ca, rawText: true }, deps);
    this.tokens = new CredentialCache({ fetch: () => this.fetchToken(), now: () => deps.now(), refreshMarginMs: TOKEN_REFRESH_MARGIN_MS });
  }

  /**
   * The dispatcher sends 1..1000 distinct regIds with one payload (limits.maxTargetsPerRequest): one target goes
   * to /message/send, more to saveListPayload + pushToList.
   */
  async send(batch: SendBatch<VivoOverrides>): Promise<SendOutcome> {
    const { targets } = batch;
    if (targets.length === 0) return { results: [] };
    try {
      return { results: await this.sendBatch(batch) };
    } catch (err) {
      // Never throw for a vendor answer; an unexpected failure here is resent by the dispatcher.
      this.deps.logger.error({ err }, 'vivo send failed unexpectedly');
      return { results: sameResult(targets, { outcome: 'retry', vendorMessage: `vivo adapter error: ${String(err)}` }) };
    }
  }

  /** Drop the cached authToken so the next send authenticates again (called once by the dispatcher after auth_error). */
  async refreshCredentials(): Promise<void> {
    // A token fetched after vivo's last 10000 is already fresh: concurrent batches that failed together refresh once.
    this.tokens.invalidate(this.rejectedToken);
  }

  async close(): Promise<void> {
    this.tokens.invalidate();
    this.listTasks.clear();
    this.http.close();
  }

  // -------------------------------------------------------------------------------------------

  private async sendBatch(batch: SendBatch<VivoOverrides>): Promise<SendResult[]> {
    const { targets } = batch;
    const api: VivoApi = targets.length === 1 ? 'single' : 'list';
    const now = this.deps.now();
    const built = buildVivoPayload(batch.message, this.config, {
      now,
      list: api === 'list',
      callbackUrl: batch.callbackUrl,
      callbackRef: batch.callbackRef,
      overrides: batch.overrides,
    });
    if (!built.ok) return sameResult(targets, { outcome: 'rejected', vendorMessage: built.reason });
    if (built.warnings.length > 0) this.deps.logger.debug({ messageId: batch.message.id, warnings: built.warnings }, 'vivo payload adjusted');

    // The same class the definition's quotaClassOf gave the deliveries, so the dispatcher pauses the right one.
    const cls = vivoQuotaClass(batch.message.options.category, this.config);
    const ex = this.exhaustedFor(cls, now);
    if (ex) {
      return sameResult(targets, {
        outcome: 'quota_exceeded',
        vendorCode: String(ex.code),
        vendorMessage: `vivo ${cls} quota exhausted for today (${ex.code} on ${ex.path}): no send, saveListPayload or pushToList for this class until 00:00 Beijing time`,
        retryAfterMs: ex.until - now,
        quotaClass: cls,
      });
    }

    let token: string;
    try {
      token = await this.tokens.get();
    } catch (err) {
      return sameResult(targets, credentialFailure(err));
    }
    return api === 'single'
      ? this.sendSingle(batch, built.payload, cls, token)
      : this.sendList(batch, built.payload, cls, token);
  }

  private async sendSingle(batch: SendBatch<VivoOverrides>, payload: VivoMessagePayload, cls: VivoQuotaClass, token: string): Promise<SendResult[]> {
    const target = batch.targets[0] as DeliveryTarget;
    const body = buildVivoSendRequest(payload, this.config, target);
    const reply = await this.call(VIVO_PATHS.send, body, vivoHeaders(token));
    if ('outcome' in reply) return [{ deliveryId: target.deliveryId, ...reply }];
    const code = codeOf(reply.json) as number;
    const desc = descOf(reply.json);
    const res = reply.json as unknown as VivoSendResponse;
    if (code === VIVO_CODES.ok) {
      return [{ deliveryId: target.deliveryId, outcome: 'sent', vendorCode: '0', vendorMessageId: res.taskId === undefined ? undefined : String(res.taskId) }];
    }
    if (code === VIVO_CODES.targetInvalid) {
      // Single push: the one target is the invalid one; prune unless vivo says "not a test user" (status 4).
      const status = Number(res.invalidUser?.status ?? 1);
      return [{ deliveryId: target.deliveryId, outcome: vivoInvalidUserOutcome(status), vendorCode: String(code), vendorMessage: `${desc ?? 'regId invalid'} (status ${status})` }];
    }
    return [{ deliveryId: target.deliveryId, ...this.codeFailure(code, desc, VIVO_PATHS.send, cls, token, reply) }];
  }

  private async sendList(batch: SendBatch<VivoOverrides>, payload: VivoMessagePayload, cls: VivoQuotaClass, token: string): Promise<SendResult[]> {
    const { targets } = batch;
    const payloadId = vivoPayloadRequestId(batch.message.id, payload);
    let taskId = this.cachedTask(payloadId);
    if (taskId === undefined) {
      const saveBody = buildVivoSaveListPayloadRequest(payload, this.config, payloadId);
      const saved = await this.call(VIVO_PATHS.saveListPayload, saveBody, vivoHeaders(token));
      if ('outcome' in saved) return sameResult(targets, saved);
      const code = codeOf(saved.json) as number;
      if (code !== VIVO_CODES.ok) {
        const f = this.codeFailure(code, descOf(saved.json), VIVO_PATHS.saveListPayload, cls, token, saved);
        // No target is named by a saveListPayload error: never prune on it.
        return sameResult(targets, f.outcome === 'invalid_token' ? { ...f, outcome: 'rejected' } : f);
      }
      const raw = saved.json['taskId'];
      if (raw === undefined || raw === null || raw === '') {
        return sameResult(targets, { outcome: 'retry', vendorCode: '0', vendorMessage: 'vivo saveListPayload answered without a taskId' });
      }
      taskId = String(raw);
      this.rememberTask(payloadId, taskId);
    }

    const body = buildVivoPushToListRequest(this.config, targets, taskId);
    const reply = await this.call(VIVO_PATHS.pushToList, body, vivoHeaders(token));
    if ('outcome' in reply) return sameResult(targets, reply);
    const code = codeOf(reply.json) as number;
    const desc = descOf(reply.json);
    if (code === VIVO_CODES.ok || code === VIVO_CODES.targetInvalid) {
      const invalid = new Map<string, number>();
      const list = reply.json['invalidUsers'];
      if (Array.isArray(list)) {
        for (const u of list as unknown[]) {
          if (u && typeof u === 'object' && 'userid' in u) {
            const rec = u as { userid: unknown; status?: unknown };
            invalid.set(String(rec.userid), Number(rec.status ?? 1));
          }
        }
      }
      if (code === VIVO_CODES.targetInvalid && invalid.size === 0) {
        // 10302 naming no regId: which targets are dead is unknown, so nothing is pruned.
        return sameResult(targets, { outcome: 'rejected', vendorCode: String(code), vendorMessage: desc ?? 'regId invalid' });
      }
      return targets.map((t): SendResult => {
        const status = invalid.get(t.token);
        if (status !== undefined) {
          return { deliveryId: t.deliveryId, outcome: vivoInvalidUserOutcome(status), vendorCode: String(VIVO_CODES.targetInvalid), vendorMessage: `regId invalid (status ${status})` };
        }
        return { deliveryId: t.deliveryId, outcome: 'sent', vendorCode: '0', vendorMessageId: taskId };
      });
    }
    const f = this.codeFailure(code, desc, VIVO_PATHS.pushToList, cls, token, reply);
    // A refused pushToList may mean the saved payload is gone on vivo's side: save it again next time.
    if (f.outcome === 'rejected') this.listTasks.delete(payloadId);
    return sameResult(targets, f);
  }

  /** Map a non-success vivo code; remembers auth rejections and per-class daily exhaustion. */
  private codeFailure(code: number, desc: string | undefined, path: string, cls: VivoQuotaClass, token: string, reply: Reply): Failure {
    const now = this.deps.now();
    const outcome = vivoOutcome(code);
    const f: Failure = { outcome, vendorCode: String(code), vendorMessage: desc };
    if (code === VIVO_CODES.authTokenInvalid) this.rejectedToken = token;
    if (isVivoQuotaCode(code)) {
      // vivo: after a quota code do not call send/saveListPayload/pushToList again that day, or vivo lowers the
      // app's push level.
      const until = nextMidnight(now, VIVO_QUOTA_TIME_ZONE);
      this.exhausted.set(cls, { until, code, path });
      f.retryAfterMs = until - now;
      f.quotaClass = cls;
      this.deps.logger.warn({ code, path, quotaClass: cls, until: new Date(until).toISOString() }, 'vivo daily quota exhausted: no send/list calls for this class until 00:00 Beijing time');
    }
    if (outcome === 'rate_limited') f.retryAfterMs = retryAfterOf(reply.headers, now) ?? vivoRateLimitWaitMs(code);
    return f;
  }

  private exhaustedFor(cls: VivoQuotaClass, now: number): Exhausted | undefined {
    const ex = this.exhausted.get(cls);
    if (ex && now < ex.until) return ex;
    if (ex) this.exhausted.delete(cls);
    return undefined;
  }

  private cachedTask(key: string): string | undefined {
    const hit = this.listTasks.get(key);
    if (!hit) return undefined;
    if (this.deps.now() < hit.expiresAt) return hit.taskId;
    this.listTasks.delete(key);
    return undefined;
  }

  private rememberTask(key: string, taskId: string): void {
    if (this.listTasks.size >= LIST_TASK_CACHE_MAX) {
      const oldest = this.listTasks.keys().next();
      if (!oldest.done) this.listTasks.delete(oldest.value);
    }
    this.listTasks.set(key, { taskId, expiresAt: this.deps.now() + LIST_TASK_TTL_MS });
  }

  // ------------------------------------------------------------------------------------------- auth

  async warmUp(): Promise<void> {
    try {
      await this.tokens.get();
    } catch (err) {
      const fail = credentialFailure(err);
      throw new Error(`vivo auth failed: ${fail.vendorMessage ?? fail.vendorCode ?? fail.outcome}`);
    }
  }

  /** One /message/auth call; throws a CredentialError carrying the outcome for every target. */
  private async fetchToken(): Promise<FetchedCredential<string>> {
    const now = this.deps.now();
    const reply = await this.call(VIVO_PATHS.auth, buildVivoAuthRequest(this.config, now), { 'content-type': 'application/json' });
    if ('outcome' in reply) {
      this.deps.logger.warn({ outcome: reply.outcome, reason: reply.vendorMessage }, 'vivo auth request failed');
      throw new CredentialError({ ...reply, vendorMessage: `vivo auth: ${reply.vendorMessage ?? reply.outcome}` });
    }
    const res = reply.json as unknown as VivoAuthResponse;
    const code = codeOf(reply.json) as number;
    if (code === VIVO_CODES.ok && typeof res.authToken === 'string' && res.authToken) {
      // Used until 10 min before its 24 h expiry, renewed in the background after 1 h.
      return { value: res.authToken, expiresAt: now + VIVO_LIMITS.tokenLifetimeMs, renewAt: now + TOKEN_RENEW_AFTER_MS };
    }
    if (code === VIVO_CODES.ok) throw new CredentialError({ outcome: 'retry', vendorCode: '0', vendorMessage: 'vivo auth answered without an authToken' });
    let outcome = vivoOutcome(code);
    // At the auth endpoint anything but throttling is a credentials/config problem, never the messages' fault.
    if (outcome !== 'rate_limited' && outcome !== 'retry') outcome = 'auth_error';
    const fail: Failure = { outcome, vendorCode: String(code), vendorMessage: `vivo auth: ${res.desc ?? 'refused'}` };
    if (outcome === 'rate_limited') fail.retryAfterMs = retryAfterOf(reply.headers, now) ?? vivoRateLimitWaitMs(code);
    this.deps.logger.warn({ code, desc: res.desc }, 'vivo auth refused');
    throw new CredentialError(fail);
  }

  // ------------------------------------------------------------------------------------------- transport

  /**
   * POST JSON and read vivo's answer as text (see parseVivoBody). Resolves to the parsed reply when it carries a
   * vivo `result` code, otherwise to the Failure for the whole request (transport error, HTTP 5xx, junk body).
   */
  private async call(path: string, body: unknown, headers: Record<string, string>): Promise<(Reply & { json: Record<string, unknown> }) | Failure> {
    let res: VendorResponse<unknown>;
    try {
      res = await this.http.post(path, body, headers);
    } catch (err) {
      return transportRetry(err, (reason) => `vivo ${path}: ${reason}`);
    }
    const text = typeof res.data === 'string' ? res.data : JSON.stringify(res.data ?? '');
    const json = parseJsonObject(text, quoteVivoIds);
    if (res.status >= 500 || res.status === 429 || !json || codeOf(json) === undefined) {
      const f: Failure = { outcome: vivoHttpOutcome(res.status), vendorCode: `http_${res.status}`, vendorMessage: `vivo ${path}: HTTP ${res.status} ${text.slice(0, 120)}`.trim() };
      if (f.outcome === 'rate_limited') f.retryAfterMs = retryAfterOf(res.headers, this.deps.now());
      return f;
    }
    return { status: res.status, headers: res.headers, json, text };
  }
}
