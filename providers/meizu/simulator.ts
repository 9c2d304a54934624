/**
 * An in-process Meizu Flyme Push server for tests, the playground and benchmarks
 * (docs/vendors/meizu.md#simulator), written from Meizu's API document
 * (https://github.com/MEIZUPUSH/PushAPI), not from the adapter: it recomputes `sign` itself from
 * the decoded form (every parameter but `sign`, sorted by name, `k=v` with no separator, appSecret
 * appended, MD5 lowercase hex) and answers a mismatch with 1006, an unknown appId with 110000.
 * It enforces ≤ 100 pushIds and the `messageJson` field limits (1005), answers per-target codes in
 * `value` (110002 unknown pushIds, 110010 messages switched off, 518 over speed, 110011 public cap),
 * request-level 110010 when throttled, 110019 when the daily quota is gone, 1003 when failing, and
 * posts receipts (form `cb` + `access_token`) to `extra.callback` when auto-receipts are on.
 * `rejectCredentials` stands for a secret rotated in the Meizu console: every request's `sign` is
 * refused with 1006 until it is set back (a static secret: nothing was issued, nothing to revoke).
 * Meizu answers every verdict with HTTP 200 and a string `code`; so does the simulator.
 */
import { createHash, randomBytes } from 'node:crypto';
import { SimControls } from '../shared/sim-controls.js';
import { ReceiptOutbox } from '../shared/sim-receipts.js';
import { startHttpSimulator, type HttpSimulator, type SimRequest, type SimResponse } from '../shared/sim-server.js';

// The vendor's facts, written here from docs/vendors/meizu.md (Meizu's PushAPI document), not taken
// from the adapter: when the two disagree, a test sees it.
const VARNISHED = '/garcia/api/server/push/varnished/pushByPushId';
const UNVARNISHED = '/garcia/api/server/push/unvarnished/pushByPushId';
/** ≤ 100 pushIds a request since 2023-08-21 (docs/vendors/meizu.md#limits). */
const MAX_PUSH_IDS = 100;

export interface MeizuSimulatorOptions {
  appId: string;
  appSecret: string;
  /** The receipt access token "configured in the console", sent with every receipt. */
  receiptAccessToken?: string;
  /** Keep every request in `requests`; off by default so benchmarks stay lean. */
  recordRequests?: boolean;
  /** Post a delivered receipt to `extra.callback` after accepting a send (the playground does). @default false */
  autoReceipts?: boolean;
}

export interface MeizuSimReceipt {
  msgId: string;
  type: number;
  targets: readonly string[];
  param?: string | undefined;
}

interface SentWithCallback {
  callback: string;
  param: string | undefined;
  tokens: string[];
}

export class MeizuSimulator extends SimControls {
  // `invalidTokens` (SimControls): pushIds Meizu does not know, listed under per-target 110002.
  /** pushIds whose user switched the app's messages off: listed under per-target 110010. */
  readonly switchedOffTokens = new Set<string>();
  /** pushIds answered 518 (over the configured speed). */
  readonly overSpeedTokens = new Set<string>();
  /** pushIds whose public (公信) messages for today are used up: 110011 for public messages. */
  readonly publicCappedTokens = new Set<string>();
  /** Answer pass-through sends with 110053, as Meizu does where it restricted pass-through. */
  passThroughDisabled = false;
  /** How `fail(n)` fails: Meizu's "server busy" 1003 (HTTP 200) or a bare HTTP 503. */
  failMode: 'busy' | 'http503' = 'busy';
  /** The last send request's form fields and parsed messageJson, always kept for assertions. */
  lastRequest: { path: string; form: URLSearchParams; messageJson: Record<string, unknown> } | undefined;
  readonly requests: SimRequest[] = [];
  readonly withCallback = new Map<string, SentWithCallback>();
  autoReceipts: boolean;
  readonly receipts = new ReceiptOutbox();

  private readonly forced: { code: string; message: string }[] = [];
  private server!: HttpSimulator;

  private constructor(private readonly opts: MeizuSimulatorOptions) {
    super();
    this.autoReceipts = opts.autoReceipts ?? false;
  }

  static async start(opts: MeizuSimulatorOptions): Promise<MeizuSimulator> {
    const sim = new MeizuSimulator(opts);
    sim.server = await startHttpSimulator((req) => sim.answer(req), { recordRequests: false });
    return sim;
  }

  get url(): string {
    return this.server.url;
  }

  get appId(): string {
    return this.opts.appId;
  }

  get appSecret(): string {
    return this.opts.appSecret;
  }

  /** Answer the next send with this request-level code (1006 for a refused signature, 1005, …). */
  failWith(code: string, message = `error ${code}`): void {
    this.forced.push({ code, message });
  }

  async close(): Promise<void> {
    await this.receipts.close();
    await this.server.close();
  }

