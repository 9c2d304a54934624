/**
 * An in-process vivo Push server speaking the real protocol (docs/vendors/vivo.md#simulator):
 * - `/message/auth` checks fields in vivo's order (10200 appId empty, 10201 appKey empty, 10203 timestamp empty,
 *   10204 sign empty, 10205 unknown appId, 10202 wrong appKey, 10207 timestamp not within ±10 min of the
 *   simulator clock, 10206 sign ≠ md5(appId+appKey+timestamp+appSecret) lowercase), then issues an authToken
 *   valid 24 h (or `tokenLifetimeMs`). `throttleAuth(n)` answers 10250.
 * - every send needs the `authToken` header (missing, unknown or expired → 10000) and `appId` in the body equal to
 *   the app's (→ 10094); `requestId` 1..64 chars (→ 10353); title/content non-empty and within 40/100 counted the
 *   vivo way (→ 10055/10056, 10057/10058); notifyType 1..4 (10054); skipType 1..4 (10059) with skipContent for 2–4;
 *   timeToLive 60 (list: 900)..604800 (10060); clientCustomMap ≤10 pairs / 1024 chars (10061); classification 0/1
 *   (11000); category in vivo's list (10096) and consistent with classification (10097). Parameter codes other than
 *   10054–10058 are UNVERIFIED numbers inside vivo's 10050–10069 "invalid parameters" range.
 * - `/message/send`: one regId (10050 when empty); an invalid regId → 10302 + `invalidUser {status, userid}`.
 * - `/message/saveListPayload` → taskId; `/message/pushToList` needs a known taskId (10067, UNVERIFIED) and 2..1000
 *   regIds (10153); invalid ones come back as `invalidUsers`, the rest are accepted.
 * - A repeated `requestId` answers the first answer again and delivers nothing new (vivo's idempotency key; the
 *   exact real behaviour on duplicates is UNVERIFIED); `duplicateRequests` counts them.
 * - Knobs: `throttle(n)` → 10072 ("too frequent", meaning UNVERIFIED) with Retry-After when given; `fail(n)` → HTTP
 *   500 "Internet server error!"; `quotaExhausted` → `quotaCode` (10070 default; 10252/10254 settable) on the APIs
 *   in `quotaScope`, for the messages of `quotaClass` (vivo counts system and operations messages separately; a
 *   pushToList counts as the class of the payload it pushes); `delayMs`; `expireAccessTokens()`;
 *   `answerNext(code, n)` for any other vivo code.
 * Fast for 100k+ tokens: Set lookups, accepted tokens appended to one array, request bodies kept only on request.
 */
import { createHash } from 'node:crypto';
import { SimControls } from '../shared/sim-controls.js';
import { ReceiptOutbox } from '../shared/sim-receipts.js';
import { startHttpSimulator, type HttpSimulator, type SimRequest, type SimResponse } from '../shared/sim-server.js';
import { TokenIssuer } from '../shared/sim-tokens.js';
import { CODES, LIMITS, PATHS, err, empty, ok, validateMessage, type Answer } from './simulator.rules.js';

export { vivoWidth } from './simulator.rules.js';

export interface VivoSimulatorOptions {
  appId?: string;
  appKey?: string;
  appSecret?: string;
  /** The simulator's clock (timestamps and token expiry). */
  now?: () => number;
  tokenLifetimeMs?: number;
  /** Keep every request (path, headers, body) in `requests`; off by default so benchmarks stay lean. */
  recordRequests?: boolean;
  /** Post a receipt to `extra.callback` after accepting a send (the playground does). @default false */
  autoReceipts?: boolean;
}

/** The legacy per-message receipt request: `extra.callback` and the `extra["callback.param"]` echoed back. */
interface VivoCallback {
  url: string;
  param: string | undefined;
}

export type VivoSimEndpoint = 'auth' | 'send' | 'saveListPayload' | 'pushToList';

