/**
 * An in-process FCM server for tests, the playground and benchmarks (docs/vendors/fcm.md#request, #simulator):
 * HTTP/2 over TLS (the shared starter, providers/shared/sim-http2.ts), HTTP/1.1 on the same port for
 * the OAuth exchange. It speaks the real protocols:
 *
 * - Google OAuth 2.0 `POST /token` (simulator.oauth.ts).
 * - FCM `POST /v1/projects/{project}/messages:send`: bearer token (missing/unknown/revoked/expired
 *   → 401 UNAUTHENTICATED; without an FCM scope → 403), project of the token (→ 403
 *   PERMISSION_DENIED), body shape (simulator.validate.ts → 400 INVALID_ARGUMENT with BadRequest
 *   details), then per token: `invalidTokens` → 404 UNREGISTERED, `mismatchTokens` → 403
 *   SENDER_ID_MISMATCH, `malformedTokens` → 400 INVALID_ARGUMENT, `thirdPartyAuthErrorTokens`
 *   → 401 THIRD_PARTY_AUTH_ERROR; `throttle(n)`/`quotaExhausted` → 429 QUOTA_EXCEEDED (+ Retry-After),
 *   `fail(n)` → 503 UNAVAILABLE (or 500 INTERNAL).
 * - HTTP/2 behaviour: SETTINGS `maxConcurrentStreams` (Google advertises 100), `resetStreams(n)`
 *   (RST_STREAM REFUSED_STREAM), `resetConnection(n)` (the connection torn down), `hang(n)`,
 *   `goAway()` (graceful GOAWAY), `dropConnections()` (abrupt).
 *
 * FCM has no daily quota (its quota is per minute), so `quotaExhausted` answers QUOTA_EXCEEDED too.
 * Cheap per request: counters, one array push per accepted token; `recordRequests` keeps bodies.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SimControls } from '../shared/sim-controls.js';
import { applyStreamFault, startHttp2Simulator, type Http2Simulator } from '../shared/sim-http2.js';
import { FCM_SEND_SCOPES, GoogleOAuthSim, newAccount, type Account, type SimServiceAccount } from './simulator.oauth.js';
import { BAD_REQUEST_TYPE, QUOTA_FAILURE_TYPE, error, validateSendRequest } from './simulator.validate.js';

export { validateSendRequest } from './simulator.validate.js';

export interface FcmSimulatorOptions {
  /** Project of the generated service account (default `pushgate-sim`). */
  projectId?: string;
  /** Its project number, also accepted in the path (default `100000000001`). */
  projectNumber?: string;
  /** SETTINGS maxConcurrentStreams per connection (default 100, as fcm.googleapis.com). */
  maxConcurrentStreams?: number;
  /** Access-token lifetime in seconds (default 3599, as Google). */
  tokenLifetimeSeconds?: number;
  /** Keep every send request (headers, body) in `requests`; off by default so benchmarks stay lean. */
  recordRequests?: boolean;
  /** Clock for token expiry and JWT checks (default Date.now). */
  now?: () => number;
}

export interface FcmSimRequest {
  headers: http2.IncomingHttpHeaders;
  path: string;
  body: unknown;
  httpVersion: string;
}

type Req = http2.Http2ServerRequest;
type Res = http2.Http2ServerResponse;
type Answer = { status: number; body: unknown; headers?: Record<string, string> };

const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;
const UNAUTHENTICATED_MESSAGE =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

export class FcmSimulator extends SimControls {
  /** Tokens of another sender (project): 403 SENDER_ID_MISMATCH. */
  readonly mismatchTokens = new Set<string>();
  /** Tokens FCM cannot parse: 400 INVALID_ARGUMENT "not a valid FCM registration token". */
  readonly malformedTokens = new Set<string>();
  /** iOS/web tokens whose APNs/web-push credentials are missing in the Firebase project: 401 THIRD_PARTY_AUTH_ERROR. */
  readonly thirdPartyAuthErrorTokens = new Set<string>();
  /** Send requests, when started with `recordRequests`. */
  readonly requests: FcmSimRequest[] = [];
  /** Highest number of send requests being handled at once. */
  peakConcurrentSends = 0;
  readonly url: string;
  /** `host:port` for the adapter's `oauthEndpoint`. */
  readonly oauthEndpoint: string;
  readonly caPem: string;
  readonly projectId: string;

