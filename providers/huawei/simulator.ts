/**
 * An in-process Huawei Push Kit v1 server (docs/vendors/huawei.md#simulator): the OAuth token endpoint and
 * `POST /v1/{appId}/messages:send` on one HTTP server, checking auth, limits and message shape the
 * way Huawei does and answering per token. Used by the tests, the playground and the benchmarks.
 *
 * Quota: Huawei has no send-time quota code; its daily caps (3000 messages/device/day, marketing
 * caps) surface only in receipts (status 102 / 201). So `quotaExhausted` changes no send answer;
 * tests of the quota path post a receipt with `sendReceipt(url, [{ status: 102, … }])`.
 */
import { createHmac, randomUUID } from 'node:crypto';
import axios from 'axios';
import { SimControls } from '../shared/sim-controls.js';
import { startHttpSimulator, type HttpSimulator, type SimRequest, type SimResponse } from '../shared/sim-server.js';
import { TokenIssuer } from '../shared/sim-tokens.js';
import { ReceiptOutbox } from '../shared/sim-receipts.js';

// The vendor's facts, written here from its documentation (docs/vendors/huawei.md), not taken from
// the adapter: when the two disagree, a test sees it.
/** The OAuth 2.0 client-credentials token endpoint (docs/vendors/huawei.md#authentication). */
const TOKEN_PATH = '/oauth2/v3/token';
/** Header Huawei signs receipts with (docs/vendors/huawei.md#receipts). */
const CALLBACK_HEADER = 'x-huawei-callback-id';
/** ≤ 1000 tokens a request; 4096 bytes of message body besides the token list (docs/vendors/huawei.md#limits). */
const MAX_TOKENS = 1000;
const MAX_BODY_BYTES = 4096;
/** `android.category` values (docs/vendors/huawei.md#categories). */
const CATEGORIES: ReadonlySet<string> = new Set([
  'IM', 'VOIP', 'SUBSCRIPTION', 'TRAVEL', 'HEALTH', 'WORK', 'ACCOUNT', 'EXPRESS', 'FINANCE',
  'DEVICE_REMINDER', 'SYSTEM_REMINDER', 'MAIL', 'PLAY_VOICE', 'MARKETING', 'MISS_CALL',
]);
/** Result codes (docs/vendors/huawei.md#error-codes-and-outcomes). */
const C = {
  SUCCESS: '80000000',
  PARTIAL_SUCCESS: '80100000',
  PARAM_ERROR: '80100001',
  BAD_MESSAGE_STRUCTURE: '80100003',
  BAD_TTL: '80100004',
  BAD_COLLAPSE_KEY: '80100013',
  OAUTH_AUTH_ERROR: '80200001',
  OAUTH_TOKEN_EXPIRED: '80200003',
  ALL_TOKENS_INVALID: '80300007',
  BODY_TOO_LARGE: '80300008',
  TOO_MANY_TOKENS: '80300010',
  INTERNAL_ERROR: '81000001',
} as const;

/** The send body as the simulator reads it (loose: checking it is the simulator's job). */
export interface HuaweiSimSendBody {
  validate_only?: boolean;
  message: {
    token?: string[];
    data?: string;
    android?: { bi_tag?: string; notification?: Record<string, unknown>; [k: string]: unknown };
    [k: string]: unknown;
  };
}

/** One V1 receipt status as Huawei posts it (docs/vendors/huawei.md#receipts). */
export interface HuaweiSimReceiptStatus {
  biTag?: string;
  appid?: string;
  token?: string;
  status: number;
  timestamp?: number;
  requestId?: string;
}

