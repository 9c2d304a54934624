/**
 * An in-process Xiaomi MiPush server for tests, the playground and benchmarks
 * (docs/vendors/xiaomi.md#simulator). It speaks the real `POST /v3/message/regid` protocol: static-key auth,
 * form fields, the 1000-regId limit, title/description limits, `bad_regids`, 20301, 10027,
 * 200001 with the quota counters, and it can post receipts the way Xiaomi does (form field `data`).
 * Xiaomi answers errors with HTTP 200 and `result:"error"`; so does the simulator.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { SimControls } from '../shared/sim-controls.js';
import { ReceiptOutbox } from '../shared/sim-receipts.js';
import { startHttpSimulator, type HttpSimulator, type SimRequest, type SimResponse } from '../shared/sim-server.js';

// The vendor's facts, written here from its documentation (docs/vendors/xiaomi.md), not taken from
// the adapter: when the two disagree, a test sees it.
/** `POST /v3/message/regid` (docs/vendors/xiaomi.md#endpoints); /v2 still answers. */
const REGID_PATHS = new Set(['/v3/message/regid', '/v2/message/regid']);
/** ≤ 1000 regIds a request (docs/vendors/xiaomi.md#limits). */
const MAX_REGIDS = 1000;
/** `title` under 50, `description` under 128 characters (docs/vendors/xiaomi.md#limits). */
const TITLE_MAX_CHARS = 49;
const DESCRIPTION_MAX_CHARS = 127;
const NOTIFY_ID_MAX = 2_147_483_647;
/** Xiaomi's result codes (docs/vendors/xiaomi.md#error-codes-and-outcomes). */
const CODE = {
  serviceBusy: 10002,
  missingParameter: 10016,
  invalidParameter: 10017,
  appTooFrequent: 10027,
  noValidTarget: 20301,
  authFailed: 21301,
  invalidPackageName: 22022,
  channelMismatch: 27001,
  contentTooLong: 65009,
  callbackUrlError: 65036,
  dailyQuotaExceeded: 200001,
} as const;
/** Receipt type 1: delivered (docs/vendors/xiaomi.md#receipts). */
const RECEIPT_DELIVERED = 1;

/** Xiaomi's answer body: `result` ok/error with a numeric code (HTTP 200 either way). */
interface XiaomiAnswer {
  result: 'ok' | 'error';
  code: number;
  trace_id: string;
  description?: string;
  reason?: string;
  info?: string;
  data?: Record<string, unknown>;
}

export interface XiaomiSimulatorOptions {
  appSecret: string;
  packageName: string;
  /** Channel ids "registered in the console"; when given, any other `extra.channel_id` gets 27001. */
  channels?: Iterable<string>;
  /** Public daily quota reported as `data.day_quota` (default 1,000,000). */
  dayQuota?: number;
  /** Keep every request (headers, form) in `requests`; off by default so benchmarks stay lean. */
  recordRequests?: boolean;
  /** Post a "delivered" receipt to `extra.callback` after accepting a send (the playground does). @default false */
  autoReceipts?: boolean;
}

/** A receipt as Xiaomi posts it: one message id, one type, its targets and our `callback.param`. */
export interface XiaomiSimReceipt {
  msgId: string;
  type: number;
  targets: readonly string[] | string;
  param?: string | undefined;
  timestamp?: number;
}

interface SentWithCallback {
  callback: string;
  param: string | undefined;
  tokens: string[];
}

export class XiaomiSimulator extends SimControls {
  /** How `fail(n)` fails: Xiaomi's "service busy" code 10002 (HTTP 200) or a bare HTTP 503. */
  failMode: 'busy' | 'http503' = 'busy';
  dayQuota: number;
  /** Accepted targets today (reported as `data.day_acked`). */
  dayAcked = 0;
  /** Requests received, when started with `recordRequests`. */
  readonly requests: SimRequest[] = [];
  /** The last send request's headers and form, always kept (cheap) for assertions. */
  lastRequest: { headers: IncomingHttpHeaders; form: URLSearchParams } | undefined;
  /** Messages that asked for receipts, by message id, so `sendReceiptsFor` can answer them. */
  readonly withCallback = new Map<string, SentWithCallback>();
  /** Post a delivered receipt for every accepted message that carries `extra.callback`. */
  autoReceipts: boolean;
  /** Receipts waiting to be posted (their delay is `receipts.delayMs`). */
  readonly receipts = new ReceiptOutbox();

  private readonly forced: { code: number; description: string }[] = [];
  private readonly channels: Set<string>;
  private seq = 0;
  private server!: HttpSimulator;

