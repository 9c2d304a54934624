/**
 * The access tokens an OAuth-style vendor hands out and checks (Huawei, vivo, OPPO, FCM): issue
 * one with a lifetime, verify it on every send, expire or revoke them all from a test. The grant
 * itself (client secret, signature, JWT assertion) stays in each vendor's simulator.
 */
import { randomBytes } from 'node:crypto';

export type TokenCheck<M> = { ok: true; meta: M } | { ok: false; why: 'unknown' | 'expired' };

export interface TokenIssuerOptions {
  /** The simulator's clock (ms). */
  now: () => number;
  /** Lifetime of an issued token. */
  lifetimeMs: number;
  /** The token's text from random bytes (vendors' tokens look different). @default 32 hex digits */
  format?: (random: Buffer) => string;
}

export class TokenIssuer<M = undefined> {
  lifetimeMs: number;
  /** token → expiry (simulator clock) and what the vendor remembers about it (scopes, account…). */
  private readonly issued = new Map<string, { expiresAt: number; meta: M }>();

  constructor(private readonly opts: TokenIssuerOptions) {
    this.lifetimeMs = opts.lifetimeMs;
  }

  /** A new token valid for `lifetimeMs` from now. */
  issue(meta: M, lifetimeMs = this.lifetimeMs): { token: string; expiresAt: number } {
    const random = randomBytes(16);
    const token = this.opts.format ? this.opts.format(random) : random.toString('hex');
    const expiresAt = this.opts.now() + lifetimeMs;
    this.issued.set(token, { expiresAt, meta });
    return { token, expiresAt };
  }

  verify(token: string | undefined): TokenCheck<M> {
    const entry = token === undefined ? undefined : this.issued.get(token);
    if (!entry) return { ok: false, why: 'unknown' };
    if (this.opts.now() >= entry.expiresAt) return { ok: false, why: 'expired' };
    return { ok: true, meta: entry.meta };
  }

  /** Every token issued so far is expired (still known: vendors answer "expired", not "unknown"). */
  expireAll(): void {
    for (const entry of this.issued.values()) entry.expiresAt = Number.NEGATIVE_INFINITY;
  }

  /** Forget every token issued so far (a revoked secret). */
  revokeAll(): void {
    this.issued.clear();
  }

  /** Tokens currently valid. */
  get valid(): number {
    const now = this.opts.now();
    let n = 0;
    for (const { expiresAt } of this.issued.values()) if (expiresAt > now) n++;
    return n;
  }
}
