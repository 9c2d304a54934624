/**
 * The OAuth 2.0 access token for FCM, from firebase-admin (`cert()` / `applicationDefault()` →
 * `getAccessToken()`), cached until shortly before it expires (docs/vendors/fcm.md#authentication).
 *
 * Redirecting the OAuth exchange (`oauthEndpoint`, for simulators): google-auth-library posts the
 * RS256 JWT assertion to the hard-coded https://oauth2.googleapis.com/token (gtoken/getToken.js:19)
 * through its gaxios transporter, and gaxios hands the `agent` that firebase-admin passes as
 * `transporterOptions` to node-fetch (gaxios.js:384). So an https.Agent whose `createConnection`
 * dials `oauthEndpoint` instead carries the real exchange — Host header, path and form unchanged —
 * to the simulator, which verifies the assertion with the service account's public key. Tested:
 * `cert(path, agent)` and `applicationDefault(agent)` honour the agent; `cert(object, agent)` does
 * NOT (firebase-admin-node#2960: credential-internal.js:379-394 calls `auth.fromJSON(json)` without
 * the client options), which is why fcm.config.ts refuses an inline serviceAccount with oauthEndpoint.
 *
 * Fresh credentials on refresh: `cert()` and `applicationDefault()` memoize one credential per
 * process, keyed by the service account alone (credential-factory.js:56-60, 102-107), so every
 * tenant with that key would share the first caller's agent, and its google-auth client keeps
 * returning the same access token until 5 minutes before expiry — a refresh after a 401 would
 * get the rejected token back. Each generation therefore builds a new instance of the class
 * `cert()`/`applicationDefault()` returned, with the same (key, agent) arguments its constructor
 * takes (credential-internal.js:39, :113).
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { isIP, type NetConnectOpts } from 'node:net';
import type { Duplex } from 'node:stream';
import { applicationDefault, cert, type Credential } from 'firebase-admin/app';
import { CredentialCache, type FetchedCredential } from '../shared/credentials.js';
import type { Outcome, ProviderDeps } from '../types.js';
import type { FcmConfig } from './fcm.config.js';
import type { ServiceAccountJson } from './fcm.wire.js';

/** firebase-admin refreshes 5 minutes before expiry (firebase-app.ts:26); so do we. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** Why no access token could be had, already as the outcome every target of the batch gets. */
export class FcmCredentialError extends Error {
  constructor(
    readonly outcome: Extract<Outcome, 'auth_error' | 'retry'>,
    readonly vendorCode: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An https.Agent that dials `host:port` for every request while the request keeps its own URL
 * (Host header, path). TLS is verified for the dialled host, against `ca` when given.
 */
export class RedirectAgent extends https.Agent {
  constructor(
    private readonly target: { host: string; port: number },
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: NetConnectOpts, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const { host, port } = this.target;
    const redirected = { ...options, host, port, servername: isIP(host) ? undefined : host } as unknown as NetConnectOpts;
    return super.createConnection(redirected, callback);
  }
}

/** `host:port` → parts (IPv6 in brackets). */
export function parseHostPort(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value);
  if (!m) throw new Error(`not host:port: ${value}`);
  return { host: (m[1] ?? m[2]) as string, port: Number(m[3]) };
}

/** The service account of the config (inline or read from its file); undefined for ADC. */
export function serviceAccountOf(credential: FcmConfig['credential']): ServiceAccountJson | undefined {
  if ('serviceAccount' in credential) return credential.serviceAccount as ServiceAccountJson;
  if ('serviceAccountFile' in credential) {
    let text: string;
    try {
      text = readFileSync(credential.serviceAccountFile, 'utf8');
    } catch (err) {
      throw new Error(`fcm: cannot read credential.serviceAccountFile ${credential.serviceAccountFile}: ${(err as Error).message}`);
    }
    try {
      return JSON.parse(text) as ServiceAccountJson;
    } catch {
      throw new Error(`fcm: credential.serviceAccountFile ${credential.serviceAccountFile} is not JSON`);
    }
  }
  return undefined;
}

export class FcmAccessTokens {
  private readonly agent: RedirectAgent | undefined;
  private credential: Credential | undefined;
  private readonly cache: CredentialCache<string>;
  /** OAuth exchanges started (tests, logs). */
  fetches = 0;

