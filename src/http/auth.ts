/**
 * Bearer-key authentication. Every configured key is compared, in constant time, on its SHA-256
 * digest (equal lengths), and the scan never stops early, so timing reveals nothing about keys.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './errors.js';

export type KeyRole = 'server' | 'client';
export interface Principal {
  tenant: string;
  role: KeyRole;
}

interface KeyEntry extends Principal {
  digest: Buffer;
}

export class KeyRing {
  private readonly keys: KeyEntry[];

  constructor(tenants: ReadonlyArray<{ id: string; serverKeys: readonly string[]; clientKeys: readonly string[] }>) {
    this.keys = tenants.flatMap((t) => [
      ...t.serverKeys.map((k) => ({ tenant: t.id, role: 'server' as const, digest: digest(k) })),
      ...t.clientKeys.map((k) => ({ tenant: t.id, role: 'client' as const, digest: digest(k) })),
    ]);
  }

  find(presented: string): Principal | undefined {
    const d = digest(presented);
    let found: Principal | undefined;
    for (const k of this.keys) {
      if (timingSafeEqual(k.digest, d) && !found) found = { tenant: k.tenant, role: k.role };
    }
    return found;
  }
}

const digest = (k: string) => createHash('sha256').update(k).digest();

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** `roles` lists who may call the route; a client key on a server route is 403, no key is 401. */
export function requireKey(ring: KeyRing, roles: KeyRole[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) return next(new ApiError('unauthorized', 'Send your API key as "Authorization: Bearer <key>".'));
    const p = ring.find(m[1]);
    if (!p) return next(new ApiError('unauthorized', 'The API key is not valid. Check it against your tenant configuration.'));
    if (!roles.includes(p.role)) {
      return next(new ApiError('forbidden', 'A client key may only register and unregister devices; use a server key for this route.'));
    }
    req.principal = p;
    next();
  };
}

export function principal(req: Request): Principal {
  if (!req.principal) throw new ApiError('unauthorized', 'Send your API key as "Authorization: Bearer <key>".');
  return req.principal;
}
