/**
 * An in-process Honor Push server (docs/vendors/honor.md#simulator), written from Honor's guide and
 * reference, not from the adapter: the OAuth token endpoint (both paths seen) and
 * `POST /api/v1/{appId}/sendMessage` on one HTTP server. It issues expiring tokens only to the right
 * Client ID/Secret, requires the Bearer token and a millisecond `timestamp` header, checks the
 * camelCase body (no `message` wrapper), batch and field limits, and answers per token with
 * `data.expireTokens`. Honor's real codes are UNVERIFIED, so the success code and the quota code are
 * options; the HMS-style error codes below are the simulator's choice. The shared controls
 * (providers/shared/sim-controls.ts) add `rejectCredentials` (the token endpoint answers
 * `unauthorized_client` and issued tokens are revoked, so sends get 80200001), `resetConnection(n)`
 * and `hang(n)`.
 */
import axios from 'axios';
import { SimControls } from '../shared/sim-controls.js';
import { ReceiptOutbox } from '../shared/sim-receipts.js';
import { startHttpSimulator, type HttpSimulator, type SimRequest, type SimResponse } from '../shared/sim-server.js';
import { TokenIssuer } from '../shared/sim-tokens.js';

// The vendor's facts, written here from its documentation (docs/vendors/honor.md), not taken from
// the adapter: when the two disagree, a test sees it.
/** Token paths: the short one most SDKs use and the Keycloak one of Honor's 2023 guide (docs/vendors/honor.md#endpoints). */
const TOKEN_PATHS: ReadonlySet<string> = new Set(['/auth/token', '/auth/realms/developer/protocol/openid-connect/token']);
const SEND_PATH = /^\/api\/v1\/([^/]+)\/sendMessage$/;
/** ≤ 1000 tokens a request; 4096 bytes of body besides the token list (both assumed from Huawei: docs/vendors/honor.md#limits). */
const MAX_TOKENS = 1000;
const MAX_BODY_BYTES = 4096;
/** `android.ttl` at most 15 days; at most 3 buttons (docs/vendors/honor.md#request). */
const MAX_TTL_SECONDS = 1_296_000;
const MAX_BUTTONS = 3;
/** Simulator error codes (HMS-style; Honor's own table is UNVERIFIED). */
const CODE = { AUTH: 80200001, EXPIRED: 80200003, PARAM: 80100001, TOO_LARGE: 80300008, TOO_MANY: 80300010, INTERNAL: 81000001 } as const;

/** One receipt status in the HMS-like form pushgate reads (UNVERIFIED for Honor, docs/vendors/honor.md#receipts). */
export interface HonorSimReceiptStatus {
  biTag?: string;
  appid?: string;
  token?: string;
  status: number | string;
  timestamp?: number;
  requestId?: string;
}

export interface HonorSimulatorOptions {
  /** @default '104436234' */
  appId?: string;
  /** @default 'sim-client' */
  clientId?: string;
  /** @default 'sim-secret' */
  clientSecret?: string;
  /** Lifetime of issued access tokens. @default 3600 */
  tokenTtlSeconds?: number;
  /** The success code (UNVERIFIED: 200, "200" and "80000000" are all seen). @default 200 */
  successCode?: number | string;
  /** Whether answers carry `data.sendResult`. @default true */
  sendResult?: boolean;
  /** The code answered while `quotaExhausted` (Honor's is UNVERIFIED). @default 'SIM_QUOTA' */
  quotaCode?: number | string;
  /** The simulator's clock, for token expiry and receipts. @default Date.now */
  now?: () => number;
  /** The console receipt configuration: when set, every accepted token gets a status-0 receipt posted there. */
  receipts?: { url: string };
}

export interface CannedAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export class HonorSimulator extends SimControls {
  readonly appId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  successCode: number | string;
  sendResult: boolean;
  quotaCode: number | string;
  /** Whether token answers carry `expires_in` (typical, but UNVERIFIED that Honor's always do). */
  sendsExpiresIn = true;
  /** Requests to the token endpoint (granted or not). */
  tokenRequests = 0;
  /** The last send that passed auth: body and headers (for tests of what went on the wire). */
  lastSend: { body: Record<string, unknown>; headers: Record<string, string | string[] | undefined> } | undefined;
  receiptConfig: { url: string } | undefined;
  readonly receipts = new ReceiptOutbox();

  private readonly now: () => number;
  private readonly accessTokens: TokenIssuer;
  private readonly canned: CannedAnswer[] = [];
  private seq = 0;