export interface HuaweiSimulatorOptions {
  /** @default '100000001' */
  appId?: string;
  /** @default appId */
  clientId?: string;
  /** @default 'sim-secret' */
  clientSecret?: string;
  /** Lifetime of issued access tokens. @default 3600 */
  tokenTtlSeconds?: number;
  /** Which 80100000 `msg` form to answer with (the v1 key names are UNVERIFIED). @default 'illegal_tokens' */
  partialForm?: 'illegal_tokens' | 'illegalTokens';
  /** The simulator's clock, for token expiry and receipts. @default Date.now */
  now?: () => number;
  /**
   * The receipt configuration of AppGallery Connect (Huawei sets the receipt URL in its console, not
   * per message): when given, every accepted token gets a status-0 receipt posted there, signed
   * when a callback user name and key are set. The playground sets it; tests leave it off.
   */
  receipts?: HuaweiReceiptConfig;
}

export interface HuaweiReceiptConfig {
  url: string;
  callbackUserName?: string | undefined;
  callbackKey?: string | undefined;
}

export interface CannedAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const SEND_PATH = /^\/v1\/([^/]+)\/messages:send$/;
const TTL_PATTERN = /^\d+(\.\d{1,9})?[sS]?$/;

export class HuaweiSimulator extends SimControls {
  readonly appId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  partialForm: 'illegal_tokens' | 'illegalTokens';
  /** Arrival time (ms, wall clock) of every send request: rate-limit checks read 1-second windows from it. */
  readonly sendTimes: number[] = [];
  /** Requests to the OAuth token endpoint (granted or not). */
  tokenRequests = 0;
  /** The last send body that passed auth (for tests that look at what the adapter put on the wire). */
  lastSendBody: HuaweiSimSendBody | undefined;
  /** The console receipt configuration (see HuaweiSimulatorOptions.receipts); undefined: no automatic receipts. */
  receiptConfig: HuaweiReceiptConfig | undefined;
  /** Receipts waiting to be posted (their delay is `receipts.delayMs`). */
  readonly receipts = new ReceiptOutbox();

  private readonly now: () => number;
  private readonly accessTokens: TokenIssuer;
  private tokenThrottleLeft = 0;
  private readonly canned: CannedAnswer[] = [];
  private requestSeq = 0;

  private constructor(
    private readonly server: HttpSimulator,
    opts: HuaweiSimulatorOptions,
  ) {
    super();
    this.appId = opts.appId ?? '100000001';
    this.clientId = opts.clientId ?? this.appId;
    this.clientSecret = opts.clientSecret ?? 'sim-secret';
    this.partialForm = opts.partialForm ?? 'illegal_tokens';
    this.now = opts.now ?? Date.now;
    this.accessTokens = new TokenIssuer({ now: this.now, lifetimeMs: (opts.tokenTtlSeconds ?? 3600) * 1000, format: (r) => `sim.${r.toString('base64url')}` });
    this.receiptConfig = opts.receipts;
  }

  static async start(opts: HuaweiSimulatorOptions = {}): Promise<HuaweiSimulator> {
    const ref: { sim?: HuaweiSimulator } = {};
    const server = await startHttpSimulator((req) => {
      if (!ref.sim) throw new Error('simulator not started');
      return ref.sim.handle(req);
    }, { recordRequests: false });
    ref.sim = new HuaweiSimulator(server, opts);
    return ref.sim;
  }

  /** Base URL for both `endpoint` and `authEndpoint`. */
  get url(): string {
    return this.server.url;
  }

  /** Lifetime of issued access tokens. */
  get tokenTtlSeconds(): number {
    return this.accessTokens.lifetimeMs / 1000;
  }

  set tokenTtlSeconds(seconds: number) {
    this.accessTokens.lifetimeMs = seconds * 1000;
  }

  /** Answer the next `n` token requests with HTTP 503 (the OAuth service's flow control). */
  throttleTokenEndpoint(n: number): void {
    this.tokenThrottleLeft = n;
  }

  /** Answer the next authorized send requests with these vendor answers, in order (codes the simulator cannot provoke). */
  answerNext(...answers: CannedAnswer[]): void {
    this.canned.push(...answers);
  }

  /** Every access token issued so far is now expired: sends with it get 80200003. */
  expireAccessTokens(): void {
    this.accessTokens.expireAll();
  }

