/**
 * Sign-in attempts per client address: a fixed one-minute window per address, in memory (per
 * instance; behind a load balancer of N instances an address gets at most N× the limit). Hand-written
 * rather than express-rate-limit: one counter map with an injected clock is all the console needs,
 * and the 429 must be pushgate's own error body.
 */
const WINDOW_MS = 60_000;
/** Beyond this many tracked addresses, expired windows are dropped before adding one. */
const SWEEP_AT = 10_000;

export class SignInLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {}

  /** Counts an attempt from `address`; returns the seconds to wait when over the limit, else null. */
  take(address: string): number | null {
    const now = this.now();
    if (this.windows.size >= SWEEP_AT) {
      for (const [a, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(a);
    }
    let w = this.windows.get(address);
    if (!w || now - w.start >= WINDOW_MS) {
      w = { start: now, count: 0 };
      this.windows.set(address, w);
    }
    w.count += 1;
    return w.count > this.perMinute ? Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000)) : null;
  }
}