  private concurrentSends = 0;
  private failCode: 'UNAVAILABLE' | 'INTERNAL' = 'UNAVAILABLE';
  private failRetryAfter: number | undefined;
  private resetLeft = 0;
  private messageSeq = 0;
  private readonly oauth: GoogleOAuthSim;
  /** Held answers (`delayMs`), cleared by `close()`. */
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => number;
  private readonly record: boolean;
  private tmpDir: string | undefined;

  private constructor(
    private readonly server: Http2Simulator,
    private readonly primary: Account,
    opts: FcmSimulatorOptions,
  ) {
    super();
    this.url = server.url;
    this.oauthEndpoint = `127.0.0.1:${server.port}`;
    this.caPem = server.caPem;
    this.projectId = primary.sa.project_id;
    this.now = opts.now ?? Date.now;
    this.oauth = new GoogleOAuthSim(this.now, opts.tokenLifetimeSeconds ?? 3599, () => this.rejectCredentials);
    this.oauth.add(primary);
    this.record = opts.recordRequests ?? false;
    server.server.on('request', (req: Req, res: Res) => this.onRequest(req, res));
  }

  static async start(opts: FcmSimulatorOptions = {}): Promise<FcmSimulator> {
    const primary = await newAccount(opts.projectId ?? 'pushgate-sim', opts.projectNumber ?? '100000000001');
    const server = await startHttp2Simulator({ allowHTTP1: true, settings: { maxConcurrentStreams: opts.maxConcurrentStreams ?? 100 } });
    return new FcmSimulator(server, primary, opts);
  }

  /** HTTP/2 sessions (connections) opened by clients. */
  get sessionsOpened(): number {
    return this.server.sessionsOpened;
  }

  /** OAuth token requests received (valid or not). */
  get tokenRequests(): number {
    return this.oauth.tokenRequests;
  }

  /** The generated service-account key (JSON as Google's console downloads it). */
  get serviceAccount(): SimServiceAccount {
    return { ...this.primary.sa };
  }

  /**
   * The service account written to a private temp file (0600, removed by `close()`): the form
   * `oauthEndpoint` needs (firebase-admin ignores the agent for inline keys, fcm.config.ts).
   */
  serviceAccountFile(account: SimServiceAccount = this.primary.sa): string {
    this.tmpDir ??= mkdtempSync(path.join(tmpdir(), 'pushgate-fcm-sim-'));
    const file = path.join(this.tmpDir, `${account.client_email.split('@')[0]}-${account.private_key_id ?? 'key'}.json`);
    writeFileSync(file, JSON.stringify(account, null, 2), { mode: 0o600 });
    return file;
  }

  /** Another service account, of another project (or the same), known to this OAuth server. */
  async addServiceAccount(projectId: string, projectNumber = '100000000002'): Promise<SimServiceAccount> {
    const a = await newAccount(projectId, projectNumber);
    this.oauth.add(a);
    return { ...a.sa };
  }

  /** An access token for the primary account without the OAuth exchange (for raw-wire tests). */
  issueAccessToken(scopes: readonly string[] = [FCM_SEND_SCOPES[0] as string]): string {
    return this.oauth.issue(this.primary, [...scopes]);
  }

  /** Revoke every access token issued so far: the next sends get 401 UNAUTHENTICATED. */
  revokeAccessTokens(): void {
    this.oauth.tokens.revokeAll();
  }

  protected override revokeIssuedCredentials(): void {
    this.oauth.tokens.revokeAll();
  }

  /** The next `n` sends fail with 503 UNAVAILABLE (or 500 INTERNAL), with Retry-After when given. */
  override fail(n: number, code: 'UNAVAILABLE' | 'INTERNAL' = 'UNAVAILABLE', retryAfterSeconds?: number): void {
    super.fail(n);
    this.failCode = code;
    this.failRetryAfter = retryAfterSeconds;
  }

  /** Reset the next `n` send streams with RST_STREAM REFUSED_STREAM (no HTTP status). */
  resetStreams(n: number): void {
    this.resetLeft = n;
  }

  /** Graceful GOAWAY on every open connection: in-flight streams finish, clients must reconnect. */
  goAway(): void {
    this.server.goAway();
  }

  /** Drop every connection at once: in-flight streams end without an answer. */
  dropConnections(): void {
    this.server.dropConnections();
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.server.close();
    if (this.tmpDir) rmSync(this.tmpDir, { recursive: true, force: true });
  }

  // ─── request handling ───────────────────────────────────────────────────────────────────────

