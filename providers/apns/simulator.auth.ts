/**
 * How the APNs simulator checks credentials, written from Apple's documentation
 * (docs/vendors/apns.md#authentication), not taken from the adapter or node-apn: the ES256
 * provider token (kid, iss, signature, age) and client certificates issued by the simulator's own
 * stand-in for Apple's CA, carrying Apple's environment OIDs.
 */
import { execFileSync } from 'node:child_process';
import { verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type http2 from 'node:http2';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';

export type ApnsSimEnvironment = 'production' | 'sandbox';

/** The reasons the simulator answers with (Apple's "Understand error codes" table). */
export type ApnsSimReason =
  | 'BadCollapseId'
  | 'BadDeviceToken'
  | 'BadExpirationDate'
  | 'BadMessageId'
  | 'BadPriority'
  | 'DeviceTokenNotForTopic'
  | 'InvalidPushType'
  | 'MissingDeviceToken'
  | 'MissingTopic'
  | 'PayloadEmpty'
  | 'TopicDisallowed'
  | 'BadCertificate'
  | 'BadCertificateEnvironment'
  | 'ExpiredProviderToken'
  | 'InvalidProviderToken'
  | 'MissingProviderToken'
  | 'BadPath'
  | 'MethodNotAllowed'
  | 'Unregistered'
  | 'PayloadTooLarge'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'Shutdown'
  | 'IdleTimeout';

export interface ClientCertificate {
  cert: string;
  key: string;
}

interface JwtEntry {
  valid: boolean;
  iat: number;
  expired: boolean;
}

const JWT = /^bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/i;
/** Apple's client-certificate environment extensions (node-apn lib/credentials/certificate/oids.js). */
const ENV_OID: Record<ApnsSimEnvironment, string> = {
  sandbox: '1.2.840.113635.100.6.3.1',
  production: '1.2.840.113635.100.6.3.2',
};

/** Provider tokens (JWTs) as Apple checks them; verified once each and remembered. */
export class ProviderTokenCheck {
  /** Distinct provider tokens (JWTs) presented so far. */
  seen = 0;
  private readonly jwts = new Map<string, JwtEntry>();

  constructor(
    private readonly keyId: string,
    private readonly teamId: string,
    private readonly publicKey: KeyObject,
    private readonly now: () => number,
  ) {}

  /** Treat every provider token presented so far as older than an hour (→ ExpiredProviderToken). */
  expireAll(): void {
    for (const entry of this.jwts.values()) entry.expired = true;
  }

  /** undefined when the provider token is valid, else Apple's reason. */
  check(authorization: string): ApnsSimReason | undefined {
    const m = JWT.exec(authorization);
    if (!m) return 'InvalidProviderToken';
    const jwt = authorization.slice(7);
    let entry = this.jwts.get(jwt);
    if (!entry) {
      entry = this.verifyJwt(m[1] ?? '', m[2] ?? '', m[3] ?? '');
      if (this.jwts.size >= 10_000) this.jwts.clear();
      this.jwts.set(jwt, entry);
      this.seen += 1;
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

}

/** Whether a session's client certificate is there, issued by the simulator's CA, and for which environments. */
export interface CertVerdict {
  present: boolean;
  trusted: boolean;
  envs: Set<ApnsSimEnvironment>;
}

const certVerdicts = new WeakMap<http2.Http2Session, CertVerdict>();

export function certVerdict(session: http2.Http2Session): CertVerdict {
  let verdict = certVerdicts.get(session);
  if (!verdict) {
    const socket = session.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    const raw = peer && 'raw' in peer ? (peer.raw as Buffer | undefined) : undefined;
    const envs = new Set<ApnsSimEnvironment>();
    if (raw) {
      for (const env of ['sandbox', 'production'] as const) if (raw.includes(oidDer(ENV_OID[env]))) envs.add(env);
    }
    verdict = { present: raw !== undefined && raw.length > 0, trusted: socket.authorized, envs };
    certVerdicts.set(session, verdict);
  }
  return verdict;
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
  issue(opts: { trusted: boolean; environments: ApnsSimEnvironment[] }): ClientCertificate;
}

let pkiCache: ClientPki | undefined;

/**
 * The simulator's stand-in for Apple's certification authority: a throwaway CA (openssl CLI, made
 * once per process) issuing RSA client certificates with Apple's environment extensions, which
 * node-apn checks (lib/credentials/certificate/validate.js).
 */
export function clientPki(): ClientPki {
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