  private constructor(private readonly opts: XiaomiSimulatorOptions) {
    super();
    this.channels = new Set(opts.channels ?? []);
    this.dayQuota = opts.dayQuota ?? 1_000_000;
    this.autoReceipts = opts.autoReceipts ?? false;
  }

  static async start(opts: XiaomiSimulatorOptions): Promise<XiaomiSimulator> {
    const sim = new XiaomiSimulator(opts);
    sim.server = await startHttpSimulator((req) => sim.handle(req), { recordRequests: false });
    return sim;
  }

  get url(): string {
    return this.server.url;
  }

  /** Answer the next send with this Xiaomi error code (codes the knobs above do not cover). */
  failWith(code: number, description = `error ${code}`): void {
    this.forced.push({ code, description });
  }

  async close(): Promise<void> {
    await this.receipts.close();
    await this.server.close();
  }

  /** POST a receipt to `callbackUrl` exactly as Xiaomi does: form field `data` = JSON keyed by msgId. */
  async sendReceipt(callbackUrl: string, receipt: XiaomiSimReceipt): Promise<number> {
    const entry = {
      type: receipt.type,
      targets: typeof receipt.targets === 'string' ? receipt.targets : receipt.targets.join(','),
      timestamp: receipt.timestamp ?? Date.now(),
      ...(receipt.param !== undefined ? { param: receipt.param } : {}),
    };
    const res = await fetch(callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ data: JSON.stringify({ [receipt.msgId]: entry }) }).toString(),
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** Send the receipt of `type` (default delivered) for a message that asked for one. */
  async sendReceiptsFor(msgId: string, type: number = RECEIPT_DELIVERED): Promise<number> {
    const sent = this.withCallback.get(msgId);
    if (!sent) throw new Error(`no message ${msgId} with extra.callback was accepted`);
    return this.sendReceipt(sent.callback, { msgId, type, targets: sent.tokens, param: sent.param });
  }

  /** The answer, held `delayMs` (a slow vendor; the starter releases the hold at close). */
  private handle(req: SimRequest): SimResponse {
    const answer = this.answer(req);
    return this.delayMs > 0 && !answer.fault ? { ...answer, delayMs: this.delayMs } : answer;
  }

  private answer(req: SimRequest): SimResponse {
    if (!REGID_PATHS.has(req.path)) return { status: 404, body: 'Not Found' };
    if (req.method !== 'POST') return { status: 405, body: 'Method Not Allowed' };
    this.recordSend(req.path, req.headers, req.rawBody);
    const fault = this.faults.takeTransport();
    if (fault) return { fault };
    const form = req.form;
    this.lastRequest = { headers: req.headers, form };
    if (this.opts.recordRequests) this.requests.push(req);

    // Static key, exactly `key=<AppSecret>` (docs/vendors/xiaomi.md#authentication).
    if (this.rejectCredentials || req.headers.authorization !== `key=${this.opts.appSecret}`) return error(CODE.authFailed, 'Authentication failed');

    const throttled = this.faults.takeThrottle();
    if (throttled) {
      // 10027: the app calls the API too often. Xiaomi documents no Retry-After; when one is
      // scripted the simulator adds it, as a proxy might.
      const r = error(CODE.appTooFrequent, 'The app calls this API too often');
      return throttled.retryAfterSeconds !== undefined ? { ...r, headers: { 'retry-after': String(throttled.retryAfterSeconds) } } : r;
    }
    if (this.faults.takeFail()) {
      return this.failMode === 'http503' ? { status: 503, body: 'Service Unavailable' } : error(CODE.serviceBusy, 'Service busy');
    }
    const forced = this.forced.shift();
    if (forced) return error(forced.code, forced.description);

    const invalid = this.validate(form);
    if (invalid) return invalid;

    if (this.quotaExhausted) {
      return error(CODE.dailyQuotaExceeded, `exceed quota, quota: ${this.dayQuota}, have acked: ${this.dayAcked}`);
    }

    const regIds = (form.get('registration_id') ?? '').split(',');
    const bad: string[] = [];
    const good: string[] = [];
    for (const id of regIds) (this.invalidTokens.has(id) ? bad : good).push(id);
    if (good.length === 0) return error(CODE.noValidTarget, 'No valid targets');
    for (const id of good) this.accepted.push(id);
    this.dayAcked += good.length;

    const id = `sdm${(++this.seq).toString(36).padStart(8, '0')}xm`;
    const callback = form.get('extra.callback');
    if (callback) {
      const sent = { callback, param: form.get('extra.callback.param') ?? undefined, tokens: good };
      this.withCallback.set(id, sent);
      if (this.autoReceipts) this.receipts.later(() => this.sendReceipt(callback, { msgId: id, type: RECEIPT_DELIVERED, targets: good, param: sent.param }));
    }
    const body: XiaomiAnswer = {
      result: 'ok',
      code: 0,
      trace_id: `Xcm${this.seq}`,
      description: '成功',
      info: `Received push messages for ${regIds.length} REGID`,
      data: { id, day_quota: this.dayQuota, day_acked: this.dayAcked, ...(bad.length > 0 ? { bad_regids: bad.join(',') } : {}) },
    };
    return { body };
  }

