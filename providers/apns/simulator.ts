/**
 * An in-process APNs: HTTP/2 over TLS on 127.0.0.1, speaking Apple's provider API
 * (docs/vendors/apns.md#request) closely enough that @parse/node-apn cannot tell the difference:
 * - token auth: `authorization: bearer <ES256 JWT>` verified against the public half of the .p8
 *   key it hands out (kid, iss, signature; iat older than 1 h → ExpiredProviderToken);
 * - certificate auth (`certAuth: true`): a client certificate issued by the simulator's own
 *   "Apple" CA, with Apple's environment OIDs; wrong CA → BadCertificate, wrong environment →
 *   BadCertificateEnvironment;
 * - the environment from `:authority` (`api.push.apple.com` / `api.sandbox.push.apple.com`), so
 *   one port serves both;
 * - path, headers and the 4096-byte payload limit, answered with Apple's reasons;
 * - Apple's stream ramp (`initialMaxStreams: 1`): a session may open one stream until a request
 *   with valid credentials has been answered, then `maxConcurrentStreams`.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, createPublicKey, randomUUID, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { SimulatorControls } from '../types.js';
import { testTls } from '../shared/tls.js';
import { APNS_HOSTS } from './apns.config.js';
import { isApnsToken } from './apns.token.js';
import { APNS_MAX_COLLAPSE_ID_BYTES, APNS_PUSH_TYPES, type ApnsEnvironment, type ApnsReason } from './apns.wire.js';

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
  defaultEnvironment?: ApnsEnvironment;
  /** Clock for the JWT age check. @default Date.now */
  now?: () => number;
  /** Requests kept in `requests` (the first n). @default 1000 */
  recordLimit?: number;
  keyId?: string;
  teamId?: string;
}

/** One request as the simulator saw and answered it. */
export interface ApnsSimRequest {
  environment: ApnsEnvironment;
  token: string;
  /** `apns-*` headers and `:authority`. */
  headers: Record<string, string>;
  body: string;
  auth: 'token' | 'certificate' | 'none';
  status: number;
  reason?: string | undefined;
}

export interface ClientCertificate {
  cert: string;
  key: string;
}

interface Verdict {
  status: number;
  reason?: ApnsReason;
  timestamp?: number;
  retryAfterSeconds?: number;
  /** The credentials were valid (the session's stream limit may rise). */
  authenticated: boolean;
  environment: ApnsEnvironment;
  token: string;
  auth: ApnsSimRequest['auth'];
}

interface JwtEntry {
  valid: boolean;
  iat: number;
  expired: boolean;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const JWT = /^bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/i;
/** Apple's client-certificate environment extensions (node-apn lib/credentials/certificate/oids.js). */
const ENV_OID: Record<ApnsEnvironment, string> = {
  sandbox: '1.2.840.113635.100.6.3.1',
  production: '1.2.840.113635.100.6.3.2',
};

export class ApnsSimulator implements SimulatorControls {
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

  delayMs = 0;
  quotaExhausted = false;
  sendRequests = 0;
  readonly invalidTokens = new Set<string>();
  /** Tokens answered 400 BadDeviceToken (what Apple says for a token of the other environment). */
  readonly wrongEnvironmentTokens = new Set<string>();
  /** Tokens issued by one environment: sent to the other one → 400 BadDeviceToken. */
  readonly tokenEnvironments = new Map<string, ApnsEnvironment>();
  /** Tokens answered 400 DeviceTokenNotForTopic. */
  readonly wrongTopicTokens = new Set<string>();
  readonly accepted: string[] = [];
  readonly requests: ApnsSimRequest[] = [];
  /** HTTP/2 sessions opened so far. */
  sessionsOpened = 0;
  /** Most streams seen open at once on one session. */
  maxStreamsInFlight = 0;
  /** Distinct provider tokens (JWTs) presented so far. */
  providerTokensSeen = 0;

  private throttleLeft = 0;
  private throttleRetryAfter: number | undefined;
  private failLeft = 0;
  private readonly publicKey: KeyObject;
  private readonly jwts = new Map<string, JwtEntry>();
  private readonly raised = new WeakSet<http2.Http2Session>();
  private readonly open = new Map<http2.Http2Session, number>();
  private readonly certVerdicts = new WeakMap<http2.Http2Session, { present: boolean; trusted: boolean; envs: Set<ApnsEnvironment> }>();
  private readonly topics: Set<string> | undefined;
  private readonly maxStreams: number;
  private readonly initialStreams: number;
  private readonly maxPayload: number;
  private readonly now: () => number;
  private readonly recordLimit: number;
  private readonly defaultEnv: ApnsEnvironment;
  private readonly certAuth: boolean;

