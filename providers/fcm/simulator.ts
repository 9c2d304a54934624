/**
 * An in-process FCM server for tests, the playground and benchmarks (docs/vendors/fcm.md#request, #simulator):
 * HTTP/2 over TLS (the shared test CA, providers/shared/tls.ts), HTTP/1.1 on the same port for
 * the OAuth exchange. It speaks the real protocols:
 *
 * - Google OAuth 2.0 `POST /token` (JWT bearer grant, RFC 7523): verifies the RS256 assertion
 *   against the public half of the service account it generated (`serviceAccount`), `aud`,
 *   `iat`/`exp` (≤ 60 min, not stale), `scope`, and issues `ya29.`-style access tokens.
 *   Errors as Google words them (https://developers.google.com/identity/protocols/oauth2/service-account#error-codes).
 * - FCM `POST /v1/projects/{project}/messages:send`: bearer token (missing/unknown/revoked/expired
 *   → 401 UNAUTHENTICATED; without an FCM scope → 403), project of the token (→ 403
 *   PERMISSION_DENIED), body shape (one target, string data, reserved keys, Duration ttl,
 *   priority, apns headers as strings, 4096-byte payload → 400 INVALID_ARGUMENT with BadRequest
 *   details), then per token: `invalidTokens` → 404 UNREGISTERED, `mismatchTokens` → 403
 *   SENDER_ID_MISMATCH, `malformedTokens` → 400 INVALID_ARGUMENT, `thirdPartyAuthErrorTokens`
 *   → 401 THIRD_PARTY_AUTH_ERROR; `throttle(n)`/`quotaExhausted` → 429 QUOTA_EXCEEDED (+ Retry-After),
 *   `fail(n)` → 503 UNAVAILABLE (or 500 INTERNAL).
 * - HTTP/2 behaviour: SETTINGS `maxConcurrentStreams` (Google advertises 100), `resetStreams(n)`
 *   (RST_STREAM REFUSED_STREAM), `goAway()` (graceful GOAWAY), `dropConnections()` (abrupt).
 *
 * FCM has no daily quota (its quota is per minute), so `quotaExhausted` answers QUOTA_EXCEEDED too.
 * Cheap per request: counters, one array push per accepted token; `recordRequests` keeps bodies.
 */
import { createPublicKey, generateKeyPair, randomBytes, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testTls } from '../shared/tls.js';
import type { SimulatorControls } from '../types.js';
import {
  BAD_REQUEST_TYPE,
  FCM_ERROR_TYPE,
  FCM_MAX_PAYLOAD_BYTES,
  FCM_MAX_TTL_SECONDS,
  FCM_RESERVED_DATA_KEYS,
  FCM_RESERVED_DATA_PREFIXES,
  FCM_SCOPES,
  GOOGLE_TOKEN_URL,
  JWT_BEARER_GRANT,
  QUOTA_FAILURE_TYPE,
  type FcmErrorBody,
  type FcmErrorCode,
  type ServiceAccountJson,
} from './fcm.wire.js';

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

interface Account {
  sa: ServiceAccountJson;
  publicKey: KeyObject;
  projectNumber: string;
}

interface IssuedToken {
  account: Account;
  scopes: string[];
  expiresAt: number;
}

type Req = http2.Http2ServerRequest;
type Res = http2.Http2ServerResponse;

const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;
const MESSAGE_KEYS = new Set(['name', 'token', 'topic', 'condition', 'data', 'notification', 'android', 'apns', 'webpush', 'fcm_options']);
const ANDROID_KEYS = new Set([
  'collapse_key',
  'priority',
  'ttl',
  'restricted_package_name',
  'data',
  'notification',
  'fcm_options',
  'direct_boot_ok',
  'bandwidth_constrained_ok',
  'restricted_satellite_ok',
]);
const APNS_KEYS = new Set(['headers', 'payload', 'fcm_options', 'live_activity_token']);
const PRIORITIES = new Set(['HIGH', 'NORMAL', 'high', 'normal']); // REST enum names; firebase-admin sends lowercase (docs/vendors/fcm.md#request)

const UNAUTHENTICATED_MESSAGE =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

