/**
 * The one redaction rule, for logs and for config error reports alike: a value is secret when it
 * sits under a secret key (at any depth, and everything below that key is secret too). The keys
 * are the core's own (API keys, the encryption key, receipt secrets, device tokens, bearer
 * credentials) plus every provider definition's `secretFields`, so a vendor's secret is hidden
 * everywhere by listing it once in its own folder. A URL's password is masked wherever it appears.
 */

export const CENSOR = '[redacted]';

/**
 * Secret keys of the core itself. Device tokens are personal data; the bearer-credential words are
 * what an HTTP exchange carries (headers, OAuth answers), whichever vendor it was with.
 */
export const CORE_SECRET_KEYS = [
  'authorization',
  'serverKeys',
  'clientKeys',
  'encryptionKey',
  'encryptionKeys',
  'lookupKey',
  'receiptSecret',
  'secret',
  'password',
  'token',
  'tokens',
  'accessToken',
  'access_token',
  'authToken',
  'auth_token',
] as const;

export interface Redactor {
  /** True when a value under this key is secret (case-insensitive). */
  isSecretKey(key: string): boolean;
  /** True when any key on the path is secret (a config problem at this path must not show its value). */
  hidesPath(path: readonly PropertyKey[]): boolean;
  /** A copy of plain objects and arrays with every secret value replaced by CENSOR and URL passwords masked. */
  redact<T>(value: T): T;
}

/** `definitions`: every registered provider (only `secretFields` is read). */
export function createRedactor(definitions: ReadonlyArray<{ readonly secretFields: readonly string[] }>): Redactor {
  const keys = new Set<string>([...CORE_SECRET_KEYS, ...definitions.flatMap((d) => d.secretFields)].map((k) => k.toLowerCase()));
  const isSecretKey = (key: string) => keys.has(key.toLowerCase());

  const walk = (value: unknown, depth: number, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return URL_WITH_PASSWORD.test(value) ? maskUrl(value) : value;
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
    // Errors, Buffers, Dates… keep their own serialisers; only plain data is copied.
    const proto = Object.getPrototypeOf(value) as unknown;
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
    if (seen.has(value)) return value;
    seen.add(value);
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) && v !== undefined && v !== null ? CENSOR : walk(v, depth + 1, seen);
    return out;
  };

  return {
    isSecretKey,
    hidesPath: (path) => path.some((p) => typeof p === 'string' && isSecretKey(p)),
    redact: <T>(value: T) => walk(value, 0, new WeakSet()) as T,
  };
}

/** Deeper than any log object or config pushgate builds; beyond it values are left as they are. */
const MAX_DEPTH = 12;
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]*:[^/?#@\s]*@/i;

/** postgres://user:secret@host/db → postgres://user:***@host/db */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