  /** Forget every access token issued so far: sends with it get 80200001. */
  revokeAccessTokens(): void {
    this.accessTokens.revokeAll();
  }

  protected override revokeIssuedCredentials(): void {
    this.accessTokens.revokeAll();
  }

  /**
   * POST a V1 receipt to `url` the way Huawei does, signed with `X-HUAWEI-CALLBACK-ID` when
   * `signing` is given. Missing `appid`/`timestamp` are filled in.
   */
  async sendReceipt(
    url: string,
    statuses: Array<Partial<HuaweiSimReceiptStatus> & { status: number }>,
    signing?: { callbackUserName: string; callbackKey: string; timestamp?: number },
  ): Promise<{ status: number; body: unknown }> {
    const body = { statuses: statuses.map((s) => ({ appid: this.appId, timestamp: this.now(), ...s })) };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signing) headers[CALLBACK_HEADER] = callbackHeader(signing.timestamp ?? this.now(), randomUUID(), signing.callbackUserName, signing.callbackKey);
    const res = await axios.post(url, body, { headers, validateStatus: () => true, proxy: false });
    return { status: res.status, body: res.data as unknown };
  }

  async close(): Promise<void> {
    await this.receipts.close();
    await this.server.close();
  }

  private handle(req: SimRequest): SimResponse {
    if (req.method === 'POST' && req.path === TOKEN_PATH) return this.issueToken(req);
    const send = req.method === 'POST' ? SEND_PATH.exec(req.path) : null;
    if (send) {
      this.recordSend(req.path, req.headers, req.rawBody);
      const fault = this.faults.takeTransport();
      if (fault) return { fault };
      const answer = this.answerSend(req, decodeURIComponent(send[1] ?? ''));
      return this.delayMs > 0 ? { ...answer, delayMs: this.delayMs } : answer;
    }
    return { status: 404, body: { error: 'not found' } };
  }

  private issueToken(req: SimRequest): SimResponse {
    this.tokenRequests += 1;
    if (this.tokenThrottleLeft > 0) {
      this.tokenThrottleLeft -= 1;
      return { status: 503, body: 'Service Unavailable' };
    }
    const f = req.form;
    if (f.get('grant_type') !== 'client_credentials') {
      return { status: 400, body: { error: 1101, sub_error: 20001, error_description: 'unsupported grant_type' } };
    }
    if (this.rejectCredentials || f.get('client_id') !== this.clientId || f.get('client_secret') !== this.clientSecret) {
      return { status: 400, body: { error: 1101, sub_error: 20002, error_description: 'invalid client' } };
    }
    const { token } = this.accessTokens.issue(undefined);
    return { status: 200, body: { access_token: token, expires_in: this.tokenTtlSeconds, token_type: 'Bearer' } };
  }

  private answerSend(req: SimRequest, pathAppId: string): SimResponse {
    this.sendTimes.push(Date.now());
    const throttled = this.faults.takeThrottle();
    if (throttled) {
      const headers: Record<string, string> = throttled.retryAfterSeconds !== undefined ? { 'retry-after': String(throttled.retryAfterSeconds) } : {};
      return { status: 503, headers, body: 'Service Unavailable' };
    }
    if (this.faults.takeFail()) return this.answer(500, C.INTERNAL_ERROR, 'Internal error');

    const auth = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
    const check = this.accessTokens.verify(auth?.[1]);
    if (!check.ok && check.why === 'unknown') return this.answer(401, C.OAUTH_AUTH_ERROR, 'Oauth authentication error');
    if (!check.ok) return this.answer(401, C.OAUTH_TOKEN_EXPIRED, 'Oauth Token expired.');
    // An access token of app A used for app B answers 80200001 (https://segmentfault.com/a/1190000042188975/en).
    if (pathAppId !== this.appId) return this.answer(401, C.OAUTH_AUTH_ERROR, 'Oauth authentication error');

    const canned = this.canned.shift();
    if (canned) return { status: canned.status, body: canned.body, ...(canned.headers ? { headers: canned.headers } : {}) };

    const body = req.body as Partial<HuaweiSimSendBody> | undefined;
    const message = body?.message as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null || typeof message !== 'object' || message === null || Array.isArray(message)) {
      return this.answer(400, C.BAD_MESSAGE_STRUCTURE, 'message structure error');
    }
    this.lastSendBody = body as HuaweiSimSendBody;
    const targets = [message['token'] !== undefined, typeof message['topic'] === 'string' && message['topic'] !== '', typeof message['condition'] === 'string' && message['condition'] !== ''];
    if (targets.filter(Boolean).length !== 1) return this.answer(400, C.PARAM_ERROR, 'token, topic or condition must be choice one');
    if (message['token'] !== undefined) {
      const tokens = message['token'];
      if (!Array.isArray(tokens) || tokens.length === 0 || tokens.length > MAX_TOKENS || tokens.some((t) => typeof t !== 'string')) {
        return this.answer(400, C.TOO_MANY_TOKENS, 'The number of tokens in the message body exceeds the default value');
      }
    }
    const withoutTokens = JSON.stringify({ ...body, message: { ...message, token: undefined } });
    if (Buffer.byteLength(withoutTokens, 'utf8') > MAX_BODY_BYTES) {
      return this.answer(400, C.BODY_TOO_LARGE, 'The message body size exceeds the default value');
    }
    const invalidShape = validateShape(message);
    if (invalidShape) return this.answer(400, invalidShape.code, invalidShape.msg);
    if (body.validate_only === true) return this.answer(200, C.SUCCESS, 'Success');
    if (!Array.isArray(message['token'])) return this.answer(200, C.SUCCESS, 'Success'); // topic/condition: nothing to record per token

    const tokens = message['token'] as string[];
    const illegal: string[] = [];
    for (const t of tokens) {
      if (this.invalidTokens.has(t)) illegal.push(t);
      else this.accepted.push(t);
    }
    // UNVERIFIED which HTTP status accompanies 80300007; the demos key off the code.
    if (illegal.length === tokens.length) return this.answer(400, C.ALL_TOKENS_INVALID, 'Invalid token');
    let answer = this.answer(200, C.SUCCESS, 'Success');
    if (illegal.length > 0) {
      const counts = { success: tokens.length - illegal.length, failure: illegal.length };
      const msg =
        this.partialForm === 'illegal_tokens'
          ? { ...counts, illegal_tokens: illegal }
          : { ...counts, illegalTokens: { '80300007': illegal } };
      answer = this.answer(200, C.PARTIAL_SUCCESS, JSON.stringify(msg));
    }
    const android = message['android'] as { bi_tag?: unknown } | undefined;
    const biTag = typeof android?.bi_tag === 'string' ? android.bi_tag : undefined;
    if (this.receiptConfig) this.receiptsLater(tokens.filter((t) => !illegal.includes(t)), biTag, (answer.body as { requestId: string }).requestId);
    return answer;
  }

  /** Status 0 (delivered) for each accepted token, at most 100 statuses a call, as Huawei posts them. */
  private receiptsLater(tokens: string[], biTag: string | undefined, requestId: string): void {
    const cfg = this.receiptConfig;
    if (!cfg) return;
    const signing = cfg.callbackUserName && cfg.callbackKey ? { callbackUserName: cfg.callbackUserName, callbackKey: cfg.callbackKey } : undefined;
    for (let i = 0; i < tokens.length; i += 100) {
      const statuses = tokens.slice(i, i + 100).map((token) => ({ token, status: 0, requestId, ...(biTag !== undefined ? { biTag } : {}) }));
      this.receipts.later(() => this.sendReceipt(cfg.url, statuses, signing));
    }
  }

  private answer(status: number, code: string, msg: string): SimResponse {
    this.requestSeq += 1;
    return { status, body: { code, msg, requestId: `${this.now()}${String(this.requestSeq).padStart(6, '0')}` } };
  }
}