export class FcmSimulator implements SimulatorControls {
  delayMs = 0;
  readonly invalidTokens = new Set<string>();
  /** Tokens of another sender (project): 403 SENDER_ID_MISMATCH. */
  readonly mismatchTokens = new Set<string>();
  /** Tokens FCM cannot parse: 400 INVALID_ARGUMENT "not a valid FCM registration token". */
  readonly malformedTokens = new Set<string>();
  /** iOS/web tokens whose APNs/web-push credentials are missing in the Firebase project: 401 THIRD_PARTY_AUTH_ERROR. */
  readonly thirdPartyAuthErrorTokens = new Set<string>();
  quotaExhausted = false;
  readonly accepted: string[] = [];
  sendRequests = 0;
  /** OAuth token requests received (valid or not). */
  tokenRequests = 0;
  /** Send requests, when started with `recordRequests`. */
  readonly requests: FcmSimRequest[] = [];
  /** Highest number of send requests being handled at once. */
  peakConcurrentSends = 0;
  /** HTTP/2 sessions (connections) opened by clients. */
  sessionsOpened = 0;
  readonly url: string;
  /** `host:port` for the adapter's `oauthEndpoint`. */
  readonly oauthEndpoint: string;
  readonly caPem: string;
  readonly projectId: string;

  private concurrentSends = 0;
  private throttleLeft = 0;
  private throttleRetryAfter: number | undefined;
  private failLeft = 0;
  private failCode: 'UNAVAILABLE' | 'INTERNAL' = 'UNAVAILABLE';
  private failRetryAfter: number | undefined;
  private resetLeft = 0;
  private messageSeq = 0;
  private readonly accounts = new Map<string, Account>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  /** Held answers (`delayMs`), cleared by `close()`. */
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => number;
  private readonly tokenLifetimeSeconds: number;
  private readonly record: boolean;
  private tmpDir: string | undefined;
  private primary: Account;

  private constructor(
    private readonly server: http2.Http2SecureServer,
    port: number,
    caPem: string,
    primary: Account,
    opts: FcmSimulatorOptions,
  ) {
    this.url = `https://127.0.0.1:${port}`;
    this.oauthEndpoint = `127.0.0.1:${port}`;
    this.caPem = caPem;
    this.primary = primary;
    this.projectId = primary.sa.project_id;
    this.accounts.set(primary.sa.client_email, primary);
    this.now = opts.now ?? Date.now;
    this.tokenLifetimeSeconds = opts.tokenLifetimeSeconds ?? 3599;
    this.record = opts.recordRequests ?? false;
  }

  static async start(opts: FcmSimulatorOptions = {}): Promise<FcmSimulator> {
    const tls = testTls();
    const primary = await newAccount(opts.projectId ?? 'pushgate-sim', opts.projectNumber ?? '100000000001');
    const server = http2.createSecureServer({
      key: tls.keyPem,
      cert: tls.certPem,
      allowHTTP1: true,
      settings: { maxConcurrentStreams: opts.maxConcurrentStreams ?? 100 },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const sim = new FcmSimulator(server, (server.address() as AddressInfo).port, tls.caPem, primary, opts);
    server.on('session', (s: http2.ServerHttp2Session) => {
      sim.sessionsOpened++;
      sim.sessions.add(s);
      s.on('close', () => sim.sessions.delete(s));
      s.on('error', () => {});
    });
    server.on('request', (req: Req, res: Res) => sim.onRequest(req, res));
    return sim;
  }

  /** The generated service-account key (JSON as Google's console downloads it). */
  get serviceAccount(): ServiceAccountJson {
    return { ...this.primary.sa };
  }

  /**
   * The service account written to a private temp file (0600, removed by `close()`): the form
   * `oauthEndpoint` needs (firebase-admin ignores the agent for inline keys, fcm.config.ts).
   */
  serviceAccountFile(account: ServiceAccountJson = this.primary.sa): string {
    this.tmpDir ??= mkdtempSync(path.join(tmpdir(), 'pushgate-fcm-sim-'));
    const file = path.join(this.tmpDir, `${account.client_email.split('@')[0]}-${account.private_key_id ?? 'key'}.json`);
    writeFileSync(file, JSON.stringify(account, null, 2), { mode: 0o600 });
    return file;
  }

  /** Another service account, of another project (or the same), known to this OAuth server. */
  async addServiceAccount(projectId: string, projectNumber = '100000000002'): Promise<ServiceAccountJson> {
    const a = await newAccount(projectId, projectNumber);
    this.accounts.set(a.sa.client_email, a);
    return { ...a.sa };
  }

  /** An access token for the primary account without the OAuth exchange (for raw-wire tests). */
  issueAccessToken(scopes: readonly string[] = [FCM_SCOPES[0]]): string {
    return this.issue(this.primary, [...scopes]);
  }

  /** Revoke every access token issued so far: the next sends get 401 UNAUTHENTICATED. */
  revokeAccessTokens(): void {
    this.tokens.clear();
  }

  throttle(n: number, retryAfterSeconds?: number): void {
    this.throttleLeft = n;
    this.throttleRetryAfter = retryAfterSeconds;
  }

  /** The next `n` sends fail with 503 UNAVAILABLE (or 500 INTERNAL), with Retry-After when given. */
  fail(n: number, code: 'UNAVAILABLE' | 'INTERNAL' = 'UNAVAILABLE', retryAfterSeconds?: number): void {
    this.failLeft = n;
    this.failCode = code;
    this.failRetryAfter = retryAfterSeconds;
  }

  /** Reset the next `n` send streams with RST_STREAM REFUSED_STREAM (no HTTP status). */
  resetStreams(n: number): void {
    this.resetLeft = n;
  }

  /** Graceful GOAWAY on every open connection: in-flight streams finish, clients must reconnect. */
  goAway(): void {
    for (const s of this.sessions) {
      if (s.closed || s.destroyed) continue;
      s.goaway(http2.constants.NGHTTP2_NO_ERROR);
      s.close();
    }
  }

  /** Drop every connection at once: in-flight streams end without an answer. */
  dropConnections(): void {
    for (const s of this.sessions) s.destroy();
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sessions) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.tmpDir) rmSync(this.tmpDir, { recursive: true, force: true });
  }

