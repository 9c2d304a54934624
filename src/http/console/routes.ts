/**
 * The web console: its sign-in (POST/GET/DELETE /console/session) and its static bundle (built by
 * `npm run build` into dist/console/). Everything else the console shows comes from the /v1 API,
 * called by the browser with the session cookie (src/http/auth.ts), exactly as a backend would.
 * Mounted only when `console.enabled` is true; otherwise /console is a 404 like any unknown path.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ConsoleSessions } from '../../core/console-sessions.js';
import { CSRF_HEADER, readCookie, SESSION_COOKIE, type KeyRing } from '../auth.js';
import { ApiError } from '../errors.js';
import { parseBody } from '../parse.js';
import { SignInLimit } from './sign-in-limit.js';

export interface ConsoleDeps {
  sessions: ConsoleSessions;
  keys: KeyRing;
  /** The built bundle: index.html and assets/ (scripts/build-console.mjs). */
  assetsDir: string;
  signInAttemptsPerMinute: number;
  now(): number;
  logger: Logger;
}

/**
 * The page may load only what the gateway serves: no CDN, no inline script, no framing (clickjacking),
 * and fetch/XHR only to this origin.
 */
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

const signInSchema = z.object({ key: z.string().min(1, 'your server key').max(1024) }).strict();

export function consoleRouter(deps: ConsoleDeps): express.Router {
  const router = express.Router();
  const limit = new SignInLimit(deps.signInAttemptsPerMinute, deps.now);
  router.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  });

  router.post('/session', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    // Login CSRF: a cross-site form can post only form or text bodies, never JSON without a CORS preflight (which pushgate never grants).
    if (!req.is('application/json')) throw new ApiError('unsupported_media_type', 'Sign in with a JSON body {"key": "<server key>"} and Content-Type: application/json.');
    if (!sameOrigin(req)) throw new ApiError('forbidden', 'Sign-in from another site is refused; open the console at this gateway\'s /console.');
    const wait = limit.take(req.ip ?? 'unknown');
    if (wait !== null) {
      deps.logger.warn({ ip: req.ip }, 'console sign-in attempts over the limit');
      throw new ApiError('too_many_sign_in_attempts', `Too many sign-in attempts from your address; try again in ${wait} s.`, undefined, { 'Retry-After': String(wait) });
    }
    const { key } = parseBody(signInSchema, req.body);
    const found = deps.keys.find(key);
    if (!found) {
      deps.logger.warn({ ip: req.ip }, 'console sign-in refused: unknown key');
      throw new ApiError('unauthorized', 'This key is not valid. Sign in with a server key of your tenant (tenants[].serverKeys).');
    }
    if (found.role !== 'server') {
      deps.logger.warn({ ip: req.ip, tenant: found.tenant }, 'console sign-in refused: client key');
      throw new ApiError('forbidden', 'A client key cannot sign in to the console: it is shipped inside apps. Use a server key of your tenant.');
    }
    // A new sign-in in this browser ends the session it replaces, so an earlier copy of the
    // cookie does not stay valid until it idles out.
    const previous = readCookie(req.get('cookie'), SESSION_COOKIE);
    if (previous !== undefined) await deps.sessions.close(previous);
    const opened = await deps.sessions.open(found.tenant, found.keyTag);
    res.cookie(SESSION_COOKIE, opened.id, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
    deps.logger.info({ ip: req.ip, tenant: found.tenant }, 'console sign-in');
    res.json(sessionBody(found.tenant, opened));
  });

  router.get('/session', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const id = readCookie(req.get('cookie'), SESSION_COOKIE);
    const session = id === undefined ? null : await deps.sessions.resolve(id);
    if (!session) throw new ApiError('unauthorized', 'Not signed in: POST /console/session with {"key": "<server key>"}.');
    res.json(sessionBody(session.tenant, session));
  });

  router.delete('/session', async (req, res) => {
    const id = readCookie(req.get('cookie'), SESSION_COOKIE);
    const session = id === undefined ? null : await deps.sessions.resolve(id);
    if (id !== undefined && session) {
      if (!deps.sessions.csrfMatches(session, req.get(CSRF_HEADER))) throw new ApiError('csrf_token_invalid', `Sign out with the session's CSRF token in the ${CSRF_HEADER} header.`);
      await deps.sessions.close(id);
      deps.logger.info({ tenant: session.tenant }, 'console sign-out');
    }
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
    res.status(204).end();
  });

  // The page itself: never cached, so a new build is picked up at once; its assets are content-hashed and cached for good.
  const indexFile = path.join(deps.assetsDir, 'index.html');
  let index: string | undefined;
  router.get(['/', '/index.html'], (_req, res) => {
    index ??= existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : undefined;
    if (index === undefined) return void res.status(503).type('text/plain').send('The console bundle is not built: run `npm run build` (it writes dist/console/).\n');
    res.set('Cache-Control', 'no-cache').type('html').send(index);
  });
  router.use('/assets', express.static(path.join(deps.assetsDir, 'assets'), { immutable: true, maxAge: '365d', index: false, redirect: false, fallthrough: true }));
  router.use((req: Request, _res: Response, next: NextFunction) => next(new ApiError('not_found', `No console page ${req.originalUrl}; open /console.`)));
  return router;
}

function sessionBody(tenant: string, s: { csrfToken: string; expiresAt: number }) {
  return { tenant, role: 'server' as const, csrfToken: s.csrfToken, expiresAt: new Date(s.expiresAt).toISOString() };
}

/** No Origin header (same-origin GETs, non-browser clients) passes; a present one must name this host. */
function sameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}