  private constructor(
    private readonly server: http2.Http2SecureServer,
    port: number,
    opts: ApnsSimulatorOptions,
    keys: { privateKeyPem: string; publicKey: KeyObject },
    clientCertificate: ClientCertificate | undefined,
  ) {
    this.port = port;
    this.url = `https://127.0.0.1:${port}`;
    this.caPem = testTls().caPem;
    this.keyId = opts.keyId ?? 'SIMKEY0001';
    this.teamId = opts.teamId ?? 'SIMTEAM001';
    this.privateKeyPem = keys.privateKeyPem;
    this.publicKey = keys.publicKey;
    this.clientCertificate = clientCertificate;
    this.topics = opts.topics ? new Set(opts.topics) : undefined;
    this.maxStreams = opts.maxConcurrentStreams ?? 1000;
    this.initialStreams = opts.initialMaxStreams ?? this.maxStreams;
    this.maxPayload = opts.maxPayloadBytes ?? 4096;
    this.now = opts.now ?? Date.now;
    this.recordLimit = opts.recordLimit ?? 1000;
    this.defaultEnv = opts.defaultEnvironment ?? 'production';
    this.certAuth = opts.certAuth ?? false;
    server.on('session', (session) => this.onSession(session));
    server.on('stream', (stream, headers) => this.onStream(stream, headers));
  }

  static async start(opts: ApnsSimulatorOptions = {}): Promise<ApnsSimulator> {
    const tls = testTls();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const pki = opts.certAuth ? clientPki() : undefined;
    const initial = opts.initialMaxStreams ?? opts.maxConcurrentStreams ?? 1000;
    const server = http2.createSecureServer({
      key: tls.keyPem,
      cert: tls.certPem,
      settings: { maxConcurrentStreams: initial },
      maxSessionMemory: 64,
      ...(pki ? { requestCert: true, rejectUnauthorized: false, ca: [pki.caPem] } : {}),
    });
    server.on('sessionError', () => {});
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new ApnsSimulator(server, port, opts, { privateKeyPem, publicKey: createPublicKey(privateKey) }, pki?.issue({ trusted: true, environments: ['sandbox', 'production'] }));
  }

  /** Token-auth credentials for `auth.token`. */
  tokenCredentials(): { key: string; keyId: string; teamId: string } {
    return { key: this.privateKeyPem, keyId: this.keyId, teamId: this.teamId };
  }

  /** Issue another client certificate (certAuth): untrusted (another CA) or for one environment only. */
  issueClientCertificate(opts: { trusted?: boolean; environments?: ApnsEnvironment[] } = {}): ClientCertificate {
    return clientPki().issue({ trusted: opts.trusted ?? true, environments: opts.environments ?? ['sandbox', 'production'] });
  }

  throttle(n: number, retryAfterSeconds?: number): void {
    this.throttleLeft = n;
    this.throttleRetryAfter = retryAfterSeconds;
  }

  fail(n: number): void {
    this.failLeft = n;
  }

  /** Treat every provider token presented so far as older than an hour (→ ExpiredProviderToken). */
  expireIssuedTokens(): void {
    for (const entry of this.jwts.values()) entry.expired = true;
  }

  /** Sessions open now. */
  get openSessions(): number {
    return this.open.size;
  }

  /** Close every session with GOAWAY and a JSON reason, as APNs does (e.g. Shutdown, IdleTimeout). */
  goAway(reason: ApnsReason = 'Shutdown'): void {
    for (const session of this.open.keys()) {
      if (session.destroyed || session.closed) continue;
      session.goaway(http2.constants.NGHTTP2_NO_ERROR, 0, Buffer.from(JSON.stringify({ reason })));
      session.close();
    }
  }

