/**
 * An in-process APNs: HTTP/2 over TLS on 127.0.0.1 (the shared starter, providers/shared/sim-http2.ts),
 * speaking Apple's provider API (docs/vendors/apns.md#request) closely enough that an APNs client (pushgate's, or @parse/node-apn)
 * cannot tell the difference:
 * - token auth: `authorization: bearer <ES256 JWT>` verified against the public half of the .p8
 *   key it hands out (kid, iss, signature; iat older than 1 h → ExpiredProviderToken);
 * - certificate auth (`certAuth: true`): a client certificate issued by the simulator's own
 *   "Apple" CA, with Apple's environment OIDs; wrong CA → BadCertificate, wrong environment →
 *   BadCertificateEnvironment (both in simulator.auth.ts);
 * - the environment from `:authority` (`api.push.apple.com` / `api.sandbox.push.apple.com`), so
 *   one port serves both;
 * - path, headers and the 4096-byte payload limit, answered with Apple's reasons;
 * - Apple's stream ramp (`initialMaxStreams: 1`): a session may open one stream until a request
 *   with valid credentials has been answered, then `maxConcurrentStreams`.
 */
import { generateKeyPairSync, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import type http2 from 'node:http2';
import { SimControls } from '../shared/sim-controls.js';
import { applyStreamFault, startHttp2Simulator, type Http2Simulator } from '../shared/sim-http2.js';
import { certVerdict, clientPki, ProviderTokenCheck, type ApnsSimEnvironment, type ApnsSimReason, type ClientCertificate } from './simulator.auth.js';

export type { ClientCertificate } from './simulator.auth.js';

// The vendor's facts, written here from Apple's documentation (docs/vendors/apns.md), not taken
// from the adapter: when the two disagree, a test sees it.
/** Apple's hosts (docs/vendors/apns.md#endpoints): the environment comes from `:authority`. */
const HOSTS: Record<string, ApnsSimEnvironment> = { 'api.push.apple.com': 'production', 'api.sandbox.push.apple.com': 'sandbox' };
/** `apns-push-type` values (docs/vendors/apns.md#request). */
const PUSH_TYPES = new Set(['alert', 'background', 'location', 'voip', 'complication', 'fileprovider', 'mdm', 'liveactivity', 'pushtotalk', 'widgets']);
/** `apns-collapse-id` ≤ 64 bytes (docs/vendors/apns.md#request). */
const MAX_COLLAPSE_ID_BYTES = 64;
/** A device token is its bytes in hex: 32 bytes today, up to 100 (docs/vendors/apns.md#device-token). */
const DEVICE_TOKEN = /^(?:[0-9a-fA-F]{2}){32,100}$/;

export interface ApnsSimulatorOptions {
  /** Streams a new session may open before its first authenticated request (Apple: 1). Default: no ramp. */
  initialMaxStreams?: number;
  /** Streams per session once warmed (and without a ramp). @default 1000 */
  maxConcurrentStreams?: number;
  /** Also accept client certificates issued by the simulator's CA (Apple's certificate auth). */
  certAuth?: boolean;
  /** Allowed `apns-topic` values (others → 400 TopicDisallowed). Default: any. */
  topics?: string[];
  /** Payload limit in bytes (VoIP gets 1024 more, as Apple). @default 4096 */
  maxPayloadBytes?: number;
  /** Environment for requests whose `:authority` is not an Apple host. @default 'production' */
  defaultEnvironment?: ApnsSimEnvironment;
  /** Clock for the JWT age check. @default Date.now */
  now?: () => number;
  /** Requests kept in `requests` (the first n). @default 1000 */
  recordLimit?: number;
  keyId?: string;
  teamId?: string;
}

/** One request as the simulator saw and answered it. */
export interface ApnsSimRequest {
  environment: ApnsSimEnvironment;
  token: string;
  /** `apns-*` headers and `:authority`. */
  headers: Record<string, string>;
  body: string;
  auth: 'token' | 'certificate' | 'none';
  status: number;
  reason?: string | undefined;
}

interface Verdict {
  status: number;
  reason?: ApnsSimReason;
  timestamp?: number;
  /** The credentials were valid (the session's stream limit may rise). */
  authenticated: boolean;
  environment: ApnsSimEnvironment;
  token: string;
  auth: ApnsSimRequest['auth'];
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export class ApnsSimulator extends SimControls {
  /** Apple documents no Retry-After on 429 TooManyRequests (docs/vendors/apns.md#rate-limits-and-quotas). */
  override readonly sendsRetryAfter = false;
  /** Apple's only 429 for sending is per device (TooManyRequests); it has no sender-wide throttle. */
  readonly throttlesPerTarget = true;
  readonly url: string;
  readonly port: number;
  /** Trust this CA to reach the simulator (config `ca`). */
  readonly caPem: string;
  readonly keyId: string;
  readonly teamId: string;
  /** The .p8 signing key (PKCS#8 PEM, P-256), as Apple's developer portal hands it out. */
  readonly privateKeyPem: string;
  /** A valid client certificate for both environments (certAuth only). */
  readonly clientCertificate: ClientCertificate | undefined;

  /** Tokens answered 400 BadDeviceToken (what Apple says for a token of the other environment). */
  readonly wrongEnvironmentTokens = new Set<string>();
  /** Tokens issued by one environment: sent to the other one → 400 BadDeviceToken. */
  readonly tokenEnvironments = new Map<string, ApnsSimEnvironment>();
  /** Tokens answered 400 DeviceTokenNotForTopic. */
  readonly wrongTopicTokens = new Set<string>();
  readonly requests: ApnsSimRequest[] = [];
  /** Most streams seen open at once on one session. */
  maxStreamsInFlight = 0;
  private readonly providerTokens: ProviderTokenCheck;
  private readonly raised = new WeakSet<http2.Http2Session>();
  private readonly open = new Map<http2.Http2Session, number>();
  private readonly topics: Set<string> | undefined;
  private readonly maxStreams: number;
  private readonly initialStreams: number;
  private readonly maxPayload: number;
  private readonly now: () => number;
  private readonly recordLimit: number;
  private readonly defaultEnv: ApnsSimEnvironment;
  private readonly certAuth: boolean;

  private constructor(
    private readonly server: Http2Simulator,
    opts: ApnsSimulatorOptions,
    keys: { privateKeyPem: string; publicKey: KeyObject },
    clientCertificate: ClientCertificate | undefined,
  ) {
    super();
    this.port = server.port;
    this.url = server.url;
    this.caPem = server.caPem;
    this.keyId = opts.keyId ?? 'SIMKEY0001';
    this.teamId = opts.teamId ?? 'SIMTEAM001';
    this.privateKeyPem = keys.privateKeyPem;
    this.clientCertificate = clientCertificate;
    this.topics = opts.topics ? new Set(opts.topics) : undefined;
    this.maxStreams = opts.maxConcurrentStreams ?? 1000;
    this.initialStreams = opts.initialMaxStreams ?? this.maxStreams;
    this.maxPayload = opts.maxPayloadBytes ?? 4096;
    this.now = opts.now ?? Date.now;
    this.recordLimit = opts.recordLimit ?? 1000;
    this.defaultEnv = opts.defaultEnvironment ?? 'production';
    this.certAuth = opts.certAuth ?? false;
    this.providerTokens = new ProviderTokenCheck(this.keyId, this.teamId, keys.publicKey, this.now);
    server.server.on('session', (session) => this.onSession(session));
    server.server.on('stream', (stream, headers) => this.onStream(stream, headers));
  }

  static async start(opts: ApnsSimulatorOptions = {}): Promise<ApnsSimulator> {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const pki = opts.certAuth ? clientPki() : undefined;
    const initial = opts.initialMaxStreams ?? opts.maxConcurrentStreams ?? 1000;
    const server = await startHttp2Simulator({ settings: { maxConcurrentStreams: initial }, maxSessionMemory: 64, clientCa: pki ? [pki.caPem] : undefined });
    const clientCertificate = pki?.issue({ trusted: true, environments: ['sandbox', 'production'] });
    return new ApnsSimulator(server, opts, { privateKeyPem, publicKey: createPublicKey(privateKey) }, clientCertificate);
  }

  /** HTTP/2 sessions opened so far. */
  get sessionsOpened(): number {
    return this.server.sessionsOpened;
  }

  /** Distinct provider tokens (JWTs) presented so far. */
  get providerTokensSeen(): number {
    return this.providerTokens.seen;
  }

  /** Token-auth credentials for `auth.token`. */
  tokenCredentials(): { key: string; keyId: string; teamId: string } {
    return { key: this.privateKeyPem, keyId: this.keyId, teamId: this.teamId };
  }

  /** Issue another client certificate (certAuth): untrusted (another CA) or for one environment only. */
  issueClientCertificate(opts: { trusted?: boolean; environments?: ApnsSimEnvironment[] } = {}): ClientCertificate {
    return clientPki().issue({ trusted: opts.trusted ?? true, environments: opts.environments ?? ['sandbox', 'production'] });
  }

  /** Treat every provider token presented so far as older than an hour (→ ExpiredProviderToken). */
  expireIssuedTokens(): void {
    this.providerTokens.expireAll();
  }

  /** Sessions open now. */
  get openSessions(): number {
    return this.open.size;
  }

  /** Close every session with GOAWAY and a JSON reason, as APNs does (e.g. Shutdown, IdleTimeout). */
  goAway(reason: ApnsSimReason = 'Shutdown'): void {
    this.server.goAway(Buffer.from(JSON.stringify({ reason })));
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  private onSession(session: http2.Http2Session): void {
    this.open.set(session, 0);
    session.on('close', () => this.open.delete(session));
  }

  private onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    const session = stream.session;
    if (session) {
      const n = (this.open.get(session) ?? 0) + 1;
      this.open.set(session, n);
      if (n > this.maxStreamsInFlight) this.maxStreamsInFlight = n;
      stream.on('close', () => {
        const left = this.open.get(session);
        if (left !== undefined) this.open.set(session, left - 1);
      });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= this.maxPayload + 1024) chunks.push(chunk);
    });
    stream.on('error', () => {});
    stream.on('end', () => this.answer(stream, headers, chunks, size));
  }

  private answer(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, chunks: Buffer[], size: number): void {
    this.recordSend(String(headers[':path'] ?? ''), headers, Buffer.concat(chunks).toString('utf8'));
    const fault = this.faults.takeTransport();
    if (fault) return applyStreamFault(stream, fault);
    const verdict = this.judge(stream, headers, size);
    if (this.requests.length < this.recordLimit) {
      this.requests.push({
        environment: verdict.environment,
        token: verdict.token,
        headers: pick(headers),
        body: Buffer.concat(chunks).toString('utf8'),
        auth: verdict.auth,
        status: verdict.status,
        reason: verdict.reason,
      });
    }
    const reply = () => {
      if (stream.destroyed || stream.closed) return;
      // Apple raises the session's stream limit once a request with valid credentials went through;
      // the SETTINGS frame goes out before this answer, so the client knows when it reads it.
      if (verdict.authenticated && stream.session) this.raiseStreamLimit(stream.session);
      const requested = headers['apns-id'];
      const apnsId = typeof requested === 'string' && UUID.test(requested) ? requested : randomUUID().toUpperCase();
      if (verdict.status === 200) {
        const out: http2.OutgoingHttpHeaders = { ':status': 200, 'apns-id': apnsId };
        if (verdict.environment === 'sandbox') out['apns-unique-id'] = randomUUID();
        stream.respond(out, { endStream: true });
        return;
      }
      const out: http2.OutgoingHttpHeaders = { ':status': verdict.status, 'apns-id': apnsId, 'content-type': 'application/json' };
      stream.respond(out);
      stream.end(JSON.stringify(verdict.timestamp === undefined ? { reason: verdict.reason } : { reason: verdict.reason, timestamp: verdict.timestamp }));
    };
    if (this.delayMs > 0) setTimeout(reply, this.delayMs);
    else reply();
  }

  private raiseStreamLimit(session: http2.Http2Session): void {
    if (this.initialStreams >= this.maxStreams || this.raised.has(session) || session.destroyed) return;
    this.raised.add(session);
    session.settings({ maxConcurrentStreams: this.maxStreams });
  }

  private judge(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, size: number): Verdict {
    const environment = environmentOf(headers[':authority'], this.defaultEnv);
    const match = /^\/3\/device\/([^/?]*)$/.exec(String(headers[':path'] ?? ''));
    const token = match?.[1] ?? '';
    const base = { environment, token, authenticated: false, auth: 'none' as ApnsSimRequest['auth'] };
    if (headers[':method'] !== 'POST') return { ...base, status: 405, reason: 'MethodNotAllowed' };
    if (!match) return { ...base, status: 404, reason: 'BadPath' };

    const auth = this.authenticate(stream, headers, environment);
    if ('reason' in auth) return { ...base, status: 403, reason: auth.reason };
    const ok = { ...base, authenticated: true, auth: auth.mode };

    if (!token) return { ...ok, status: 400, reason: 'MissingDeviceToken' };
    if (!DEVICE_TOKEN.test(token)) return { ...ok, status: 400, reason: 'BadDeviceToken' };
    const topic = headers['apns-topic'];
    // With token auth the topic is required; a certificate implies its own bundle id.
    if (topic === undefined) {
      if (auth.mode === 'token') return { ...ok, status: 400, reason: 'MissingTopic' };
    } else if (this.topics && !this.topics.has(String(topic))) {
      return { ...ok, status: 400, reason: 'TopicDisallowed' };
    }
    const pushType = headers['apns-push-type'];
    if (pushType !== undefined && !PUSH_TYPES.has(String(pushType))) return { ...ok, status: 400, reason: 'InvalidPushType' };
    const priority = headers['apns-priority'];
    if (priority !== undefined && !['10', '5', '1'].includes(String(priority))) return { ...ok, status: 400, reason: 'BadPriority' };
    const expiration = headers['apns-expiration'];
    if (expiration !== undefined && !/^\d+$/.test(String(expiration))) return { ...ok, status: 400, reason: 'BadExpirationDate' };
    const collapse = headers['apns-collapse-id'];
    if (collapse !== undefined && Buffer.byteLength(String(collapse)) > MAX_COLLAPSE_ID_BYTES) return { ...ok, status: 400, reason: 'BadCollapseId' };
    const apnsId = headers['apns-id'];
    if (apnsId !== undefined && !UUID.test(String(apnsId))) return { ...ok, status: 400, reason: 'BadMessageId' };
    if (size === 0) return { ...ok, status: 400, reason: 'PayloadEmpty' };
    if (size > this.maxPayload + (pushType === 'voip' ? 1024 : 0)) return { ...ok, status: 413, reason: 'PayloadTooLarge' };

    if (this.faults.takeThrottle()) return { ...ok, status: 429, reason: 'TooManyRequests' };
    if (this.faults.takeFail()) return { ...ok, status: 503, reason: 'ServiceUnavailable' };
    // APNs has no daily quota; its nearest signal is 429 TooManyRequests.
    if (this.quotaExhausted) return { ...ok, status: 429, reason: 'TooManyRequests' };
    if (this.invalidTokens.has(token)) return { ...ok, status: 410, reason: 'Unregistered', timestamp: this.now() };
    const issuedBy = this.tokenEnvironments.get(token);
    if (this.wrongEnvironmentTokens.has(token) || (issuedBy !== undefined && issuedBy !== environment)) return { ...ok, status: 400, reason: 'BadDeviceToken' };
    if (this.wrongTopicTokens.has(token)) return { ...ok, status: 400, reason: 'DeviceTokenNotForTopic' };
    this.accepted.push(token);
    return { ...ok, status: 200 };
  }

  private authenticate(
    stream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
    environment: ApnsSimEnvironment,
  ): { mode: 'token' | 'certificate' } | { reason: ApnsSimReason } {
    const authorization = headers.authorization;
    if (typeof authorization === 'string') {
      // A revoked key: Apple refuses the token it signs as invalid.
      const reason = this.rejectCredentials ? 'InvalidProviderToken' : this.providerTokens.check(authorization);
      return reason ? { reason } : { mode: 'token' };
    }
    if (this.certAuth && stream.session) {
      const cert = certVerdict(stream.session);
      if (cert.present) {
        if (!cert.trusted || this.rejectCredentials) return { reason: 'BadCertificate' };
        if (!cert.envs.has(environment)) return { reason: 'BadCertificateEnvironment' };
        return { mode: 'certificate' };
      }
    }
    return { reason: 'MissingProviderToken' };
  }
}

function environmentOf(authority: unknown, fallback: ApnsSimEnvironment): ApnsSimEnvironment {
  return HOSTS[String(authority ?? '').replace(/:\d+$/, '')] ?? fallback;
}

function pick(headers: http2.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.startsWith('apns-') || k === ':authority') out[k] = String(v);
  }
  return out;
}