  /** Field checks of docs/vendors/xiaomi.md#request, answered with Xiaomi's own codes. */
  private validate(form: URLSearchParams): SimResponse | undefined {
    const pkg = form.get('restricted_package_name');
    if (!pkg) return error(CODE.missingParameter, 'Missing required parameter restricted_package_name');
    // In v3 the field may list several packages (docs/vendors/xiaomi.md#endpoints).
    if (!pkg.split(',').includes(this.opts.packageName)) return error(CODE.invalidPackageName, `Invalid package name: ${pkg}`);
    const regIds = form.get('registration_id');
    if (!regIds) return error(CODE.missingParameter, 'Missing required parameter registration_id');
    if (countAtLeast(regIds, ',', MAX_REGIDS)) return error(CODE.invalidParameter, `registration_id holds more than ${MAX_REGIDS} regIds`);
    if (regIds.split(',').some((id) => id.trim() === '')) return error(CODE.invalidParameter, 'registration_id holds an empty regId');

    const passThrough = form.get('pass_through') ?? '0';
    if (passThrough !== '0' && passThrough !== '1') return error(CODE.invalidParameter, 'pass_through must be 0 or 1');
    if (passThrough === '0') {
      const title = form.get('title');
      const description = form.get('description');
      if (!title?.trim() || !description?.trim()) return error(CODE.missingParameter, 'A notification needs title and description');
      if (Array.from(title).length > TITLE_MAX_CHARS) return error(CODE.contentTooLong, 'title must be under 50 characters');
      if (Array.from(description).length > DESCRIPTION_MAX_CHARS) return error(CODE.contentTooLong, 'description must be under 128 characters');
    } else if (!form.get('payload')) {
      return error(CODE.missingParameter, 'A pass-through message needs payload');
    }
    if (!intIn(form.get('notify_id'), 0, NOTIFY_ID_MAX)) return error(CODE.invalidParameter, 'notify_id must be 0..2147483647');
    if (!intIn(form.get('notify_type'), -1, 7)) return error(CODE.invalidParameter, 'notify_type must be -1..7');
    if (!intIn(form.get('time_to_live'), 0, Number.MAX_SAFE_INTEGER)) return error(CODE.invalidParameter, 'time_to_live must be milliseconds');
    if (!intIn(form.get('extra.notify_effect'), 1, 3)) return error(CODE.invalidParameter, 'extra.notify_effect must be 1, 2 or 3');
    if (form.get('extra.notify_effect') === '2' && !form.get('extra.intent_uri')) return error(CODE.missingParameter, 'notify_effect 2 needs extra.intent_uri');
    if (form.get('extra.notify_effect') === '3' && !form.get('extra.web_uri')) return error(CODE.missingParameter, 'notify_effect 3 needs extra.web_uri');
    const channel = form.get('extra.channel_id');
    if (channel !== null && this.channels.size > 0 && !this.channels.has(channel)) return error(CODE.channelMismatch, `channel_id ${channel} does not belong to this app`);
    const callback = form.get('extra.callback');
    if (callback !== null && !/^https?:\/\/[^\s]+$/.test(callback)) return error(CODE.callbackUrlError, 'Invalid callback URL');
    if (!intIn(form.get('extra.callback.type'), 1, 2047)) return error(CODE.invalidParameter, 'extra.callback.type must be a receipt type bitmask');
    return undefined;
  }
}

function error(code: number, description: string): SimResponse {
  const body: XiaomiAnswer = { result: 'error', code, reason: description, description, trace_id: `Xcm-err-${code}` };
  return { body };
}

/** True when `s` holds more than `limit` items separated by `sep` (stops counting early). */
function countAtLeast(s: string, sep: string, limit: number): boolean {
  let count = 1;
  for (let i = s.indexOf(sep); i !== -1; i = s.indexOf(sep, i + 1)) if (++count > limit) return true;
  return false;
}

/** Absent, or an integer within [min, max]. */
function intIn(value: string | null, min: number, max: number): boolean {
  if (value === null) return true;
  if (!/^-?\d+$/.test(value)) return false;
  const n = Number(value);
  return n >= min && n <= max;
}