export class VivoSimulator extends SimControls {
  readonly appId: string;
  readonly appKey: string;
  readonly appSecret: string;
  /** invalidUser status per invalid token (default 1 "does not exist"). */
  readonly invalidStatus = new Map<string, number>();
  /** The code answered while `quotaExhausted`. */
  quotaCode: number = CODES.quotaTotal;
  /** Which APIs `quotaExhausted` affects. */
  quotaScope: 'all' | 'single' | 'list' = 'all';
  /** Which messages `quotaExhausted` affects: system (classification 1), operations (0) or both. */
  quotaClass: 'all' | 'system' | 'operation' = 'all';
  /** Requests per endpoint, answered or not. */
  readonly calls: Record<VivoSimEndpoint, number> = { auth: 0, send: 0, saveListPayload: 0, pushToList: 0 };
  /** Repeated requestIds recognised (nothing delivered again). */
  duplicateRequests = 0;
  /** Requests kept when `recordRequests` is on. */
  readonly requests: { path: string; headers: Record<string, string | string[] | undefined>; body: unknown }[] = [];
  /** Post a receipt for every accepted message that carries `extra.callback`. */
  autoReceipts: boolean;
  /** Receipts waiting to be posted (their delay is `receipts.delayMs`). */
  readonly receipts = new ReceiptOutbox();

  private server!: HttpSimulator;
  private readonly now: () => number;
  private readonly record: boolean;
  private readonly tokens: TokenIssuer;
  /** Saved list payloads: taskId → the payload's classification and the callback it asked for (pushToList sends them). */
  private readonly tasks = new Map<string, { classification: unknown; callback: VivoCallback | undefined }>();
  private readonly answered = new Map<string, Answer>();
  private taskSeq = 100_000_000;
  private throttleAuthLeft = 0;
  private scripted: { answer: Answer; left: number } | undefined;

  private constructor(opts: VivoSimulatorOptions) {
    super();
    this.appId = opts.appId ?? '10004';
    this.appKey = opts.appKey ?? 'sim-app-key';
    this.appSecret = opts.appSecret ?? 'sim-app-secret';
    this.now = opts.now ?? Date.now;
    this.tokens = new TokenIssuer({ now: this.now, lifetimeMs: opts.tokenLifetimeMs ?? LIMITS.tokenLifetimeMs });
    this.record = opts.recordRequests ?? false;
    this.autoReceipts = opts.autoReceipts ?? false;
  }

  static async start(opts: VivoSimulatorOptions = {}): Promise<VivoSimulator> {
    const sim = new VivoSimulator(opts);
    sim.server = await startHttpSimulator((req) => sim.handle(req), { recordRequests: false });
    return sim;
  }

  get url(): string {
    return this.server.url;
  }

  async close(): Promise<void> {
    await this.receipts.close();
    await this.server.close();
  }

  /**
   * POST a receipt the way vivo reportedly does (https://dev.vivo.com.cn/documentCenter/doc/362, "回执说明";
   * the exact body is not public): a JSON object keyed by taskId, `{ param, targets: "regId1,regId2", ackTime }`.
   * Resolves to the HTTP status.
   */
  async sendReceipt(url: string, taskId: string, receipt: { targets: readonly string[]; param?: string | undefined; ackTime?: number }): Promise<number> {
    const entry = { ...(receipt.param !== undefined ? { param: receipt.param } : {}), targets: receipt.targets.join(','), ackTime: receipt.ackTime ?? this.now() };
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json;charset=UTF-8' }, body: JSON.stringify({ [taskId]: entry }) });
    await res.arrayBuffer();
    return res.status;
  }

  /** Answer the next `n` auth requests with 10250 (auth call limit exceeded). */
  throttleAuth(n: number): void {
    this.throttleAuthLeft = n;
  }

  /**
   * Answer the next `n` authenticated message requests with this vivo result code (and extra fields), to drive
   * codes the simulator has no natural trigger for (10096, 10353, 11000, unknown codes…).
   */
  answerNext(result: number, n = 1, extra: Record<string, unknown> = {}): void {
    this.scripted = { answer: { result, desc: `scripted ${result}`, ...extra }, left: n };
  }

  /** Every authToken issued so far stops working (vivo's 24 h expiry, now). */
  expireAccessTokens(): void {
    this.tokens.revokeAll();
  }