  /** POST a receipt as Meizu does: form fields `access_token` and `cb` (JSON keyed "<msgId>-<type>"). */
  async sendReceipt(callbackUrl: string, receipt: MeizuSimReceipt, accessToken = this.opts.receiptAccessToken ?? ''): Promise<number> {
    const cb = { [`${receipt.msgId}-${receipt.type}`]: { ...(receipt.param !== undefined ? { param: receipt.param } : {}), type: receipt.type, targets: [...receipt.targets] } };
    const res = await fetch(callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ cb: JSON.stringify(cb), access_token: accessToken }).toString(),
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** Send the receipt of `type` (default 1, delivered) for a message that asked for one. */
  async sendReceiptsFor(msgId: string, type = 1): Promise<number> {
    const sent = this.withCallback.get(msgId);
    if (!sent) throw new Error(`no message ${msgId} with extra.callback was accepted`);
    return this.sendReceipt(sent.callback, { msgId, type, targets: sent.tokens, param: sent.param });
  }

  /** The answer, held `delayMs` (a slow vendor; the starter releases the hold at close). */
  private answer(req: SimRequest): SimResponse {
    const response = this.handle(req);
    return this.delayMs > 0 && !response.fault ? { ...response, delayMs: this.delayMs } : response;
  }

  private handle(req: SimRequest): SimResponse {
    if (req.path !== VARNISHED && req.path !== UNVARNISHED) return { status: 404, body: 'Not Found' };
    if (req.method !== 'POST') return { status: 405, body: 'Method Not Allowed' };
    this.recordSend(req.path, req.headers, req.rawBody);
    const fault = this.faults.takeTransport();
    if (fault) return { fault };
    if (this.opts.recordRequests) this.requests.push(req);
    if (!String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) return answer('1005', 'Content-Type must be application/x-www-form-urlencoded');
    const form = req.form;
    const messageJson = parseObject(form.get('messageJson'));
    this.lastRequest = { path: req.path, form, messageJson: messageJson ?? {} };

    const names = [...form.keys()];
    if (new Set(names).size !== names.length) return answer('1005', 'a parameter appears twice');
    if (form.get('appId') !== this.opts.appId) return answer('110000', 'appId不合法');
    if (this.rejectCredentials || form.get('sign') !== expectedSign(form, this.opts.appSecret)) return answer('1006', '签名认证失败');

    const throttled = this.faults.takeThrottle();
    if (throttled) {
      // Meizu documents no Retry-After on 110010; when one is scripted the simulator adds it, as a proxy might.
      const r = answer('110010', '应用请求频率超过限制');
      return throttled.retryAfterSeconds !== undefined ? { ...r, headers: { 'retry-after': String(throttled.retryAfterSeconds) } } : r;
    }
    if (this.faults.takeFail()) return this.failMode === 'http503' ? { status: 503, body: 'Service Unavailable' } : answer('1003', '服务器忙');
    const forced = this.forced.shift();
    if (forced) return answer(forced.code, forced.message);

    const pushIds = (form.get('pushIds') ?? '').split(',').map((s) => s.trim());
    if (pushIds.length === 0 || pushIds.some((id) => id === '')) return answer('110004', 'pushIds不能为空');
    if (pushIds.length > MAX_PUSH_IDS) return answer('1005', `一批最多不能超过${MAX_PUSH_IDS}个`);
    if (!messageJson) return answer('1005', 'messageJson must be a JSON object');
    const passThrough = req.path === UNVARNISHED;
    const invalid = passThrough ? checkPassThrough(messageJson) : checkNotification(messageJson);
    if (invalid) return answer('1005', invalid);
    if (passThrough && this.passThroughDisabled) return answer('110053', '透传超过限制');
    if (this.quotaExhausted) return answer('110019', '应用当天推送数已超过限制');

    const isPublic = !passThrough && Number((messageJson.noticeBarInfo as Record<string, unknown>).noticeMsgType ?? 0) === 0;
    const value: Record<string, string[]> = {};
    const good: string[] = [];
    for (const id of pushIds) {
      const code = this.invalidTokens.has(id)
        ? '110002'
        : this.switchedOffTokens.has(id)
          ? '110010'
          : this.overSpeedTokens.has(id)
            ? '518'
            : isPublic && this.publicCappedTokens.has(id)
              ? '110011'
              : undefined;
      if (code) (value[code] ??= []).push(id);
      else good.push(id);
    }
    for (const id of good) this.accepted.push(id);
    const msgId = randomBytes(16).toString('hex');
    const extra = messageJson.extra as Record<string, unknown> | undefined;
    const callback = typeof extra?.callback === 'string' ? extra.callback : undefined;
    if (callback && good.length > 0) {
      const sent = { callback, param: typeof extra?.['callback.param'] === 'string' ? extra['callback.param'] : undefined, tokens: good };
      this.withCallback.set(msgId, sent);
      if (this.autoReceipts) this.receipts.later(() => this.sendReceipt(callback, { msgId, type: 1, targets: good, param: sent.param }));
    }
    return { body: { code: '200', message: '', msgId, value } };
  }
}

