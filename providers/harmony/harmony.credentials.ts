/**
 * A credential cached until shortly before it expires: one value shared by every send, at most one
 * fetch in flight, dropped on demand (`invalidate`, after the vendor refused it), and a fetch that
 * started before a drop never re-caches its now-suspect value (generation guard).
 *
 * HarmonyOS needs no token exchange (its Bearer token is our own JWT), so the fetch is a local
 * signature; the cache still keeps one JWT for its life instead of signing one per request, as
 * Huawei asks ("reusable while valid", docs/vendors/harmony.md#authentication). The class is kept
 * generic so it can give way to the shared provider-kit credential cache without touching the adapter.
 */
export interface Credential {
  value: string;
  /** When the vendor stops taking it (ms, the injected clock). */
  expiresAt: number;
}

export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

export class CachedCredential {
  private cached: Credential | undefined;
  private inflight: Promise<string> | undefined;
  private generation = 0;

  constructor(
    private readonly fetch: () => Promise<Credential>,
    private readonly now: () => number,
    /** Refresh this long before expiry (at most half the credential's life). */
    private readonly marginMs = DEFAULT_REFRESH_MARGIN_MS,
  ) {}

  get(): Promise<string> {
    const c = this.cached;
    if (c && this.now() < c.expiresAt - Math.min(this.marginMs, (c.expiresAt - this.fetchedAt) / 2)) return Promise.resolve(c.value);
    if (!this.inflight) {
      const generation = this.generation;
      const startedAt = this.now();
      const request: Promise<string> = this.fetch()
        .then((cred) => {
          if (generation === this.generation) {
            this.cached = cred;
            this.fetchedAt = startedAt;
          }
          return cred.value;
        })
        .finally(() => {
          if (this.inflight === request) this.inflight = undefined;
        });
      this.inflight = request;
    }
    return this.inflight;
  }

  /** Forget the cached value; the next `get()` fetches a new one. */
  invalidate(): void {
    this.generation += 1;
    this.cached = undefined;
    this.inflight = undefined;
  }

  private fetchedAt = 0;
}