  /** Number of authTokens currently valid. */
  get validTokens(): number {
    return this.tokens.valid;
  }

  protected override revokeIssuedCredentials(): void {
    this.tokens.revokeAll();
  }

  // -------------------------------------------------------------------------------------------

  private handle(req: SimRequest): SimResponse {
    if (this.record) this.requests.push({ path: req.path, headers: req.headers, body: req.body });
    if (req.method !== 'POST') return { status: 405, body: 'Method Not Allowed' };
    switch (req.path) {
      case PATHS.auth:
        this.calls.auth++;
        return { body: this.auth(req.body) };
      case PATHS.send:
        this.calls.send++;
        return this.message(req, 'send');
      case PATHS.saveListPayload:
        this.calls.saveListPayload++;
        return this.message(req, 'saveListPayload');
      case PATHS.pushToList:
        this.calls.pushToList++;
        return this.message(req, 'pushToList');
      default:
        return { status: 404, body: 'Not Found' };
    }
  }

  private auth(body: unknown): Answer {
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    if (empty(b['appId'])) return err(CODES.authAppIdEmpty, 'appId不能为空');
    if (empty(b['appKey'])) return err(CODES.authAppKeyEmpty, 'appKey不能为空');
    if (empty(b['timestamp'])) return err(CODES.authTimestampEmpty, 'timestamp不能为空');
    if (empty(b['sign'])) return err(CODES.authSignEmpty, 'sign不能为空');
    const appId = String(b['appId']);
    if (appId !== this.appId) return err(CODES.authAppIdUnknown, 'appId不存在');
    if (String(b['appKey']) !== this.appKey) return err(CODES.authAppKeyIllegal, 'appKey不合法');
    const ts = Number(b['timestamp']);
    if (!Number.isInteger(ts) || Math.abs(this.now() - ts) > LIMITS.authSkewMs) return err(CODES.authTimestampInvalid, 'timestamp不合法');
    const expected = createHash('md5').update(`${appId}${this.appKey}${String(b['timestamp'])}${this.appSecret}`, 'utf8').digest('hex');
    // A rotated secret: vivo can only say the sign is wrong.
    if (b['sign'] !== expected || this.rejectCredentials) return err(CODES.authSignError, 'sign不正确');
    if (this.throttleAuthLeft > 0) {
      this.throttleAuthLeft--;
      return err(CODES.authRateLimited, '鉴权接口调用超过频率限制');
    }
    return ok({ authToken: this.tokens.issue(undefined).token });
  }

  private message(req: SimRequest, endpoint: 'send' | 'saveListPayload' | 'pushToList'): SimResponse {
    this.recordSend(req.path, req.headers, req.rawBody);
    const fault = this.faults.takeTransport();
    if (fault) return { fault };
    const delayMs = this.delayMs || undefined;
    const answer = (a: Answer, headers?: Record<string, string>): SimResponse => ({ body: a, ...(headers ? { headers } : {}), ...(delayMs ? { delayMs } : {}) });
    if (this.faults.takeFail()) return { status: 500, body: 'Internet server error!', ...(delayMs ? { delayMs } : {}) };
    const header = req.headers['authtoken'];
    const token = Array.isArray(header) ? header[0] : header;
    if (!this.tokens.verify(token).ok) return answer(err(CODES.authTokenInvalid, '鉴权失败'));
    const b = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    if (empty(b['appId']) || String(b['appId']) !== this.appId) return answer(err(CODES.appIdMismatch, 'appId与鉴权信息不一致'));
    if (this.scripted && this.scripted.left > 0) {
      this.scripted.left--;
      return answer(this.scripted.answer);
    }
    const throttled = this.faults.takeThrottle();
    if (throttled) {
      const headers = throttled.retryAfterSeconds !== undefined ? { 'retry-after': String(throttled.retryAfterSeconds) } : undefined;
      return answer(err(CODES.tooFrequent, '发送频率过快'), headers);
    }
    if (this.quotaExhausted && (this.quotaScope === 'all' || (this.quotaScope === 'single') === (endpoint === 'send')) && this.quotaCovers(b, endpoint)) {
      return answer(err(this.quotaCode, this.quotaCode === CODES.quotaTotal ? '发送总量超出限制' : '超出限制'));
    }
    const requestId = b['requestId'];
    if (typeof requestId !== 'string' || requestId.length < 1 || requestId.length > LIMITS.requestIdLength) {
      return answer(err(CODES.requestIdInvalid, 'requestId长度不合法'));
    }
    const dupKey = `${endpoint}\n${requestId}`;
    const first = this.answered.get(dupKey);
    if (first) {
      this.duplicateRequests++;
      return answer(first);
    }
    const a = endpoint === 'pushToList' ? this.pushToList(b) : validateMessage(b, endpoint) ?? (endpoint === 'send' ? this.single(b) : this.saveList(b));
    if (a.result === CODES.ok || a.result === CODES.targetInvalid) this.answered.set(dupKey, a);
    return answer(a);
  }

