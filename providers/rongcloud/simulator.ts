/**
 * An in-process RongCloud server API speaking `POST /push/user.json` the way docs/vendors/rongcloud.md
 * describes it (#simulator there). Start two instances to model a region's primary and backup hosts.
 *
 * What it checks, in order:
 * 1. `fail(n)`: HTTP 500 `{code:1000}` (the SDKs' cue to switch to the backup host).
 * 2. Auth, from `App-Key`/`Nonce`/`Timestamp`/`Signature` or their `RC-` prefixed variants:
 *    unknown or missing App-Key → HTTP 401 code 1001; missing Nonce/Timestamp/Signature, a Nonce over
 *    18 characters, a Timestamp outside ±`maxSkewSeconds` (default 300 s) of the simulator's clock, or a
 *    Signature ≠ sha1(secret + nonce + timestamp) in lowercase hex → HTTP 401 code 1004. The Timestamp
 *    may be seconds (what the SDKs send) or milliseconds (what the doc page says): values above 1e11
 *    are read as milliseconds. RongCloud documents no skew window: 300 s is our choice (UNVERIFIED).
 * 3. `throttle(n)`: HTTP 429 code 1008, with `Retry-After` when given.
 * 4. Body: empty → 400 code 1003; not a JSON object, `userIds` missing/empty/not strings/over 100, or
 *    `notification.pushContent` missing/empty → 400 code 1002; `notification.title` over 50 UTF-16
 *    units → 400 code 1005.
 * 5. Success: HTTP 200 `{code:200, id}`; every userId not in `invalidTokens` is appended to `accepted`.
 *    RongCloud has no per-user error on this API (unknown users are simply not pushed), so
 *    `invalidTokens` only models "user has no reachable device": the call still succeeds.
 * `quotaExhausted` is a no-op: RongCloud documents no daily push quota for /push/user.json (only the
 * 100 messages/s rate, docs/vendors/rongcloud.md#rate-limits-and-quotas).
 */
import { createHash } from 'node:crypto';
import { SimControls } from '../shared/sim-controls.js';
import { startHttpSimulator, type HttpSimulator, type SimRequest, type SimResponse } from '../shared/sim-server.js';

// The vendor's facts, written here from its documentation (docs/vendors/rongcloud.md), not taken
// from the adapter: when the two disagree, a test sees it.
const RC_PUSH_USER_PATH = '/push/user.json';
/** ≤ 100 userIds a call; `notification.title` ≤ 50 characters (docs/vendors/rongcloud.md#request, #limits). */
const RC_MAX_USER_IDS = 100;
const RC_MAX_TITLE_CHARS = 50;
/** `Nonce` ≤ 18 characters (docs/vendors/rongcloud.md#authentication). */
const RC_MAX_NONCE_CHARS = 18;
/** Status codes, with the HTTP status each comes with (docs/vendors/rongcloud.md#error-codes-and-outcomes). */
const RC_CODES = {
  OK: 200,
  INTERNAL_ERROR: 1000, // HTTP 500
  APP_SECRET_MISMATCH: 1001, // HTTP 401
  PARAMETER_ERROR: 1002, // HTTP 400
  NO_POST_DATA: 1003, // HTTP 400
  SIGNATURE_ERROR: 1004, // HTTP 401
  PARAMETER_TOO_LONG: 1005, // HTTP 400
  RATE_LIMITED: 1008, // HTTP 429
} as const;

interface RcResponse {
  code: number;
  id?: string;
  errorMessage?: string;
}

export const SIM_APP_KEY = 'pushgate-demo-key';
export const SIM_APP_SECRET = 'pushgate-demo-secret';

export interface RongCloudSimulatorOptions {
  /** App Key → App Secret pairs the simulator knows. Default: the demo pair above. */
  apps?: Record<string, string>;
  /** The simulator's clock (ms). Default Date.now. */
  now?: () => number;
  /** Accepted |Timestamp − now| in seconds. Default 300. */
  maxSkewSeconds?: number;
}

export class RongCloudSimulator extends SimControls {
  /** RongCloud names no dead user on /push/user.json (see the file comment). */
  override readonly reportsInvalidTokens = false;
  /** The last request to /push/user.json (headers and parsed body), for assertions. */
  lastRequest: SimRequest | undefined;

  private pushCount = 0;
  private server!: HttpSimulator;
  private readonly apps: Map<string, string>;
  private readonly now: () => number;
  private readonly maxSkewSeconds: number;
  private readonly linked: RongCloudSimulator[] = [];

  private constructor(opts: RongCloudSimulatorOptions) {
    super();
    this.apps = new Map(Object.entries(opts.apps ?? { [SIM_APP_KEY]: SIM_APP_SECRET }));
    this.now = opts.now ?? Date.now;
    this.maxSkewSeconds = opts.maxSkewSeconds ?? 300;
  }

  static async start(opts: RongCloudSimulatorOptions = {}): Promise<RongCloudSimulator> {
    const sim = new RongCloudSimulator(opts);
    sim.server = await startHttpSimulator((req) => sim.handle(req), { recordRequests: false });
    return sim;
  }

  get url(): string {
    return this.server.url;
  }

