/**
 * Google's OAuth 2.0 token endpoint as the FCM simulator plays it (JWT bearer grant, RFC 7523;
 * docs/vendors/fcm.md#authentication): it generates service accounts, verifies the RS256
 * assertion against their public keys, `aud`, `iat`/`exp` (≤ 60 min, not stale) and `scope`, and
 * issues `ya29.`-style access tokens. Errors as Google words them
 * (https://developers.google.com/identity/protocols/oauth2/service-account#error-codes).
 */
import { createPublicKey, generateKeyPair, randomBytes, verify, type KeyObject } from 'node:crypto';
import { TokenIssuer } from '../shared/sim-tokens.js';
import { decodeJson } from './simulator.validate.js';

/** Where a service account's assertion must be addressed (`aud`) and its `token_uri`. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Scopes that let an access token send FCM messages (docs/vendors/fcm.md#authentication). */
export const FCM_SEND_SCOPES: readonly string[] = ['https://www.googleapis.com/auth/firebase.messaging', 'https://www.googleapis.com/auth/cloud-platform'];

/** A service-account key as Google's console downloads it. */
export interface SimServiceAccount {
  type?: string;
  project_id: string;
  private_key_id?: string;
  private_key: string;
  client_email: string;
  client_id?: string;
  token_uri?: string;
  [extra: string]: unknown;
}

export interface Account {
  sa: SimServiceAccount;
  publicKey: KeyObject;
  projectNumber: string;
}

export interface IssuedToken {
  account: Account;
  scopes: string[];
}

export class GoogleOAuthSim {
  /** Token requests received (valid or not). */
  tokenRequests = 0;
  readonly tokens: TokenIssuer<IssuedToken>;
  private readonly accounts = new Map<string, Account>();

  constructor(
    private readonly now: () => number,
    tokenLifetimeSeconds: number,
    /** True while the simulator refuses the current credentials. */
    private readonly rejecting: () => boolean,
  ) {
    this.tokens = new TokenIssuer<IssuedToken>({ now, lifetimeMs: tokenLifetimeSeconds * 1000, format: () => `ya29.sim-${randomBytes(24).toString('base64url')}` });
  }

  add(account: Account): void {
    this.accounts.set(account.sa.client_email, account);
  }

  issue(account: Account, scopes: string[]): string {
    return this.tokens.issue({ account, scopes }).token;
  }

  /** Answer one `POST /token` (form body `raw`). */
  answer(method: string | undefined, raw: string): { status: number; body: unknown } {
    this.tokenRequests++;
    const oauthError = (status: number, error: string, description: string) => ({ status, body: { error, error_description: description } });
    if (method !== 'POST') return oauthError(400, 'invalid_request', 'Token requests must be POST.');
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
    // A deleted or rotated key: Google answers as for a bad signature.
    if (!signatureOk || this.rejecting()) return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
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
    return { status: 200, body: { access_token: this.issue(account, scopes), expires_in: this.tokens.lifetimeMs / 1000, token_type: 'Bearer' } };
  }

}

export async function newAccount(projectId: string, projectNumber: string): Promise<Account> {
  const { privateKey } = await new Promise<{ privateKey: string }>((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }, (err, _pub, priv) =>
      err ? reject(err) : resolve({ privateKey: priv }),
    ),
  );
  const keyId = randomBytes(20).toString('hex');
  const sa: SimServiceAccount = {
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