/** Meizu's signature, from the API document: all parameters but `sign`, sorted by name, `k=v` joined with nothing, secret appended, MD5 hex. */
function expectedSign(form: URLSearchParams, secret: string): string {
  const pairs = [...form.entries()].filter(([k]) => k !== 'sign');
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const base = pairs.map(([k, v]) => `${k}=${v}`).join('') + secret;
  return createHash('md5').update(base, 'utf8').digest('hex');
}

function answer(code: string, message: string): SimResponse {
  return { body: { code, message, value: '', redirect: '' } };
}

/** The documented notification fields and their limits; a message naming the first problem, or undefined. */
function checkNotification(m: Record<string, unknown>): string | undefined {
  const bar = m.noticeBarInfo;
  if (!isObject(bar)) return 'noticeBarInfo is required';
  if (!textIn(bar.title, 1, 32)) return 'noticeBarInfo.title must be 1..32 characters';
  if (!textIn(bar.content, 1, 100)) return 'noticeBarInfo.content must be 1..100 characters';
  if (!intOf(bar.noticeMsgType, [0, 1])) return 'noticeBarInfo.noticeMsgType must be 0 or 1';
  if (!intOf(bar.noticeBarType, [0, 2])) return 'noticeBarInfo.noticeBarType must be 0 or 2';
  const click = m.clickTypeInfo;
  if (click !== undefined) {
    if (!isObject(click)) return 'clickTypeInfo must be an object';
    // 3 (client-defined) is deprecated: broken on Android 12+.
    if (!intOf(click.clickType, [0, 1, 2])) return 'clickTypeInfo.clickType must be 0, 1 or 2';
    if (Number(click.clickType) === 1 && !textIn(click.activity, 1, 1000)) return 'clickType 1 needs activity';
    if (Number(click.clickType) === 2 && !textIn(click.url, 1, 4096)) return 'clickType 2 needs url';
    if (click.parameters !== undefined && !isObject(click.parameters)) return 'clickTypeInfo.parameters must be a JSON object';
  }
  const time = checkTime(m.pushTimeInfo);
  if (time) return time;
  const adv = m.advanceInfo;
  if (adv !== undefined) {
    if (!isObject(adv)) return 'advanceInfo must be an object';
    if (adv.notifyKey !== undefined && !(typeof adv.notifyKey === 'string' && /^[0-9A-Za-z_-]{1,8}$/.test(adv.notifyKey))) return 'advanceInfo.notifyKey must be ≤ 8 characters of 0-9 a-z A-Z _ -';
    for (const k of ['suspend', 'clearNoticeBar'] as const) if (!intOf(adv[k], [0, 1])) return `advanceInfo.${k} must be 0 or 1`;
  }
  const extra = m.extra;
  if (extra !== undefined) {
    if (!isObject(extra)) return 'extra must be an object';
    const cb = extra.callback;
    if (typeof cb !== 'string' || !/^https?:\/\/\S+$/.test(cb) || Buffer.byteLength(cb) > 128) return 'extra.callback must be an http(s) URL of at most 128 bytes';
    const param = extra['callback.param'];
    if (param !== undefined && (typeof param !== 'string' || Buffer.byteLength(param) > 64)) return 'extra.callback.param must be at most 64 bytes';
    if (!intOf(extra['callback.type'], [1, 2, 3])) return 'extra.callback.type must be 1, 2 or 3';
  }
  return undefined;
}

function checkPassThrough(m: Record<string, unknown>): string | undefined {
  if (typeof m.content !== 'string' || m.content === '' || Buffer.byteLength(m.content) > 2000) return 'content must be 1..2000 bytes';
  if (m.title !== undefined && !textIn(m.title, 1, 32)) return 'title must be 1..32 characters';
  return checkTime(m.pushTimeInfo);
}

function checkTime(t: unknown): string | undefined {
  if (t === undefined) return undefined;
  if (!isObject(t)) return 'pushTimeInfo must be an object';
  if (!intOf(t.offLine, [0, 1])) return 'pushTimeInfo.offLine must be 0 or 1';
  const offLine = t.offLine === undefined ? 1 : Number(t.offLine === true ? 1 : t.offLine === false ? 0 : t.offLine);
  if (offLine === 1 && t.validTime !== undefined && !(Number.isInteger(t.validTime) && (t.validTime as number) >= 1 && (t.validTime as number) <= 72)) return 'pushTimeInfo.validTime must be 1..72 hours';
  return undefined;
}

/** Absent, or one of `allowed` as a number, a numeric string or (the Java SDK's form) a boolean for 0/1. */
function intOf(v: unknown, allowed: number[]): boolean {
  if (v === undefined) return true;
  const n = typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && allowed.includes(n);
}

function textIn(v: unknown, min: number, max: number): boolean {
  if (typeof v !== 'string') return false;
  const n = Array.from(v).length;
  return n >= min && n <= max && v.trim() !== '';
}

function parseObject(text: string | null): Record<string, unknown> | undefined {
  if (text === null) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
