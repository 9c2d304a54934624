/**
 * The cached OAuth access token, in one small class so it can be swapped for the shared
 * credential cache: one request in flight at a time (single flight), a refresh before expiry, a
 * drop on demand after an auth error, and a generation guard so a token fetched before the drop is
 * not cached after it (docs/vendors/honor.md#authentication).
 */

/** What the token endpoint gave. */
export interface IssuedToken {
  value: string;
  /** Lifetime in seconds; undefined or ≤ 0 when the answer had none. */
  expiresInSeconds?: number | undefined;
}

export interface TokenCacheOptions {
  /** Refresh this long before expiry, at most half the token's life. @default 5 min */
  refreshMarginMs?: number;
  /** Lifetime assumed when the answer gives none (Honor's is typically 3600 s). @default 3600 */
  defaultLifetimeSeconds?: number;
}

export class AccessTokenCache {
  private cached: { value: string; refreshAt: number } | undefined;
  private inflight: Promise<string> | undefined;
  private generation = 0;
  private readonly marginMs: number;
  private readonly defaultLifetimeS: number;

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: () => number,
    opts: TokenCacheOptions = {},
  ) {
    this.marginMs = opts.refreshMarginMs ?? 5 * 60_000;
    this.defaultLifetimeS = opts.defaultLifetimeSeconds ?? 3600;
  }

  /** The cached token, or one shared in-flight request for a new one. Rejects as `fetchToken` does. */
  get(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return Promise.resolve(this.cached.value);
    if (!this.inflight) {
      const generation = this.generation;
      const requestedAt = this.now();
      const request: Promise<string> = this.fetchToken()
        .then((token) => {
          const lifetimeS = token.expiresInSeconds !== undefined && token.expiresInSeconds > 0 ? token.expiresInSeconds : this.defaultLifetimeS;
          const lifetimeMs = lifetimeS * 1000;
          // Counted from the request, not the answer: the vendor's clock started no later than that.
          if (generation === this.generation) this.cached = { value: token.value, refreshAt: requestedAt + lifetimeMs - Math.min(this.marginMs, lifetimeMs / 2) };
          return token.value;
        })
        .finally(() => {
          if (this.inflight === request) this.inflight = undefined;
        });
      this.inflight = request;
    }
    return this.inflight;
  }

  /** Forget the token (after an auth error): the next `get` fetches a new one. */
  invalidate(): void {
    this.generation += 1;
    this.cached = undefined;
    this.inflight = undefined;
  }
}