  // ─── request handling ───────────────────────────────────────────────────────────────────────

  private onRequest(req: Req, res: Res): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '/';
      if (url === '/token') return this.onToken(req, res, raw);
      const m = SEND_PATH.exec(url);
      if (m) return this.onSend(req, res, decodeURIComponent(m[1] as string), raw);
      res.writeHead(404, { 'content-type': 'text/html; charset=UTF-8' });
      res.end(`<!DOCTYPE html><title>Error 404 (Not Found)!!1</title><p>The requested URL <code>${url.replace(/[<>&]/g, '')}</code> was not found on this server.`);
    });
  }

  private onToken(req: Req, res: Res, raw: string): void {
    this.tokenRequests++;
    const oauthError = (status: number, error: string, description: string) => json(res, status, { error, error_description: description });
    if (req.method !== 'POST') return oauthError(400, 'invalid_request', 'Token requests must be POST.');
    const form = new URLSearchParams(raw);
    const grant = form.get('grant_type');
    if (grant !== JWT_BEARER_GRANT) return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grant ?? ''}`);
    const assertion = form.get('assertion');
    if (!assertion) return oauthError(400, 'invalid_request', 'Missing required parameter: assertion');

    const parts = assertion.split('.');
    const header = decodeJson(parts[0]);
    const claims = decodeJson(parts[1]);
    if (parts.length !== 3 || !header || !claims) return oauthError(400, 'invalid_grant', 'Invalid JWT: malformed assertion.');
    const account = typeof claims.iss === 'string' ? this.accounts.get(claims.iss) : undefined;
    if (!account) return oauthError(400, 'invalid_grant', 'Invalid grant: account not found');
    const kidOk = header.kid === undefined || header.kid === account.sa.private_key_id;
    const signatureOk =
      header.alg === 'RS256' &&
      kidOk &&
      verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), account.publicKey, Buffer.from(parts[2] as string, 'base64url'));
    if (!signatureOk) return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
    if (claims.aud !== GOOGLE_TOKEN_URL) return oauthError(400, 'invalid_grant', 'Invalid JWT: Failed audience check.');
    const now = Math.floor(this.now() / 1000);
    const { iat, exp } = claims;
    const timely = typeof iat === 'number' && typeof exp === 'number' && exp > iat && exp - iat <= 3600 && exp > now && iat <= now + 300;
    if (!timely) {
      return oauthError(
        400,
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      );
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(/\s+/).filter(Boolean) : [];
    if (scopes.length === 0) return oauthError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    json(res, 200, { access_token: this.issue(account, scopes), expires_in: this.tokenLifetimeSeconds, token_type: 'Bearer' });
  }

  private issue(account: Account, scopes: string[]): string {
    const token = `ya29.sim-${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { account, scopes, expiresAt: this.now() + this.tokenLifetimeSeconds * 1000 });
    return token;
  }

  private onSend(req: Req, res: Res, project: string, raw: string): void {
    this.sendRequests++;
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

  private answerSend(req: Req, project: string, body: unknown, raw: string): { status: number; body: unknown; headers?: Record<string, string> } {
    if (req.method !== 'POST') return error(405, 'INVALID_ARGUMENT', 'Only POST is allowed.');
    const auth = /^Bearer (\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const issued = auth ? this.tokens.get(auth[1] as string) : undefined;
    if (!issued || issued.expiresAt <= this.now()) {
      return { ...error(401, 'UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE), headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' } };
    }
    if (!issued.scopes.some((s) => (FCM_SCOPES as readonly string[]).includes(s))) {
      return error(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.');
    }
    const { account } = issued;
    if (project !== account.sa.project_id && project !== account.projectNumber) {
      return error(403, 'PERMISSION_DENIED', `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${project}' (or it may not exist).`);
    }
    if (this.quotaExhausted || this.throttleLeft > 0) {
      const retryAfter = this.throttleLeft > 0 ? this.throttleRetryAfter : undefined;
      if (this.throttleLeft > 0) this.throttleLeft--;
      const e = error(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric \'Send requests\' and limit \'Send requests per minute\'.', 'QUOTA_EXCEEDED', [
        { '@type': QUOTA_FAILURE_TYPE, violations: [{ subject: `project:${project}`, description: 'Send requests per minute' }] },
      ]);
      return retryAfter !== undefined ? { ...e, headers: { 'retry-after': String(retryAfter) } } : e;
    }
    if (this.failLeft > 0) {
      this.failLeft--;
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

/** The first shape problem of a send request as a BadRequest field violation, or undefined. */
export function validateSendRequest(body: unknown): { field: string; description: string } | undefined {
  const bad = (field: string, description: string) => ({ field, description });
  if (!isObject(body)) return bad('', 'Invalid JSON payload received. Expected an object.');
  for (const k of Object.keys(body)) if (k !== 'message' && k !== 'validate_only') return bad(k, `Invalid JSON payload received. Unknown name "${k}": Cannot find field.`);
  if (body.validate_only !== undefined && typeof body.validate_only !== 'boolean') return bad('validate_only', 'Invalid value at \'validate_only\' (TYPE_BOOL)');
  const m = body.message;
  if (!isObject(m)) return bad('message', 'Request contains an invalid argument: message is required.');
  for (const k of Object.keys(m)) if (!MESSAGE_KEYS.has(k)) return bad(`message.${k}`, `Invalid JSON payload received. Unknown name "${k}" at 'message': Cannot find field.`);
  const targets = ['token', 'topic', 'condition'].filter((k) => m[k] !== undefined);
  if (targets.length !== 1) return bad('message', 'Exactly one of message.token, message.topic or message.condition must be set.');
  if (m.token !== undefined && (typeof m.token !== 'string' || m.token === '')) return bad('message.token', 'The registration token is not a valid FCM registration token');

  if (m.data !== undefined) {
    if (!isObject(m.data)) return bad('message.data', 'Invalid value at \'message.data\' (type.googleapis.com/google.firebase.fcm.v1.Message.DataEntry)');
    let i = 0;
    for (const [k, v] of Object.entries(m.data)) {
      if (typeof v !== 'string') return bad(`message.data[${i}].value`, `Invalid value at 'message.data[${i}].value' (TYPE_STRING), ${JSON.stringify(v)}`);
      if ((FCM_RESERVED_DATA_KEYS as readonly string[]).includes(k) || FCM_RESERVED_DATA_PREFIXES.some((p) => k.startsWith(p))) {
        return bad(`message.data`, `Invalid data payload key: ${k}`);
      }
      i++;
    }
  }
  if (m.notification !== undefined) {
    if (!isObject(m.notification)) return bad('message.notification', 'Invalid value at \'message.notification\'');
    for (const [k, v] of Object.entries(m.notification)) {
      if (!['title', 'body', 'image'].includes(k)) return bad(`message.notification.${k}`, `Invalid JSON payload received. Unknown name "${k}" at 'message.notification': Cannot find field.`);
      if (typeof v !== 'string') return bad(`message.notification.${k}`, `Invalid value at 'message.notification.${k}' (TYPE_STRING)`);
    }
  }
  if (m.android !== undefined) {
    const a = m.android;
    if (!isObject(a)) return bad('message.android', 'Invalid value at \'message.android\'');
    for (const k of Object.keys(a)) if (!ANDROID_KEYS.has(k)) return bad(`message.android.${k}`, `Invalid JSON payload received. Unknown name "${k}" at 'message.android': Cannot find field.`);
    if (a.priority !== undefined && !PRIORITIES.has(a.priority as string)) {
      return bad('message.android.priority', `Invalid value at 'message.android.priority' (type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority), ${JSON.stringify(a.priority)}`);
    }
    if (a.ttl !== undefined) {
      const ttl = typeof a.ttl === 'string' ? /^(\d+)(\.\d{1,9})?s$/.exec(a.ttl) : null;
      if (!ttl || Number(ttl[1]) > FCM_MAX_TTL_SECONDS) {
        return bad('message.android.ttl', `Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration), ${JSON.stringify(a.ttl)}`);
      }
    }
    if (a.collapse_key !== undefined && typeof a.collapse_key !== 'string') return bad('message.android.collapse_key', 'Invalid value at \'message.android.collapse_key\' (TYPE_STRING)');
    if (a.notification !== undefined && !isObject(a.notification)) return bad('message.android.notification', 'Invalid value at \'message.android.notification\'');
    if (isObject(a.notification)) {
      for (const k of ['title', 'body', 'image', 'click_action', 'sound', 'channel_id', 'icon', 'color', 'tag']) {
        const v = a.notification[k];
        if (v !== undefined && typeof v !== 'string') return bad(`message.android.notification.${k}`, `Invalid value at 'message.android.notification.${k}' (TYPE_STRING)`);
      }
    }
  }
  if (m.apns !== undefined) {
    const a = m.apns;
    if (!isObject(a)) return bad('message.apns', 'Invalid value at \'message.apns\'');
    for (const k of Object.keys(a)) if (!APNS_KEYS.has(k)) return bad(`message.apns.${k}`, `Invalid JSON payload received. Unknown name "${k}" at 'message.apns': Cannot find field.`);
    if (a.headers !== undefined) {
      if (!isObject(a.headers)) return bad('message.apns.headers', 'Invalid value at \'message.apns.headers\'');
      for (const [k, v] of Object.entries(a.headers)) if (typeof v !== 'string') return bad(`message.apns.headers[${k}]`, `Invalid value at 'message.apns.headers[${k}].value' (TYPE_STRING)`);
    }
    if (a.payload !== undefined && (!isObject(a.payload) || (a.payload.aps !== undefined && !isObject(a.payload.aps)))) {
      return bad('message.apns.payload', 'Invalid APNs payload: aps must be a dictionary.');
    }
  }
  if (m.webpush !== undefined && !isObject(m.webpush)) return bad('message.webpush', 'Invalid value at \'message.webpush\'');
  const payloadBytes = Buffer.byteLength(JSON.stringify({ data: m.data, notification: m.notification }), 'utf8');
  if (payloadBytes > FCM_MAX_PAYLOAD_BYTES) return bad('message', `Message is too big: ${payloadBytes} bytes of data and notification, the limit is ${FCM_MAX_PAYLOAD_BYTES}.`);
  return undefined;
}

function error(
  http: number,
  status: string,
  message: string,
  fcmCode?: FcmErrorCode,
  extra: NonNullable<FcmErrorBody['error']['details']> = [],
): { status: number; body: FcmErrorBody } {
  const details = [...(fcmCode ? [{ '@type': FCM_ERROR_TYPE, errorCode: fcmCode }] : []), ...extra];
  return { status: http, body: { error: { code: http, message, status, ...(details.length ? { details } : {}) } } };
}

function json(res: Res, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function decodeJson(part: string | undefined): Record<string, unknown> | undefined {
  if (!part) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function newAccount(projectId: string, projectNumber: string): Promise<Account> {
  const { privateKey } = await new Promise<{ privateKey: string }>((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }, (err, _pub, priv) =>
      err ? reject(err) : resolve({ privateKey: priv }),
    ),
  );
  const keyId = randomBytes(20).toString('hex');
  const sa: ServiceAccountJson = {
    type: 'service_account',
    project_id: projectId,
    private_key_id: keyId,
    private_key: privateKey,
    client_email: `firebase-adminsdk-${keyId.slice(0, 5)}@${projectId}.iam.gserviceaccount.com`,
    client_id: String(100000000000000000000n + BigInt(`0x${keyId.slice(0, 12)}`)),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: GOOGLE_TOKEN_URL,
    universe_domain: 'googleapis.com',
  };
  return { sa, publicKey: createPublicKey(privateKey), projectNumber };
}
