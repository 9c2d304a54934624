/**
 * The APNs provider token (docs/vendors/apns.md#authentication): a JWT `{ alg: ES256, kid }.{ iss, iat }` signed with
 * the team's .p8 P-256 key. Apple wants it refreshed no more than once every 20 minutes and at least once every 60
 * (more often → 429 TooManyProviderTokenUpdates; older → 403 ExpiredProviderToken), so one token is kept and
 * re-signed when it is 50 minutes old, or at once when Apple called it expired (refreshCredentials). Written here
 * rather than with a JWT library: it is one fixed header and two claims, and node:crypto signs ES256 directly.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

/** Re-sign after this age: inside Apple's 20–60 minute window, with room for clock skew. */
export const PROVIDER_TOKEN_MAX_AGE_MS = 50 * 60_000;

export class ApnsProviderToken {
  private readonly key: KeyObject;
  private current: { authorization: string; issuedAt: number } | undefined;

  /** Throws when the key is not a readable private key (a credentials problem, reported as auth_error). */
  constructor(
    keyPem: string,
    private readonly keyId: string,
    private readonly teamId: string,
    private readonly now: () => number,
  ) {
    this.key = createPrivateKey(keyPem);
  }

  /** `bearer <jwt>`, signed again when the one kept is 50 minutes old. */
  authorization(): string {
    const t = this.now();
    // The header text is kept whole: one string for every stream, not a new one per request.
    if (!this.current || t - this.current.issuedAt >= PROVIDER_TOKEN_MAX_AGE_MS) this.current = { authorization: `bearer ${this.signed(t)}`, issuedAt: t };
    return this.current.authorization;
  }

  /** Drop the token (Apple answered ExpiredProviderToken): the next request signs a new one. */
  invalidate(): void {
    this.current = undefined;
  }

  private signed(at: number): string {
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: this.keyId })).toString('base64url');
    const claims = Buffer.from(JSON.stringify({ iss: this.teamId, iat: Math.floor(at / 1000) })).toString('base64url');
    // JWS ES256 signatures are raw r‖s (64 bytes), not DER.
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key: this.key, dsaEncoding: 'ieee-p1363' });
    return `${header}.${claims}.${signature.toString('base64url')}`;
  }
}