  /**
   * Close `other` together with this one (the playground's backup host). They share one fault
   * script, as a region's outage hits both hosts: `fail(1)` fails the first attempt (the backup
   * takes over), `fail(2)` both.
   */
  link(other: RongCloudSimulator): void {
    this.linked.push(other);
    other.faults = this.faults;
  }

  async close(): Promise<void> {
    await Promise.all([this.server.close(), ...this.linked.map((s) => s.close())]);
  }

  private handle(req: SimRequest): SimResponse {
    if (req.path !== RC_PUSH_USER_PATH) return { status: 404, body: { code: 404, errorMessage: `no such API: ${req.path}` } };
    if (req.method !== 'POST') return { status: 405, body: { code: 405, errorMessage: 'POST only' } };
    this.recordSend(req.path, req.headers, req.rawBody);
    this.lastRequest = req;
    const fault = this.faults.takeTransport();
    if (fault) return { fault };
    const answer = (status: number, body: RcResponse, headers?: Record<string, string>): SimResponse => ({
      status,
      body,
      ...(headers ? { headers } : {}),
      ...(this.delayMs > 0 ? { delayMs: this.delayMs } : {}),
    });

    if (this.faults.takeFail()) {
      return answer(500, { code: RC_CODES.INTERNAL_ERROR, errorMessage: 'Internal server error' });
    }

    // A rotated App Secret: RongCloud can only say the signature is wrong.
    const authError = this.rejectCredentials ? { code: RC_CODES.SIGNATURE_ERROR, errorMessage: 'Signature error' } : this.checkAuth(req);
    if (authError) return answer(401, authError);

    const throttled = this.faults.takeThrottle();
    if (throttled) {
      const headers = throttled.retryAfterSeconds !== undefined ? { 'Retry-After': String(throttled.retryAfterSeconds) } : undefined;
      return answer(429, { code: RC_CODES.RATE_LIMITED, errorMessage: 'Too many requests' }, headers);
    }

    if (req.rawBody.trim() === '') return answer(400, { code: RC_CODES.NO_POST_DATA, errorMessage: 'no POST data' });
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return answer(400, { code: RC_CODES.PARAMETER_ERROR, errorMessage: 'body must be a JSON object (Content-Type: application/json)' });
    }
    const { userIds, notification } = body as { userIds?: unknown; notification?: unknown };
    if (!Array.isArray(userIds) || userIds.length === 0 || !userIds.every((u) => typeof u === 'string' && u !== '')) {
      return answer(400, { code: RC_CODES.PARAMETER_ERROR, errorMessage: 'userIds is required' });
    }
    if (userIds.length > RC_MAX_USER_IDS) {
      return answer(400, { code: RC_CODES.PARAMETER_ERROR, errorMessage: `userIds: at most ${RC_MAX_USER_IDS} per call` });
    }
    const n = notification as { pushContent?: unknown; title?: unknown } | undefined;
    if (typeof n !== 'object' || n === null || typeof n.pushContent !== 'string' || n.pushContent === '') {
      return answer(400, { code: RC_CODES.PARAMETER_ERROR, errorMessage: 'notification.pushContent is required' });
    }
    if (n.title !== undefined && (typeof n.title !== 'string' || n.title.length > RC_MAX_TITLE_CHARS)) {
      return answer(400, { code: RC_CODES.PARAMETER_TOO_LONG, errorMessage: `notification.title: at most ${RC_MAX_TITLE_CHARS} characters` });
    }

    for (const u of userIds as string[]) if (!this.invalidTokens.has(u)) this.accepted.push(u);
    this.pushCount += 1;
    return answer(200, { code: RC_CODES.OK, id: `simpush${this.pushCount.toString(36).padStart(8, '0')}` });
  }

  private checkAuth(req: SimRequest): RcResponse | undefined {
    const header = (name: string): string | undefined => {
      const v = req.headers[name] ?? req.headers[`rc-${name}`];
      return Array.isArray(v) ? v[0] : v;
    };
    const appKey = header('app-key');
    const secret = appKey === undefined ? undefined : this.apps.get(appKey);
    if (secret === undefined) return { code: RC_CODES.APP_SECRET_MISMATCH, errorMessage: 'App Key unknown' };
    const nonce = header('nonce');
    const timestamp = header('timestamp');
    const signature = header('signature');
    if (!nonce || !timestamp || !signature) return { code: RC_CODES.SIGNATURE_ERROR, errorMessage: 'Nonce, Timestamp and Signature are required' };
    if (nonce.length > RC_MAX_NONCE_CHARS) return { code: RC_CODES.SIGNATURE_ERROR, errorMessage: 'Nonce is at most 18 characters' };
    if (!/^\d{1,16}$/.test(timestamp)) return { code: RC_CODES.SIGNATURE_ERROR, errorMessage: 'Timestamp must be a number' };
    const t = Number(timestamp);
    const seconds = t > 1e11 ? t / 1000 : t;
    if (Math.abs(seconds - this.now() / 1000) > this.maxSkewSeconds) {
      return { code: RC_CODES.SIGNATURE_ERROR, errorMessage: 'Timestamp expired: check the server clock' };
    }
    const expected = createHash('sha1').update(secret + nonce + timestamp, 'utf8').digest('hex');
    if (signature !== expected) return { code: RC_CODES.SIGNATURE_ERROR, errorMessage: 'Signature error' };
    return undefined;
  }
}
