/**
 * An in-process OPPO Push server speaking the real protocol (docs/vendors/oppo.md#simulator): the sha256-signed
 * `/server/v1/auth`, `auth_token` checked on every send (form field or header, as the doc allows),
 * unicast / unicast_batch with OPPO's field limits, category rules and codes, per-target
 * `errorCode`, app_message_id de-duplication, and receipts posted as OPPO posts them.
 */
import { createHash } from 'node:crypto';
import { SimControls } from '../shared/sim-controls.js';
import { startHttpSimulator, type HttpSimulator, type SimRequest, type SimResponse } from '../shared/sim-server.js';
import { TokenIssuer } from '../shared/sim-tokens.js';
import { C, MAX_BATCH, OPPO_SIM_PATHS, SEND_PATHS, parseJson, validateMessage, type SimMessage } from './simulator.rules.js';

/** A receipt item as OPPO posts it (docs/vendors/oppo.md#receipts): a JSON array of these. */
export interface OppoSimReceiptItem {
  messageId: string;
  appId?: string;
  taskId?: string;
  /** Comma-separated registration ids. */
  registrationIds: string;
  eventTime?: number;
  param?: string;
  eventType: 'push_arrive' | 'regid_invalid' | 'user_daily_limit' | (string & {});
}

export interface OppoSimulatorOptions {
  appKey?: string;
  masterSecret?: string;
  appId?: string;
  /** auth_token lifetime; OPPO's is 24 h. */
  tokenTtlMs?: number;
  /**
   * Accepted |server clock − timestamp|. OPPO: "use a timestamp from the last 10 minutes"; we apply
   * it both ways (a client clock slightly ahead is as common as one behind). UNVERIFIED whether
   * OPPO accepts future timestamps (https://open.oppomobile.com/new/developmentDoc/info?id=11237).
   */
  timestampWindowMs?: number;
  /** The simulator's clock. */
  now?: () => number;
  /** After accepting a message with call_back_url, post a `push_arrive` receipt for it. */
  autoReceipts?: boolean;
}

export const OPPO_DEMO = { appKey: 'demo-oppo-app-key', masterSecret: 'demo-oppo-master-secret', appId: '30000001' } as const;

const ok = (data: unknown): SimResponse => ({ body: { code: 0, message: 'Success', data } });
const fail = (code: number, message: string, headers?: Record<string, string>): SimResponse => ({ body: { code, message }, ...(headers ? { headers } : {}) });

export class OppoSimulator extends SimControls {
  /** Tokens answered 10001 (registration_id unsubscribed / push switched off). */
  readonly unsubscribedTokens = new Set<string>();
  /** `/server/v1/auth` calls (accepted or not). */
  authRequests = 0;
  /** How sends carried auth_token. */
  readonly authTokenVia = { form: 0, header: 0 };
  /** Code for throttle(): -2 (flow control) by default; 13 and 55 are OPPO's other rate signals. */
  throttleCode: -2 | 13 | 55 = -2;
  /** fail(): HTTP 500, or HTTP 200 with code -1 (service unavailable). */
  failWith: 'http' | 'code' = 'http';
  /** Resends OPPO dropped because the (app_message_id, target) pair was already pushed. */
  duplicatesSuppressed = 0;
  /** The last send request, for tests that look at the wire. */
  lastSend: { path: string; form: URLSearchParams; headers: SimRequest['headers'] } | undefined;

  private readonly appKey: string;
  private readonly masterSecret: string;
  private readonly appId: string;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly autoReceipts: boolean;
  private readonly tokens: TokenIssuer;
  private readonly pushed = new Set<string>();
  private seq = 0;
  private server!: HttpSimulator;

  private constructor(opts: OppoSimulatorOptions) {
    super();
    this.appKey = opts.appKey ?? OPPO_DEMO.appKey;
    this.masterSecret = opts.masterSecret ?? OPPO_DEMO.masterSecret;
    this.appId = opts.appId ?? OPPO_DEMO.appId;
    this.windowMs = opts.timestampWindowMs ?? 10 * 60_000;
    this.now = opts.now ?? Date.now;
    // auth_token lives 24 h (docs/vendors/oppo.md#authentication).
    this.tokens = new TokenIssuer({ now: this.now, lifetimeMs: opts.tokenTtlMs ?? 24 * 3600_000 });
    this.autoReceipts = opts.autoReceipts ?? false;
  }

