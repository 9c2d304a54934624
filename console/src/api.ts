/**
 * The console talks only to the public HTTP API (/v1/..., documented in /openapi.json) and to its
 * sign-in (/console/session). The session cookie travels by itself (HttpOnly: this script never
 * sees it); the CSRF token from sign-in goes in X-CSRF-Token on every request that changes something.
 */

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Session {
  tenant: string;
  csrfToken: string;
  expiresAt: string;
}

let csrfToken = '';
let onSignedOut: () => void = () => {};

export function useSession(s: Session | null, signedOut: () => void): void {
  csrfToken = s?.csrfToken ?? '';
  onSignedOut = signedOut;
}

type Method = 'GET' | 'POST' | 'DELETE';

export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (res.status === 204) return undefined as T;
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string } } | null)?.error;
    // The session ended (logout elsewhere, idle, key removed): back to the sign-in form.
    if (res.status === 401 && !path.startsWith('/console/session')) onSignedOut();
    throw new ApiFailure(res.status, e?.code ?? `http_${res.status}`, e?.message ?? res.statusText);
  }
  return json as T;
}

/** A query string from the set values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const signIn = (key: string) => api<Session>('POST', '/console/session', { key });
export const currentSession = () => api<Session>('GET', '/console/session');
export const signOut = () => api<void>('DELETE', '/console/session');