  private constructor(
    private readonly server: HttpSimulator,
    opts: HonorSimulatorOptions,
  ) {
    super();
    this.appId = opts.appId ?? '104436234';
    this.clientId = opts.clientId ?? 'sim-client';
    this.clientSecret = opts.clientSecret ?? 'sim-secret';
    this.successCode = opts.successCode ?? 200;
    this.sendResult = opts.sendResult ?? true;
    this.quotaCode = opts.quotaCode ?? 'SIM_QUOTA';
    this.now = opts.now ?? Date.now;
    this.accessTokens = new TokenIssuer({ now: this.now, lifetimeMs: (opts.tokenTtlSeconds ?? 3600) * 1000, format: (r) => `sim.${r.toString('base64url')}` });
    this.receiptConfig = opts.receipts;
  }

  static async start(opts: HonorSimulatorOptions = {}): Promise<HonorSimulator> {
    const ref: { sim?: HonorSimulator } = {};
    const server = await startHttpSimulator((req) => {
      if (!ref.sim) throw new Error('simulator not started');
      return ref.sim.handle(req);
    }, { recordRequests: false });
    ref.sim = new HonorSimulator(server, opts);
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

  /** Answer the next authorized send requests with these, in order (answers the simulator cannot provoke). */
  answerNext(...answers: CannedAnswer[]): void {
    this.canned.push(...answers);
  }

  /** Every access token issued so far is now expired: sends with it get 80200003. */
  expireAccessTokens(): void {
    this.accessTokens.expireAll();
  }

  /** A rotated Client Secret: tokens issued so far are forgotten (sends get 80200001) while the token endpoint refuses. */
  protected override revokeIssuedCredentials(): void {
    this.accessTokens.revokeAll();
  }

  /** POST receipts to `url` in the HMS-like form pushgate accepts (UNVERIFIED for Honor). */
  async sendReceipt(url: string, statuses: Array<Partial<HonorSimReceiptStatus> & { status: number }>): Promise<{ status: number; body: unknown }> {
    const body = { statuses: statuses.map((s) => ({ appid: this.appId, timestamp: this.now(), ...s })) };
    const res = await axios.post(url, body, { headers: { 'content-type': 'application/json' }, validateStatus: () => true, proxy: false });
    return { status: res.status, body: res.data as unknown };
  }

  async close(): Promise<void> {
    await this.receipts.close();
    await this.server.close();
  }

  private handle(req: SimRequest): SimResponse {
    if (req.method === 'POST' && TOKEN_PATHS.has(req.path)) return this.issueToken(req);
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
    const f = req.form;
    if (f.get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' } };
    if (this.rejectCredentials || f.get('client_id') !== this.clientId || f.get('client_secret') !== this.clientSecret) {
      return { status: 401, body: { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' } };
    }
    const { token } = this.accessTokens.issue(undefined);
    return { status: 200, body: { access_token: token, ...(this.sendsExpiresIn ? { expires_in: this.tokenTtlSeconds } : {}), token_type: 'Bearer' } };
  }

  private answerSend(req: SimRequest, pathAppId: string): SimResponse {
    const throttled = this.faults.takeThrottle();
    if (throttled) {
      const headers: Record<string, string> = throttled.retryAfterSeconds !== undefined ? { 'retry-after': String(throttled.retryAfterSeconds) } : {};
      return { status: 503, headers, body: 'Service Unavailable' };
    }
    if (this.faults.takeFail()) return this.answer(500, CODE.INTERNAL, 'Internal error');

    const auth = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
    const check = this.accessTokens.verify(auth?.[1]);
    if ((!check.ok && check.why === 'unknown') || pathAppId !== this.appId) return this.answer(401, CODE.AUTH, 'Oauth authentication error');
    if (!check.ok) return this.answer(401, CODE.EXPIRED, 'Oauth Token expired');
    // Honor's guide shows `timestamp` as the current time in ms (e.g. 1563105451261) and marks it required.
    const ts = String(req.headers['timestamp'] ?? '');
    if (!/^\d{13}$/.test(ts)) return this.answer(400, CODE.PARAM, 'timestamp header is required (milliseconds)');

    const canned = this.canned.shift();
    if (canned) return { status: canned.status, body: canned.body, ...(canned.headers ? { headers: canned.headers } : {}) };
    if (this.quotaExhausted) return this.answer(200, this.quotaCode, 'daily quota exceeded', { sendResult: false });

    const body = req.body as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return this.answer(400, CODE.PARAM, 'body must be a JSON object');
    this.lastSend = { body, headers: req.headers };
    if ('message' in body) return this.answer(400, CODE.PARAM, 'unknown field message (the body has no message wrapper)');
    const tokens = body['token'];
    if (!Array.isArray(tokens) || tokens.length === 0 || tokens.some((t) => typeof t !== 'string' || t === '')) return this.answer(400, CODE.PARAM, 'token must be a non-empty array of strings');
    if (tokens.length > MAX_TOKENS) return this.answer(400, CODE.TOO_MANY, `at most ${MAX_TOKENS} tokens`);
    if (Buffer.byteLength(JSON.stringify({ ...body, token: undefined }), 'utf8') > MAX_BODY_BYTES) return this.answer(400, CODE.TOO_LARGE, 'message body too large');
    const invalid = validateShape(body);
    if (invalid) return this.answer(400, CODE.PARAM, invalid);

    const expired: string[] = [];
    for (const t of tokens as string[]) {
      if (this.invalidTokens.has(t)) expired.push(t);
      else this.accepted.push(t);
    }
    const answer = this.answer(200, this.successCode, 'success', {
      ...(this.sendResult ? { sendResult: expired.length < tokens.length } : {}),
      ...(expired.length > 0 ? { expireTokens: expired } : {}),
    });
    if (this.receiptConfig) {
      const biTag = (body['android'] as { biTag?: unknown } | undefined)?.biTag;
      const requestId = (answer.body as { data: { requestId: string } }).data.requestId;
      const url = this.receiptConfig.url;
      const statuses = (tokens as string[]).filter((t) => !expired.includes(t)).map((token) => ({ token, status: 0, requestId, ...(typeof biTag === 'string' ? { biTag } : {}) }));
      if (statuses.length > 0) this.receipts.later(() => this.sendReceipt(url, statuses));
    }
    return answer;
  }

  private answer(status: number, code: number | string, message: string, data: Record<string, unknown> = {}): SimResponse {
    this.seq += 1;
    return { status, body: { code, message, data: { requestId: `${this.now()}${String(this.seq).padStart(6, '0')}`, ...data } } };
  }
}

/** Field checks of the send API (docs/vendors/honor.md#request); a message of the first problem, or undefined. */
function validateShape(body: Record<string, unknown>): string | undefined {
  const str = (v: unknown) => typeof v === 'string' && v !== '';
  if (body['data'] !== undefined && typeof body['data'] !== 'string') return 'data must be a string';
  const top = body['notification'] as Record<string, unknown> | undefined;
  if (top !== undefined && (typeof top !== 'object' || top === null)) return 'notification must be an object';
  const android = (body['android'] ?? {}) as Record<string, unknown>;
  if (typeof android !== 'object' || android === null) return 'android must be an object';
  const ttl = android['ttl'];
  if (ttl !== undefined && (typeof ttl !== 'string' || !/^\d+s$/.test(ttl) || Number(ttl.slice(0, -1)) > MAX_TTL_SECONDS)) return `ttl must be "<seconds>s", at most ${MAX_TTL_SECONDS}s`;
  if (android['biTag'] !== undefined && typeof android['biTag'] !== 'string') return 'biTag must be a string';
  if (android['data'] !== undefined && typeof android['data'] !== 'string') return 'android.data must be a string';
  if (android['targetUserType'] !== undefined && android['targetUserType'] !== 0 && android['targetUserType'] !== 1) return 'targetUserType must be 0 or 1';
  const n = android['notification'] as Record<string, unknown> | undefined;
  if (n === undefined) return top || body['data'] !== undefined || android['data'] !== undefined ? undefined : 'the message has no data and no notification';
  if (typeof n !== 'object' || n === null) return 'android.notification must be an object';
  if (!str(n['title'] ?? top?.['title']) || !str(n['body'] ?? top?.['body'])) return 'title and body are required';
  const importance = n['importance'];
  if (importance !== undefined && importance !== 'LOW' && importance !== 'NORMAL') return 'importance must be LOW or NORMAL';
  const image = n['image'] ?? top?.['image'];
  if (image !== undefined && (!str(image) || !String(image).startsWith('https://'))) return 'image must be an https URL';
  if (image !== undefined && importance !== 'NORMAL') return 'image is only for service & communication (NORMAL) messages';
  if (n['style'] === 1 && (n['bigTitle'] === undefined || n['bigBody'] === undefined)) return 'style 1 needs bigTitle and bigBody';
  const buttons = n['buttons'];
  if (buttons !== undefined && (!Array.isArray(buttons) || buttons.length > MAX_BUTTONS)) return `at most ${MAX_BUTTONS} buttons`;
  const click = n['clickAction'] as Record<string, unknown> | undefined;
  if (typeof click !== 'object' || click === null) return 'clickAction is required';
  switch (click['type']) {
    case 1:
      return str(click['intent']) || str(click['action']) ? undefined : 'clickAction type 1 needs intent or action';
    case 2:
      return str(click['url']) && String(click['url']).startsWith('https://') ? undefined : 'clickAction type 2 needs an https url';
    case 3:
      return undefined;
    default:
      return 'clickAction.type must be 1, 2 or 3';
  }
}
