/**
 * The one cache for credentials an adapter fetches from its vendor (Huawei OAuth token, vivo authToken, OPPO
 * auth_token, FCM access token). Every vendor needs the same four things, and each hand-written copy got one of
 * them slightly different:
 * - single flight: concurrent batches waiting for a token share one fetch (vendors rate-limit their auth
 *   endpoints, vivo to 10 calls/s per app);
 * - a refresh margin: a token is replaced before it expires, so no send races its expiry;
 * - refresh on demand: the dispatcher calls `refreshCredentials()` once after an `auth_error`;
 * - a generation guard: a fetch started before an `invalidate()`/`refresh()` (with the credentials that were
 *   just refused) never overwrites the newer token when it resolves late.
 * Failures are never cached: the next `get()` fetches again, and the adapter turns the error into outcomes.
 */

export interface FetchedCredential<T> {
  value: T;
  /** When the vendor stops accepting it (ms since epoch, on the injected clock). */
  expiresAt: number;
  /**
   * From this time `get()` still answers with the value but starts one fetch in the background (vivo asks to
   * renew its 24 h token every 1–2 h). Optional; without it the value is used until the refresh margin.
   */
  renewAt?: number | undefined;
}

export interface CredentialCacheOptions<T> {
  /** Fetch a new credential; throw when none can be had (the error reaches every waiting `get()`). */
  fetch: () => Promise<FetchedCredential<T>>;
  /** Injected clock (ms since epoch). */
  now: () => number;
  /**
   * Stop using a credential this long before `expiresAt`; never more than half its lifetime (counted from the
   * start of its fetch), so a short-lived token is still used for a while.
   */
  refreshMarginMs: number;
  /** Told when a background renewal fails (the current value stays in use). */
  onRenewError?: (err: unknown) => void;
}

interface Entry<T> {
  value: T;
  /** `now()` from which `get()` fetches a new one before answering. */
  refreshAt: number;
  renewAt: number | undefined;
}

export class CredentialCache<T> {
  private entry: Entry<T> | undefined;
  private inflight: Promise<T> | undefined;
  /** Bumped by invalidate(): a fetch started under an older generation is returned to its callers, never cached. */
  private generation = 0;

  constructor(private readonly opts: CredentialCacheOptions<T>) {}

  /** The cached credential while it is fresh, else the fetch in flight, else a new fetch. */
  get(): Promise<T> {
    const now = this.opts.now();
    const e = this.entry;
    if (e && now < e.refreshAt) {
      if (e.renewAt !== undefined && now >= e.renewAt && !this.inflight) {
        // The current value stays in use; a failed renewal is retried at the next get().
        this.start().catch((err: unknown) => this.opts.onRenewError?.(err));
      }
      return Promise.resolve(e.value);
    }
    return this.inflight ?? this.start();
  }

  /**
   * Drop the cached credential (and forget a fetch in flight) so the next `get()` fetches a new one. With
   * `rejected`, only when that value is still the cached one: a batch that failed with an old token must not
   * throw away the token another batch already fetched to replace it.
   */
  invalidate(rejected?: T): void {
    if (rejected !== undefined && this.entry?.value !== rejected) return;
    this.generation += 1;
    this.entry = undefined;
    this.inflight = undefined;
  }

  /** Invalidate, then fetch a new credential now. */
  refresh(): Promise<T> {
    this.invalidate();
    return this.get();
  }

  private start(): Promise<T> {
    const generation = this.generation;
    const startedAt = this.opts.now();
    const p: Promise<T> = this.opts
      .fetch()
      .then((c) => {
        if (generation === this.generation) this.entry = this.entryOf(c, startedAt);
        return c.value;
      })
      .finally(() => {
        if (this.inflight === p) this.inflight = undefined;
      });
    this.inflight = p;
    return p;
  }

  private entryOf(c: FetchedCredential<T>, startedAt: number): Entry<T> {
    const lifetime = Math.max(0, c.expiresAt - startedAt);
    return { value: c.value, refreshAt: c.expiresAt - Math.min(this.opts.refreshMarginMs, lifetime / 2), renewAt: c.renewAt };
  }
}