  async close(): Promise<void> {
    for (const session of this.open.keys()) session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onSession(session: http2.Http2Session): void {
    this.sessionsOpened += 1;
    this.open.set(session, 0);
    session.on('error', () => {});
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
    this.sendRequests += 1;
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
      if (verdict.retryAfterSeconds !== undefined) out['retry-after'] = String(verdict.retryAfterSeconds);
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
    if (!isApnsToken(token)) return { ...ok, status: 400, reason: 'BadDeviceToken' };
    const topic = headers['apns-topic'];
    // With token auth the topic is required; a certificate implies its own bundle id.
    if (topic === undefined) {
      if (auth.mode === 'token') return { ...ok, status: 400, reason: 'MissingTopic' };
    } else if (this.topics && !this.topics.has(String(topic))) {
      return { ...ok, status: 400, reason: 'TopicDisallowed' };
    }
    const pushType = headers['apns-push-type'];
    if (pushType !== undefined && !(APNS_PUSH_TYPES as readonly string[]).includes(String(pushType))) return { ...ok, status: 400, reason: 'InvalidPushType' };
    const priority = headers['apns-priority'];
    if (priority !== undefined && !['10', '5', '1'].includes(String(priority))) return { ...ok, status: 400, reason: 'BadPriority' };
    const expiration = headers['apns-expiration'];
    if (expiration !== undefined && !/^\d+$/.test(String(expiration))) return { ...ok, status: 400, reason: 'BadExpirationDate' };
    const collapse = headers['apns-collapse-id'];
    if (collapse !== undefined && Buffer.byteLength(String(collapse)) > APNS_MAX_COLLAPSE_ID_BYTES) return { ...ok, status: 400, reason: 'BadCollapseId' };
    const apnsId = headers['apns-id'];
    if (apnsId !== undefined && !UUID.test(String(apnsId))) return { ...ok, status: 400, reason: 'BadMessageId' };
    if (size === 0) return { ...ok, status: 400, reason: 'PayloadEmpty' };
    if (size > this.maxPayload + (pushType === 'voip' ? 1024 : 0)) return { ...ok, status: 413, reason: 'PayloadTooLarge' };

    if (this.throttleLeft > 0) {
      this.throttleLeft -= 1;
      return { ...ok, status: 429, reason: 'TooManyRequests', ...(this.throttleRetryAfter === undefined ? {} : { retryAfterSeconds: this.throttleRetryAfter }) };
    }
    if (this.failLeft > 0) {
      this.failLeft -= 1;
      return { ...ok, status: 503, reason: 'ServiceUnavailable' };
    }
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
    environment: ApnsEnvironment,
  ): { mode: 'token' | 'certificate' } | { reason: ApnsReason } {
    const authorization = headers.authorization;
    if (typeof authorization === 'string') {
      const reason = this.checkJwt(authorization);
      return reason ? { reason } : { mode: 'token' };
    }
    if (this.certAuth && stream.session) {
      const cert = this.certVerdict(stream.session);
      if (cert.present) {
        if (!cert.trusted) return { reason: 'BadCertificate' };
        if (!cert.envs.has(environment)) return { reason: 'BadCertificateEnvironment' };
        return { mode: 'certificate' };
      }
    }
    return { reason: 'MissingProviderToken' };
  }

  /** undefined when the provider token is valid, else Apple's reason. */
  private checkJwt(authorization: string): ApnsReason | undefined {
    const m = JWT.exec(authorization);
    if (!m) return 'InvalidProviderToken';
    const jwt = authorization.slice(7);
    let entry = this.jwts.get(jwt);
    if (!entry) {
      entry = this.verifyJwt(m[1] ?? '', m[2] ?? '', m[3] ?? '');
      if (this.jwts.size >= 10_000) this.jwts.clear();
      this.jwts.set(jwt, entry);
      this.providerTokensSeen += 1;
    }
    if (!entry.valid) return 'InvalidProviderToken';
    if (entry.expired || this.now() / 1000 - entry.iat > 3600) return 'ExpiredProviderToken';
    return undefined;
  }

  private verifyJwt(header: string, claims: string, signature: string): JwtEntry {
    const invalid = { valid: false, iat: 0, expired: false };
    try {
      const h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
      const c = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { iss?: unknown; iat?: unknown };
      if (h.alg !== 'ES256' || h.kid !== this.keyId || c.iss !== this.teamId || typeof c.iat !== 'number') return invalid;
      const sig = Buffer.from(signature, 'base64url');
      // JWS ES256 signatures are raw r‖s (64 bytes), not DER.
      const good = sig.length === 64 && verify('sha256', Buffer.from(`${header}.${claims}`), { key: this.publicKey, dsaEncoding: 'ieee-p1363' }, sig);
      return good ? { valid: true, iat: c.iat, expired: false } : invalid;
    } catch {
      return invalid;
    }
  }

  private certVerdict(session: http2.Http2Session): { present: boolean; trusted: boolean; envs: Set<ApnsEnvironment> } {
    let verdict = this.certVerdicts.get(session);
    if (!verdict) {
      const socket = session.socket as TLSSocket;
      const peer = socket.getPeerCertificate();
      const raw = peer && 'raw' in peer ? (peer.raw as Buffer | undefined) : undefined;
      const envs = new Set<ApnsEnvironment>();
      if (raw) {
        for (const env of ['sandbox', 'production'] as const) if (raw.includes(oidDer(ENV_OID[env]))) envs.add(env);
      }
      verdict = { present: raw !== undefined && raw.length > 0, trusted: socket.authorized, envs };
      this.certVerdicts.set(session, verdict);
    }
    return verdict;
  }
}

function environmentOf(authority: unknown, fallback: ApnsEnvironment): ApnsEnvironment {
  const host = String(authority ?? '').replace(/:\d+$/, '');
  if (host === APNS_HOSTS.production) return 'production';
  if (host === APNS_HOSTS.sandbox) return 'sandbox';
  return fallback;
}

function pick(headers: http2.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.startsWith('apns-') || k === ':authority') out[k] = String(v);
  }
  return out;
}