  constructor(
    private readonly config: Pick<FcmConfig, 'credential' | 'oauthEndpoint' | 'ca'>,
    private readonly deps: Pick<ProviderDeps, 'now' | 'logger'>,
  ) {
    if (config.oauthEndpoint) {
      this.agent = new RedirectAgent(parseHostPort(config.oauthEndpoint), { keepAlive: false, ...(config.ca ? { ca: config.ca } : {}) });
    }
    this.cache = new CredentialCache({ fetch: () => this.fetch(), now: () => deps.now(), refreshMarginMs: REFRESH_MARGIN_MS });
  }

  /** A valid access token: the cached one, or a new exchange (one at a time). Throws an FcmCredentialError. */
  get(): Promise<string> {
    return this.cache.get();
  }

  /** Forget the token and the credential: the next `get()` signs a new assertion and exchanges it. */
  invalidate(): void {
    this.credential = undefined;
    this.cache.invalidate();
  }

  close(): void {
    this.agent?.destroy();
  }

  private async fetch(): Promise<FetchedCredential<string>> {
    this.fetches++;
    const started = this.deps.now();
    let token: { access_token: string; expires_in: number };
    try {
      this.credential ??= this.newCredential();
      token = await this.credential.getAccessToken();
    } catch (err) {
      throw credentialError(err);
    }
    this.deps.logger.debug({ expiresInSeconds: token.expires_in }, 'fcm: new OAuth access token');
    return { value: token.access_token, expiresAt: started + Math.max(0, token.expires_in * 1000) };
  }

  private newCredential(): Credential {
    const c = this.config.credential;
    const agent = this.agent;
    if ('applicationDefault' in c) {
      const memo = applicationDefault(agent);
      return fresh(memo, [agent]);
    }
    // cert() copies attributes into the object it gets (credential-internal.js:385): give it a copy.
    const key = (): string | object => ('serviceAccountFile' in c ? c.serviceAccountFile : { ...c.serviceAccount });
    return fresh(cert(key(), agent), [key(), agent]);
  }
}

/** A new instance of the memoized credential's own class (see the header), or the memo itself. */
function fresh(memo: Credential, args: unknown[]): Credential {
  const Ctor = memo.constructor as unknown as new (...a: unknown[]) => Credential;
  try {
    const c = new Ctor(...args);
    return typeof c.getAccessToken === 'function' ? c : memo;
  } catch {
    return memo;
  }
}

/** A failed exchange → the batch's outcome: Google refused us (auth_error) or it could not be asked (retry). */
export function credentialError(err: unknown): FcmCredentialError {
  const e = err as {
    status?: unknown;
    code?: unknown;
    message?: unknown;
    response?: { status?: unknown; data?: { error?: unknown; error_description?: unknown } };
  };
  const status = typeof e.status === 'number' ? e.status : typeof e.response?.status === 'number' ? e.response.status : undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (status !== undefined) {
    const data = e.response?.data;
    const oauth = typeof data?.error === 'string' ? data.error : `http_${status}`;
    const why = typeof data?.error_description === 'string' ? `${oauth}: ${data.error_description}` : message;
    const outcome = status === 429 || status >= 500 ? 'retry' : 'auth_error';
    return new FcmCredentialError(outcome, `oauth_${oauth}`, `OAuth token exchange failed (HTTP ${status}): ${why}`);
  }
  // firebase-admin's own checks (unparsable key, bad token answer): a configuration problem.
  if (typeof e.code === 'string' && e.code.startsWith('app/')) {
    return new FcmCredentialError('auth_error', e.code.replace('/', '_').replace(/-/g, '_'), `FCM credential rejected by firebase-admin: ${message}`);
  }
  const code = typeof e.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(e.code) ? e.code.toLowerCase() : 'transport';
  return new FcmCredentialError('retry', `oauth_${code}`, `OAuth token exchange could not be made: ${message}`);
}
