/**
 * Authentication: a bearer key (backends and apps), or a web console session cookie (operators in
 * a browser, src/http/console/). Every configured key is compared, in constant time, on its
 * SHA-256 digest (equal lengths), and the scan never stops early, so timing reveals nothing about keys.
 *
 * A session acts as a server key of its tenant, with one more rule: every request that is not a
 * GET or HEAD carries the session's CSRF token in X-CSRF-Token, else 403 csrf_token_invalid. A
 * bearer request needs no token: a cross-site page cannot make a browser send an Authorization header.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { ConsoleSessions } from '../core/console-sessions.js';
import { ApiError } from './errors.js';

/** The console's session cookie (Path=/, HttpOnly, SameSite=Strict; Secure over https). */
export const SESSION_COOKIE = 'pushgate_session';
export const CSRF_HEADER = 'x-csrf-token';

export type KeyRole = 'server' | 'client';
const BEARER = /^Bearer\s+(\S+)\s*$/i;
export interface Principal {
  tenant: string;
  role: KeyRole;
  /** Set when the caller is a console session rather than a bearer key. */
  viaSession?: true;
}

interface KeyEntry extends Principal {
  digest: Buffer;
  tag: string;
}

export class KeyRing {
  private readonly keys: KeyEntry[];

  constructor(tenants: ReadonlyArray<{ id: string; serverKeys: readonly string[]; clientKeys: readonly string[] }>) {
    this.keys = tenants.flatMap((t) => [
      ...t.serverKeys.map((k) => ({ tenant: t.id, role: 'server' as const, digest: digest(k), tag: tagOf(k) })),
      ...t.clientKeys.map((k) => ({ tenant: t.id, role: 'client' as const, digest: digest(k), tag: tagOf(k) })),
    ]);
  }

  find(presented: string): (Principal & { keyTag: string }) | undefined {
    const d = digest(presented);
    let found: (Principal & { keyTag: string }) | undefined;
    for (const k of this.keys) {
      if (timingSafeEqual(k.digest, d) && !found) found = { tenant: k.tenant, role: k.role, keyTag: k.tag };
    }
    return found;
  }

  /** Whether the tenant still has the server key of this tag (a console session ends with its key). */
  hasServerKey(tenant: string, keyTag: string): boolean {
    return this.keys.some((k) => k.tenant === tenant && k.role === 'server' && k.tag === keyTag);
  }
}

const digest = (k: string) => createHash('sha256').update(k).digest();
/** Names a key in the session table without storing its digest: 64 bits of a separate hash. */
const tagOf = (k: string) => createHash('sha256').update(`pushgate-console-key\0${k}`).digest('hex').slice(0, 16);

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/**
 * `roles` lists who may call the route; a client key on a server route is 403, no key is 401.
 * With `sessions` (the console is enabled), a request without Authorization may present the
 * console's session cookie instead.
 */
export function requireKey(ring: KeyRing, roles: KeyRole[], sessions?: ConsoleSessions) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    if (header === undefined && sessions) {
      const id = readCookie(req.get('cookie'), SESSION_COOKIE);
      if (id !== undefined) return void sessionPrincipal(sessions, req, id, roles).then(() => next(), next);
    }
    const m = BEARER.exec(header ?? '');
    if (!m?.[1]) return next(new ApiError('unauthorized', 'Send your API key as "Authorization: Bearer <key>".'));
    const p = ring.find(m[1]);
    if (!p) return next(new ApiError('unauthorized', 'The API key is not valid. Check it against your tenant configuration.'));
    if (!roles.includes(p.role)) {
      return next(new ApiError('forbidden', 'A client key may only register and unregister devices; use a server key for this route.'));
    }
    req.principal = { tenant: p.tenant, role: p.role };
    next();
  };
}

/** Whether the request's Authorization header carries a key of some tenant (any role); the route's guard still decides. */
export function presentsKey(ring: KeyRing, req: Request): boolean {
  const m = BEARER.exec(req.get('authorization') ?? '');
  return !!m?.[1] && ring.find(m[1]) !== undefined;
}

async function sessionPrincipal(sessions: ConsoleSessions, req: Request, id: string, roles: KeyRole[]): Promise<void> {
  const session = await sessions.resolve(id);
  if (!session) throw new ApiError('unauthorized', 'Your console session has ended (signed out, idle too long, or its key was removed); sign in again at /console.');
  if (!roles.includes('server')) throw new ApiError('forbidden', 'This route does not take a console session.');
  if (req.method !== 'GET' && req.method !== 'HEAD' && !sessions.csrfMatches(session, req.get(CSRF_HEADER))) {
    throw new ApiError('csrf_token_invalid', `A console session must send its CSRF token in the ${CSRF_HEADER} header on every request that changes something (the token comes with sign-in and GET /console/session).`);
  }
  req.principal = { tenant: session.tenant, role: 'server', viaSession: true };
}

/**
 * One cookie's value from a Cookie header. Hand-written (a dozen lines) rather than the
 * cookie-parser middleware: one cookie is read, on the routes that need it, and its value is
 * base64url so no decoding is involved.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function principal(req: Request): Principal {
  if (!req.principal) throw new ApiError('unauthorized', 'Send your API key as "Authorization: Bearer <key>".');
  return req.principal;
}