/**
 * `X-HUAWEI-CALLBACK-ID: timestamp=…;nonce=…;value=Base64(HmacSHA256(key = callbackKey, timestamp + nonce + callbackUserName))`
 * (https://developer.huawei.com/consumer/en/doc/HMS-References/push-receiptapi/).
 */
function callbackHeader(timestamp: number, nonce: string, callbackUserName: string, callbackKey: string): string {
  const value = createHmac('sha256', callbackKey).update(`${timestamp}${nonce}${callbackUserName}`, 'utf8').digest('base64');
  return `timestamp=${timestamp};nonce=${nonce};value=${value}`;
}

/** Message shape checks of the send API (HMS-node message-validator.ts; docs/vendors/huawei.md#request). */
function validateShape(message: Record<string, unknown>): { code: string; msg: string } | undefined {
  const structure = (msg: string) => ({ code: C.BAD_MESSAGE_STRUCTURE, msg });
  const param = (msg: string) => ({ code: C.PARAM_ERROR, msg });
  if (message['data'] !== undefined && typeof message['data'] !== 'string') return structure('data must be a string');
  const top = message['notification'] as Record<string, unknown> | undefined;
  if (top !== undefined && (typeof top !== 'object' || top === null)) return structure('notification must be an object');
  const android = message['android'] as Record<string, unknown> | undefined;
  if (android === undefined) return top ? undefined : message['data'] === undefined ? structure('message has no content') : undefined;
  if (typeof android !== 'object' || android === null) return structure('android must be an object');
  const ck = android['collapse_key'];
  if (ck !== undefined && (!Number.isInteger(ck) || (ck as number) < -1 || (ck as number) > 100)) {
    return { code: C.BAD_COLLAPSE_KEY, msg: 'collapse_key must be in interval [-1 - 100]' };
  }
  const urgency = android['urgency'];
  if (urgency !== undefined && urgency !== 'HIGH' && urgency !== 'NORMAL') return param("urgency must be 'HIGH' or 'NORMAL'");
  const ttl = android['ttl'];
  if (ttl !== undefined && (typeof ttl !== 'string' || !TTL_PATTERN.test(ttl))) return { code: C.BAD_TTL, msg: 'ttl is invalid' };
  const category = android['category'];
  if (category !== undefined && (typeof category !== 'string' || !CATEGORIES.has(category))) return param('category is invalid');
  if (android['bi_tag'] !== undefined && typeof android['bi_tag'] !== 'string') return param('bi_tag must be a string');
  if (android['data'] !== undefined && typeof android['data'] !== 'string') return structure('android.data must be a string');
  const n = android['notification'] as Record<string, unknown> | undefined;
  if (n === undefined) {
    return top || message['data'] !== undefined || android['data'] !== undefined ? undefined : structure('message has no content');
  }
  if (typeof n !== 'object' || n === null) return structure('android.notification must be an object');
  const title = n['title'] ?? top?.['title'];
  const body = n['body'] ?? top?.['body'];
  if (typeof title !== 'string' || title === '') return param('title must not be empty');
  if (typeof body !== 'string' || body === '') return param('body must not be empty');
  const click = n['click_action'] as Record<string, unknown> | undefined;
  if (typeof click !== 'object' || click === null) return structure('click_action object must not be null');
  const nonEmpty = (v: unknown) => typeof v === 'string' && v !== '';
  switch (click['type']) {
    case 1:
      return nonEmpty(click['intent']) || nonEmpty(click['action']) ? undefined : param('intent and action have at least one when type is 1');
    case 2:
      return nonEmpty(click['url']) ? undefined : param('url must not be empty when type is 2');
    case 3:
      return undefined;
    case 4:
      return nonEmpty(click['rich_resource']) ? undefined : param('rich_resource must not be empty when type is 4');
    default:
      return param('type must be in the interval [1 - 4]');
  }
}