/** DER encoding of an OBJECT IDENTIFIER (tag, length, base-128 arcs). */
function oidDer(oid: string): Buffer {
  const arcs = oid.split('.').map(Number);
  const bytes = [40 * (arcs[0] ?? 0) + (arcs[1] ?? 0)];
  for (const arc of arcs.slice(2)) {
    const parts = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) parts.unshift((v & 0x7f) | 0x80);
    bytes.push(...parts);
  }
  return Buffer.from([0x06, bytes.length, ...bytes]);
}

interface ClientPki {
  caPem: string;
  issue(opts: { trusted: boolean; environments: ApnsEnvironment[] }): ClientCertificate;
}

let pkiCache: ClientPki | undefined;

/**
 * The simulator's stand-in for Apple's certification authority: a throwaway CA (openssl CLI, made
 * once per process) issuing RSA client certificates with Apple's environment extensions, which
 * node-apn checks (lib/credentials/certificate/validate.js).
 */
function clientPki(): ClientPki {
  if (pkiCache) return pkiCache;
  const makeCa = (dir: string, name: string) =>
    openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`,
      '-days', '3650', '-subj', `/CN=pushgate APNs simulator ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-apns-pki-'));
  try {
    makeCa(dir, 'ca');
    makeCa(dir, 'other-ca');
    const files = {
      ca: { pem: readFileSync(path.join(dir, 'ca.pem'), 'utf8'), key: readFileSync(path.join(dir, 'ca.key'), 'utf8') },
      other: { pem: readFileSync(path.join(dir, 'other-ca.pem'), 'utf8'), key: readFileSync(path.join(dir, 'other-ca.key'), 'utf8') },
    };
    pkiCache = {
      caPem: files.ca.pem,
      issue({ trusted, environments }) {
        const work = mkdtempSync(path.join(tmpdir(), 'pushgate-apns-client-'));
        try {
          const issuer = trusted ? files.ca : files.other;
          writeFileSync(path.join(work, 'issuer.pem'), issuer.pem);
          writeFileSync(path.join(work, 'issuer.key'), issuer.key);
          writeFileSync(
            path.join(work, 'ext.cnf'),
            ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth', ...environments.map((e) => `${ENV_OID[e]}=ASN1:NULL`)].join('\n') + '\n',
          );
          openssl(work, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/UID=com.example.pushgate/CN=Apple Push Services: com.example.pushgate']);
          openssl(work, ['x509', '-req', '-in', 'client.csr', '-CA', 'issuer.pem', '-CAkey', 'issuer.key', '-CAcreateserial', '-out', 'client.pem', '-days', '3650', '-extfile', 'ext.cnf']);
          return { cert: readFileSync(path.join(work, 'client.pem'), 'utf8'), key: readFileSync(path.join(work, 'client.key'), 'utf8') };
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      },
    };
    return pkiCache;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function openssl(cwd: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: 'pipe' });
  } catch (err) {
    throw new Error(`the APNs simulator could not create its client-certificate CA with the openssl CLI: ${String(err)}`);
  }
}