  private onRequest(req: Req, res: Res): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '/';
      if (url === '/token') {
        const answer = this.oauth.answer(req.method, raw);
        return json(res, answer.status, answer.body);
      }
      const m = SEND_PATH.exec(url);
      if (m) return this.onSend(req, res, decodeURIComponent(m[1] as string), raw);
      res.writeHead(404, { 'content-type': 'text/html; charset=UTF-8' });
      res.end(`<!DOCTYPE html><title>Error 404 (Not Found)!!1</title><p>The requested URL <code>${url.replace(/[<>&]/g, '')}</code> was not found on this server.`);
    });
  }

  private onSend(req: Req, res: Res, project: string, raw: string): void {
    this.recordSend(req.url, req.headers, raw);
    this.concurrentSends++;
    if (this.concurrentSends > this.peakConcurrentSends) this.peakConcurrentSends = this.concurrentSends;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.concurrentSends--;
    };
    res.on('close', release);
    res.on('finish', release);

    const fault = this.faults.takeTransport();
    if (fault && req.stream) return applyStreamFault(req.stream, fault);
    if (this.resetLeft > 0 && req.stream) {
      this.resetLeft--;
      req.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      return;
    }
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    if (this.record) this.requests.push({ headers: req.headers, path: req.url, body: body ?? raw, httpVersion: req.httpVersion });
    const answer = this.answerSend(req, project, body, raw);
    const send = () => {
      if (res.closed || res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=UTF-8', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    };
    if (this.delayMs <= 0) return send();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, this.delayMs);
    this.timers.add(timer);
  }

  private answerSend(req: Req, project: string, body: unknown, raw: string): Answer {
    if (req.method !== 'POST') return error(405, 'INVALID_ARGUMENT', 'Only POST is allowed.');
    const auth = /^Bearer (\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const check = this.oauth.tokens.verify(auth?.[1]);
    if (!check.ok) {
      return { ...error(401, 'UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE), headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' } };
    }
    if (!check.meta.scopes.some((s) => FCM_SEND_SCOPES.includes(s))) {
      return error(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.');
    }
    const { account } = check.meta;
    if (project !== account.sa.project_id && project !== account.projectNumber) {
      return error(403, 'PERMISSION_DENIED', `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${project}' (or it may not exist).`);
    }
    const throttled = this.faults.takeThrottle();
    if (this.quotaExhausted || throttled) {
      const e = error(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric \'Send requests\' and limit \'Send requests per minute\'.', 'QUOTA_EXCEEDED', [
        { '@type': QUOTA_FAILURE_TYPE, violations: [{ subject: `project:${project}`, description: 'Send requests per minute' }] },
      ]);
      const retryAfter = throttled?.retryAfterSeconds;
      return retryAfter !== undefined ? { ...e, headers: { 'retry-after': String(retryAfter) } } : e;
    }
    if (this.faults.takeFail()) {
      const e = this.failCode === 'INTERNAL' ? error(500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL') : error(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE');
      return this.failRetryAfter !== undefined ? { ...e, headers: { 'retry-after': String(this.failRetryAfter) } } : e;
    }
    if (body === undefined) return error(400, 'INVALID_ARGUMENT', `Invalid JSON payload received. Unexpected token.\n${raw.slice(0, 40)}`);
    const invalid = validateSendRequest(body);
    if (invalid) {
      return error(400, 'INVALID_ARGUMENT', invalid.description, 'INVALID_ARGUMENT', [{ '@type': BAD_REQUEST_TYPE, fieldViolations: [invalid] }]);
    }
    const request = body as { validate_only?: boolean; message: { token?: string } };
    const token = request.message.token;
    if (token !== undefined) {
      if (this.invalidTokens.has(token)) return error(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED');
      if (this.mismatchTokens.has(token)) return error(403, 'PERMISSION_DENIED', 'SenderId mismatch', 'SENDER_ID_MISMATCH');
      if (this.malformedTokens.has(token)) return error(400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token', 'INVALID_ARGUMENT');
      if (this.thirdPartyAuthErrorTokens.has(token)) return error(401, 'UNAUTHENTICATED', 'Auth error from APNS or Web Push Service', 'THIRD_PARTY_AUTH_ERROR');
    }
    if (request.validate_only === true) return { status: 200, body: { name: `projects/${account.sa.project_id}/messages/fake_message_id` } };
    if (token !== undefined) this.accepted.push(token);
    return { status: 200, body: { name: `projects/${account.sa.project_id}/messages/0:${this.now()}%${(++this.messageSeq).toString(16).padStart(16, '0')}` } };
  }
}

function json(res: Res, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