  private single(b: Record<string, unknown>): Answer {
    const regId = String(b['regId'] ?? b['alias']);
    if (this.invalidTokens.has(regId)) {
      return { ...err(CODES.targetInvalid, 'regId不合法'), invalidUser: { status: this.invalidStatus.get(regId) ?? 1, userid: regId } };
    }
    this.accepted.push(regId);
    const taskId = String(++this.taskSeq);
    this.receiptLater(callbackOf(b), taskId, [regId]);
    return ok({ taskId });
  }

  /** Whether the exhausted quota class covers this request's message (classification defaults to 0). */
  private quotaCovers(b: Record<string, unknown>, endpoint: 'send' | 'saveListPayload' | 'pushToList'): boolean {
    if (this.quotaClass === 'all') return true;
    const classification = endpoint === 'pushToList' ? this.tasks.get(String(b['taskId']))?.classification : b['classification'];
    return (classification === 1) === (this.quotaClass === 'system');
  }

  private saveList(b: Record<string, unknown>): Answer {
    const taskId = String(++this.taskSeq);
    this.tasks.set(taskId, { classification: b['classification'] ?? 0, callback: callbackOf(b) });
    return ok({ taskId });
  }

  private receiptLater(callback: VivoCallback | undefined, taskId: string, regIds: string[]): void {
    if (!this.autoReceipts || !callback || regIds.length === 0) return;
    this.receipts.later(() => this.sendReceipt(callback.url, taskId, { targets: regIds, param: callback.param }));
  }

  private pushToList(b: Record<string, unknown>): Answer {
    const regIds = b['regIds'];
    if (!Array.isArray(regIds) || regIds.length < LIMITS.listMinTargets || regIds.length > LIMITS.listMaxTargets) {
      return err(CODES.listSizeInvalid, 'regIds个数必须为2-1000');
    }
    const taskId = b['taskId'];
    if (typeof taskId !== 'string' || !this.tasks.has(taskId)) return err(10067, 'taskId不合法');
    if (b['pushMode'] !== undefined && b['pushMode'] !== 0 && b['pushMode'] !== 1) return err(10064, 'pushMode不合法');
    const invalidUsers: { status: number; userid: string }[] = [];
    const accepted: string[] = [];
    for (const r of regIds) {
      const regId = String(r);
      if (this.invalidTokens.has(regId)) invalidUsers.push({ status: this.invalidStatus.get(regId) ?? 1, userid: regId });
      else accepted.push(regId);
    }
    for (const regId of accepted) this.accepted.push(regId);
    this.receiptLater(this.tasks.get(taskId)?.callback, taskId, accepted);
    return invalidUsers.length > 0 ? ok({ invalidUsers }) : ok();
  }
}

function callbackOf(b: Record<string, unknown>): VivoCallback | undefined {
  const extra = b['extra'] && typeof b['extra'] === 'object' ? (b['extra'] as Record<string, unknown>) : {};
  const url = extra['callback'];
  const param = extra['callback.param'];
  return typeof url === 'string' && url ? { url, param: typeof param === 'string' ? param : undefined } : undefined;
}

/** Start a vivo simulator (tests, playground, benchmarks). */
export function startVivoSimulator(opts: VivoSimulatorOptions = {}): Promise<VivoSimulator> {
  return VivoSimulator.start(opts);
}