  static async start(opts: OppoSimulatorOptions = {}): Promise<OppoSimulator> {
    const sim = new OppoSimulator(opts);
    sim.server = await startHttpSimulator((req) => sim.handle(req), { recordRequests: false });
    return sim;
  }

  get url(): string {
    return this.server.url;
  }

  /** Every auth_token issued so far is now expired: sends answer code 11. */
  expireAccessTokens(): void {
    this.tokens.expireAll();
  }

  protected override revokeIssuedCredentials(): void {
    this.tokens.revokeAll();
  }

  /** POST receipts to `url` the way OPPO does: a JSON array body. Resolves to the HTTP status. */
  async sendReceipt(url: string, events: OppoSimReceiptItem[]): Promise<number> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json;charset=UTF-8' }, body: JSON.stringify(events) });
    await res.arrayBuffer();
    return res.status;
  }

  /** A receipt item as OPPO builds it. */
  receipt(eventType: OppoSimReceiptItem['eventType'], registrationIds: string[], extra: Partial<OppoSimReceiptItem> = {}): OppoSimReceiptItem {
    return { messageId: extra.messageId ?? this.nextMessageId(), appId: this.appId, taskId: extra.taskId ?? '', registrationIds: registrationIds.join(','), eventTime: this.now(), param: '', eventType, ...extra };
  }

  close(): Promise<void> {
    return this.server.close();
  }

  // ---------------------------------------------------------------- protocol

  private handle(req: SimRequest): SimResponse {
    if (req.path === OPPO_SIM_PATHS.auth) {
      this.authRequests++;
      if (req.method !== 'POST') return fail(C.HTTP_ACTION_NOT_ALLOWED, 'Http Action Not Allowed');
      return this.auth(req.form);
    }
    if (!SEND_PATHS.has(req.path)) return { status: 404, body: 'not found' };
    this.recordSend(req.path, req.headers, req.rawBody);
    const fault = this.faults.takeTransport();
    if (fault) return { fault };
    const answer = this.send(req);
    return this.delayMs > 0 ? { ...answer, delayMs: this.delayMs } : answer;
  }

  private auth(form: URLSearchParams): SimResponse {
    const appKey = form.get('app_key');
    const timestamp = form.get('timestamp');
    const sign = form.get('sign');
    if (!appKey) return fail(C.MISSING_APP_KEY, 'Missing App Key');
    if (appKey !== this.appKey) return fail(C.INVALID_APP_KEY, 'Invalid App Key');
    if (!timestamp) return fail(C.MISSING_TIMESTAMP, 'Missing Timestamp');
    if (!/^\d{13}$/.test(timestamp) || Math.abs(this.now() - Number(timestamp)) > this.windowMs) return fail(C.INVALID_TIMESTAMP, 'Invalid Timestamp');
    if (!sign) return fail(C.MISSING_SIGNATURE, 'Missing Signature');
    const expected = createHash('sha256').update(appKey + timestamp + this.masterSecret, 'utf8').digest('hex');
    // A rotated master secret: OPPO can only say the signature is wrong.
    if (sign !== expected || this.rejectCredentials) return fail(C.INVALID_SIGNATURE, 'Invalid Signature');
    const createTime = this.now();
    const { token } = this.tokens.issue(undefined);
    return ok({ auth_token: token, create_time: createTime });
  }

  private send(req: SimRequest): SimResponse {
    if (this.faults.takeFail()) {
      return this.failWith === 'http' ? { status: 500, body: 'Internal Server Error' } : fail(C.SERVICE_UNAVAILABLE, 'Service Currently Unavailable');
    }
    if (req.method !== 'POST') return fail(C.HTTP_ACTION_NOT_ALLOWED, 'Http Action Not Allowed');

    const header = req.headers['auth_token'];
    const fromForm = req.form.get('auth_token');
    const token = fromForm ?? (typeof header === 'string' ? header : undefined);
    if (!token) return fail(C.MISSING_AUTH_TOKEN, 'Missing Auth Token');
    if (fromForm) this.authTokenVia.form++;
    else this.authTokenVia.header++;
    if (!this.tokens.verify(token).ok) return fail(C.INVALID_AUTH_TOKEN, 'Invalid AuthToken');
    this.lastSend = { path: req.path, form: req.form, headers: req.headers };

    const throttled = this.faults.takeThrottle();
    if (throttled) {
      const headers = throttled.retryAfterSeconds !== undefined ? { 'retry-after': String(throttled.retryAfterSeconds) } : undefined;
      return fail(this.throttleCode, this.throttleCode === C.APP_CALL_LIMITED ? 'App Call Limited' : 'Flow Control', headers);
    }
    if (this.quotaExhausted) return fail(C.DAILY_LIMIT, 'Exceed Daily Message Limit');

    return req.path === OPPO_SIM_PATHS.unicast ? this.unicast(req.form) : this.unicastBatch(req.form);
  }

  private unicast(form: URLSearchParams): SimResponse {
    const raw = form.get('message');
    if (!raw) return fail(C.MISSING_REQUIRED_ARGUMENTS, 'Missing Required Arguments: message');
    const m = parseJson(raw);
    if (m === undefined) return fail(C.INVALID_ARGUMENTS, 'Invalid Arguments: message is not JSON');
    const bad = validateMessage(m);
    if (bad) return fail(bad.code, bad.message);
    const msg = m as SimMessage;
    if (this.invalidTokens.has(msg.target_value)) return fail(C.INVALID_REGISTRATION_ID, 'Invalid Registration_id');
    if (this.unsubscribedTokens.has(msg.target_value)) return fail(C.REGISTRATION_ID_UNSUBSCRIBED, 'Registration_id Unsubscribe');
    const messageId = this.deliver(msg);
    this.flushReceipts();
    return ok({ messageId });
  }

  private unicastBatch(form: URLSearchParams): SimResponse {
    const raw = form.get('messages');
    if (!raw) return fail(C.MISSING_REQUIRED_ARGUMENTS, 'Missing Required Arguments: messages');
    const list = parseJson(raw);
    if (!Array.isArray(list)) return fail(C.INVALID_ARGUMENTS, 'Invalid Arguments: messages is not a JSON array');
    if (list.length === 0) return fail(C.MISSING_REQUIRED_ARGUMENTS, 'Missing Required Arguments: messages is empty');
    // OPPO's code for an oversized batch is not documented; 41 (invalid argument). UNVERIFIED.
    if (list.length > MAX_BATCH) return fail(C.INVALID_ARGUMENTS, `Invalid Arguments: at most ${MAX_BATCH} messages`);
    for (const m of list) {
      const bad = validateMessage(m);
      if (bad) return fail(bad.code, bad.message);
    }
    const seen = new Set<string>();
    const data: Array<Record<string, unknown>> = [];
    for (const m of list as SimMessage[]) {
      const target = m.target_value;
      if (seen.has(target)) data.push({ registrationId: target, errorCode: C.DUPLICATE_REGISTRATION_ID, errorMessage: 'registrationId Repeat' });
      else if (this.invalidTokens.has(target)) data.push({ registrationId: target, errorCode: C.INVALID_REGISTRATION_ID, errorMessage: 'Invalid Registration_id' });
      else if (this.unsubscribedTokens.has(target)) data.push({ registrationId: target, errorCode: C.REGISTRATION_ID_UNSUBSCRIBED, errorMessage: 'Registration_id Unsubscribe' });
      else data.push({ messageId: this.deliver(m), registrationId: target });
      seen.add(target);
    }
    this.flushReceipts();
    return ok(data);
  }

  private pendingReceipts = new Map<string, OppoSimReceiptItem[]>();

  /** Record one accepted target; OPPO pushes an app_message_id to the same target only once. */
  private deliver(m: SimMessage): string {
    const messageId = this.nextMessageId();
    const appMessageId = m.notification.app_message_id;
    const key = appMessageId ? `${appMessageId}\u0000${m.target_value}` : undefined;
    if (key && this.pushed.has(key)) {
      this.duplicatesSuppressed++;
      return messageId;
    }
    if (key) this.pushed.add(key);
    this.accepted.push(m.target_value);
    const url = m.notification.call_back_url;
    if (this.autoReceipts && url) {
      const list = this.pendingReceipts.get(url) ?? [];
      list.push(this.receipt('push_arrive', [m.target_value], { messageId, param: m.notification.call_back_parameter ?? '' }));
      this.pendingReceipts.set(url, list);
    }
    return messageId;
  }

  private flushReceipts(): void {
    if (this.pendingReceipts.size === 0) return;
    const batches = [...this.pendingReceipts];
    this.pendingReceipts = new Map();
    for (const [url, events] of batches) {
      setImmediate(() => {
        this.sendReceipt(url, events).catch(() => undefined);
      });
    }
  }

  private nextMessageId(): string {
    this.seq++;
    return `${this.appId}-1-1-${this.seq.toString(16).padStart(12, '0')}`;
  }
}
