/**
 * Web console sessions: a server key is exchanged once for a random session id (the cookie), so
 * the key never sits in the browser. Only the id's SHA-256 is stored (src/store), shared by every
 * instance, so logout ends the session everywhere and a copied cookie stops working. Sessions end
 * after `ttlMs` without use, and when the server key that opened them leaves the config.
 *
 * The CSRF token is derived from the session id (SHA-256 of it with a purpose prefix; safe because
 * the id itself is secret): the browser script reads it
 * from the sign-in answer or GET /console/session and sends it as a header; a cross-site page can
 * read neither the HttpOnly cookie nor the token, so it cannot forge a state-changing request.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/types.js';

export interface ConsoleSessionsDeps {
  store: Pick<Store, 'createConsoleSession' | 'findConsoleSession' | 'extendConsoleSession' | 'deleteConsoleSession' | 'deleteExpiredConsoleSessions'>;
  now(): number;
  /** Cryptographically random bytes (crypto.randomBytes); injected so tests can pin ids. */
  randomBytes(n: number): Buffer;
  /** Idle lifetime of a session, ms. */
  ttlMs: number;
  /** Whether the tenant still has the server key this tag names (see KeyRing.tagOf). */
  keyStillConfigured(tenant: string, keyTag: string): boolean;
}

export interface OpenedSession {
  /** The cookie value: 32 random bytes, base64url. */
  id: string;
  csrfToken: string;
  expiresAt: number;
}

export interface ActiveSession {
  tenant: string;
  csrfToken: string;
  expiresAt: number;
}

/** Extending the idle expiry is a write: do it at most once a minute per session. */
const EXTEND_EVERY_MS = 60_000;
const ID_BYTES = 32;

export class ConsoleSessions {
  constructor(private readonly deps: ConsoleSessionsDeps) {}

  async open(tenant: string, keyTag: string): Promise<OpenedSession> {
    const now = this.deps.now();
    // Sign-ins are rare: the sweep of expired rows rides on them instead of a timer.
    await this.deps.store.deleteExpiredConsoleSessions(now);
    const id = this.deps.randomBytes(ID_BYTES).toString('base64url');
    const expiresAt = now + this.deps.ttlMs;
    await this.deps.store.createConsoleSession({ idHash: hashOf(id), tenant, keyTag, createdAt: now, expiresAt });
    return { id, csrfToken: csrfTokenOf(id), expiresAt };
  }

  /** The live session this cookie value names, its idle expiry pushed forward; null when unknown, expired or its key is gone. */
  async resolve(id: string): Promise<ActiveSession | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    const now = this.deps.now();
    const idHash = hashOf(id);
    const row = await this.deps.store.findConsoleSession(idHash, now);
    if (!row) return null;
    if (!this.deps.keyStillConfigured(row.tenant, row.keyTag)) {
      await this.deps.store.deleteConsoleSession(idHash);
      return null;
    }
    let expiresAt = row.expiresAt;
    if (now + this.deps.ttlMs - row.expiresAt >= EXTEND_EVERY_MS) {
      expiresAt = now + this.deps.ttlMs;
      await this.deps.store.extendConsoleSession(idHash, expiresAt);
    }
    return { tenant: row.tenant, csrfToken: csrfTokenOf(id), expiresAt };
  }

  /** Logout: the session is gone for every instance. */
  async close(id: string): Promise<boolean> {
    return this.deps.store.deleteConsoleSession(hashOf(id));
  }

  /** Constant-time check of the token a state-changing request carries. */
  csrfMatches(session: ActiveSession, presented: string | undefined): boolean {
    if (presented === undefined) return false;
    const a = Buffer.from(session.csrfToken);
    const b = Buffer.from(presented);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');
/** A different hash of the id than the stored one, so the token (visible to scripts) reveals neither the id nor its row. */
const csrfTokenOf = (id: string) => createHash('sha256').update(`pushgate-console-csrf\0${id}`).digest('base64url');
