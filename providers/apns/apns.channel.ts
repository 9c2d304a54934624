/**
 * One APNs environment's connection (docs/vendors/apns.md#transport): one long-lived HTTP/2 session
 * (providers/shared/http2-session.ts), the credentials that go with it, and the credentials gate.
 *
 * The session itself keeps streams under min(maxStreamsPerSession, the server's SETTINGS limit), so Apple's ramp (one
 * stream on a new connection until a request with valid credentials went through, then e.g. 1000) is followed as the
 * SETTINGS frames arrive. The gate adds one thing: until a request has been answered with these credentials, a batch
 * sends its first target alone, so credentials APNs refuses cost one request, not one per target at one stream at a time.
 */
import { createSecureContext } from 'node:tls';
import type { Logger } from 'pino';
import { Http2Session, type AnswerCallback, type StreamRequest } from '../shared/http2-session.js';
import { APNS_HOSTS, type ApnsConfig } from './apns.config.js';
import type { ApnsFailure } from './apns.errors.js';
import { ApnsProviderToken } from './apns.jwt.js';
import type { ApnsEnvironment } from './apns.wire.js';

/** What one stream came back with. */
export interface WriteResult extends ApnsFailure {
  sent: boolean;
  apnsId?: string | undefined;
  retryAfterMs?: number | undefined;
}

/** 'go': send now; 'verify': send this one alone and report it with `verified()`; or the failed check to copy. */
export type Admission = 'go' | 'verify' | { failed: WriteResult };

/**
 * A stream the server refused unprocessed (REFUSED_STREAM, or above a GOAWAY's last stream id) is sent again on the
 * next session this many times before it is answered `retry`: it was never processed, so resending is no duplicate.
 */
const REFUSED_RETRIES = 3;

export class Channel {
  readonly session: Http2Session;
  /** Token auth: the provider token (JWT) put on every stream; undefined for certificate auth. */
  readonly token: ApnsProviderToken | undefined;
  private verifiedOnce = false;
  private verifying: Promise<WriteResult | undefined> | undefined;
  private endVerify: ((failed: WriteResult | undefined) => void) | undefined;

  /** Throws when the key or certificate cannot be used (a credentials problem). */
  constructor(env: ApnsEnvironment, config: ApnsConfig, deps: { logger: Logger; now(): number }) {
    const { auth } = config;
    let tls: { ca?: string; cert?: string; key?: string; passphrase?: string } = config.ca !== undefined ? { ca: config.ca } : {};
    if ('token' in auth) {
      this.token = new ApnsProviderToken(auth.token.key, auth.token.keyId, auth.token.teamId, deps.now);
    } else {
      const { cert, key, passphrase } = auth.cert;
      tls = { ...tls, cert, key, ...(passphrase !== undefined ? { passphrase } : {}) };
      // Fails now on a wrong passphrase or a key that does not match the certificate.
      createSecureContext(tls);
    }
    this.session = new Http2Session({
      origin: `https://${APNS_HOSTS[env]}`,
      connectTo: { host: config.address, port: config.port },
      tls,
      timeoutMs: config.requestTimeoutMs,
      maxStreams: config.maxStreamsPerSession,
      refusedRetries: REFUSED_RETRIES,
      logger: deps.logger,
      label: 'apns',
    });
  }

  /** One notification: the token's `authorization` header is added here. */
  send(req: StreamRequest, done: AnswerCallback): void {
    if (this.token) req.headers.authorization = this.token.authorization();
    this.session.send(req, done);
  }

  /**
   * 'go' once a request was answered with these credentials; else the first caller verifies them with one request
   * ('verify') while the others wait for its answer, and get `{ failed }` to copy when it failed.
   */
  admit(): Admission | Promise<Admission> {
    // Synchronous once verified: no promise per target on the hot path.
    return this.verifiedOnce ? 'go' : this.admitLater();
  }

  private async admitLater(): Promise<Admission> {
    for (;;) {
      if (this.verifiedOnce) return 'go';
      if (!this.verifying) {
        this.verifying = new Promise((resolve) => (this.endVerify = resolve));
        return 'verify';
      }
      const failed = await this.verifying;
      if (failed) return { failed };
    }
  }

  /** The verifying request's answer: any HTTP status but 403 means APNs took our credentials. */
  verified(result: WriteResult): void {
    const ok = credentialsAccepted(result);
    if (ok) this.verifiedOnce = true;
    const end = this.endVerify;
    this.verifying = undefined;
    this.endVerify = undefined;
    end?.(ok ? undefined : result);
  }

  /**
   * After an auth_error: token auth signs a fresh JWT for the next request (on the same connection: a new one would
   * start again at one stream); certificate auth reconnects (the certificate is presented at the TLS handshake).
   * The next batch checks the credentials with one request first.
   */
  refresh(): void {
    if (this.token) this.token.invalidate();
    else this.session.reconnect();
    this.verifiedOnce = false;
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

/** Any HTTP answer but 403 means the session accepted our credentials (Apple then allows more streams). */
export function credentialsAccepted(r: WriteResult): boolean {
  return r.sent || (r.status !== undefined && r.status !== 403);
}
