/**
 * The retry policy, as a fetch wrapper under openapi-fetch, so the typed methods and the raw
 * client both get it. Written here rather than taken from a retry library because the rules are
 * the gateway's own: which answers mean "nothing was applied" (429 backlog_full, 503 not_ready)
 * and which requests may be sent twice (idempotent methods, or an Idempotency-Key the gateway
 * de-duplicates).
 */

export interface RetryOptions {
  /** Attempts per call, the first included; 1 turns retries off. @default 3 */
  maxAttempts?: number;
  /**
   * Longest wait between two attempts, ms. A `Retry-After` longer than this is not waited for: the
   * call throws at once, with `retryAfterMs` on the error, rather than retrying earlier than the
   * gateway asked. Also caps the backoff. @default 30000
   */
  maxDelayMs?: number;
  /** Backoff without `Retry-After`: full jitter, random(0, min(maxDelayMs, baseDelayMs·2^(attempt−1))). @default 500 */
  baseDelayMs?: number;
  /** Waits between attempts (tests inject one that records the delays). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Clock for `Retry-After` given as an HTTP date. @default Date.now */
  now?: () => number;
  /** [0, 1) for the jitter. @default Math.random */
  random?: () => number;
}

export type FetchLike = (request: Request, init?: RequestInit) => Promise<Response>;

/** Methods that change nothing more when repeated (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Statuses the gateway answers before applying anything: retried for any request. */
const NOT_APPLIED = new Set([429, 503]);
/** A proxy in front lost the answer: the request may or may not have been applied. */
const MAYBE_APPLIED = new Set([502, 504]);

/**
 * `Retry-After` as ms from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // HTTP dates begin with the day's name (IMF-fixdate, RFC 850, asctime); Date.parse alone reads "-3" as a year.
  if (!/^[A-Za-z]{3}/.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryPolicy {
  maxAttempts: number;
  maxDelayMs: number;
  baseDelayMs: number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  now(): number;
  random(): number;
}

export function retryPolicy(o: RetryOptions = {}): RetryPolicy {
  const policy = {
    maxAttempts: o.maxAttempts ?? 3,
    maxDelayMs: o.maxDelayMs ?? 30_000,
    baseDelayMs: o.baseDelayMs ?? 500,
    sleep: o.sleep ?? abortableSleep,
    now: o.now ?? Date.now,
    random: o.random ?? Math.random,
  };
  for (const key of ['maxAttempts', 'maxDelayMs', 'baseDelayMs'] as const) {
    const min = key === 'maxAttempts' ? 1 : 0;
    if (!Number.isInteger(policy[key]) || policy[key] < min) throw new TypeError(`retry.${key} must be an integer ≥ ${min}; got ${String(policy[key])}`);
  }
  return policy;
}

/**
 * A fetch that retries what is safe to retry:
 * - 429 and 503 (the gateway applied nothing), any request: after `Retry-After`, else backoff;
 * - network errors, 502 and 504, only when `mayRepeat(request)` (the request can be applied twice
 *   without harm: an idempotent method, or an Idempotency-Key that the gateway de-duplicates).
 * The last answer is returned as is; the caller turns a non-2xx into a PushgateError.
 */
export function retryingFetch(fetchImpl: FetchLike, policy: RetryPolicy, mayRepeat: (request: Request) => boolean): FetchLike {
  const backoff = (attempt: number) => Math.floor(policy.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
  return async (request, init) => {
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= policy.maxAttempts;
      let response: Response;
      try {
        // A clone per attempt: a Request's body can be read only once.
        response = await fetchImpl(request.clone(), init);
      } catch (err) {
        if (last || request.signal.aborted || !mayRepeat(request)) throw err;
        await policy.sleep(backoff(attempt), request.signal);
        continue;
      }
      let wait: number | undefined;
      if (NOT_APPLIED.has(response.status)) wait = parseRetryAfter(response.headers.get('Retry-After'), policy.now()) ?? backoff(attempt);
      else if (MAYBE_APPLIED.has(response.status) && mayRepeat(request)) wait = backoff(attempt);
      if (wait === undefined || last || wait > policy.maxDelayMs) return response;
      await response.body?.cancel();
      await policy.sleep(wait, request.signal);
    }
  };
}

/** True for requests that can be sent again after a lost answer. */
export function isRepeatable(request: Request): boolean {
  return IDEMPOTENT_METHODS.has(request.method) || request.headers.has('Idempotency-Key');
}
