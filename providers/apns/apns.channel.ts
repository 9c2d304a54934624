/**
 * One APNs environment's connection (docs/vendors/apns.md#transport): a node-apn Provider (= one HTTP/2 session
 * at a time), the cap on streams in flight shared by concurrent batches, and the warm-up gate (Apple allows one
 * stream on a new session until a request with valid credentials went through).
 */
import apn from '@parse/node-apn';
import type { ApnsFailure } from './apns.errors.js';
import type { NodeApnClientInternals, NodeApnOptions } from './node-apn.js';

/** What one stream came back with. */
export interface WriteResult extends ApnsFailure {
  sent: boolean;
  apnsId?: string | undefined;
  retryAfterMs?: number | undefined;
}

export type Admission = 'go' | 'warmup' | { failed: WriteResult };

/** How long close() waits for node-apn's shutdown, which can hang after a TLS failure (docs/vendors/apns.md#transport). */
const SHUTDOWN_TIMEOUT_MS = 2000;

/** Makes the node-apn Provider for one environment (a seam for tests). */
export type NodeApnFactory = (options: NodeApnOptions) => apn.Provider;
export const defaultFactory: NodeApnFactory = (options) => new apn.Provider(options as apn.ProviderOptions);

/**
 * One environment's connection: a node-apn Provider (= one HTTP/2 session at a time), its stream
 * cap and its warm-up gate.
 */
export class Channel {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private warmSession: unknown;
  private warm = false;
  private warming: Promise<WriteResult | undefined> | undefined;
  private endWarmup: ((failed: WriteResult | undefined) => void) | undefined;

  constructor(
    readonly provider: apn.Provider,
    private readonly cap: number,
  ) {}

  /** node-apn's current session, or `unknown` when it cannot be seen (mock or another version). */
  private session(): NodeApnClientInternals['session'] | 'unknown' {
    const client = (this.provider as unknown as { client?: NodeApnClientInternals }).client;
    return client && 'session' in client ? client.session : 'unknown';
  }

  /** Warm: a request was answered on the session node-apn is using now. */
  isWarm(): boolean {
    if (!this.warm) return false;
    const s = this.session();
    if (s === 'unknown') return true;
    return s !== undefined && s !== null && s === this.warmSession && !s.closed && !s.destroyed;
  }

  /**
   * Wait for the right to open a stream: 'go' (a slot on a warm session), 'warmup' (this request
   * goes alone on a new session; call `warmed()` with its result), or the failed warm-up's result
   * to copy (the credentials or the connection are broken: nothing more is sent).
   */
  async admit(): Promise<Admission> {
    for (;;) {
      if (this.isWarm()) {
        await this.acquire();
        if (this.isWarm()) return 'go';
        this.release();
        continue;
      }
      if (this.warming) {
        const failed = await this.warming;
        if (failed) return { failed };
        continue;
      }
      this.warm = false;
      this.warming = new Promise((resolve) => (this.endWarmup = resolve));
      // The warm-up takes a slot but does not wait for streams still draining from an old session.
      this.inFlight += 1;
      return 'warmup';
    }
  }

  /** The warm-up's answer: any HTTP status but 403 means the session accepted our credentials. */
  warmed(result: WriteResult): void {
    const ok = warmedUp(result);
    if (ok) {
      const s = this.session();
      this.warmSession = s === 'unknown' ? undefined : s;
      this.warm = true;
    }
    const end = this.endWarmup;
    this.warming = undefined;
    this.endWarmup = undefined;
    end?.(ok ? undefined : result);
  }

  /** A stream failed without an answer: if the session cannot be seen, assume it is gone. */
  lostAnswer(): void {
    if (this.session() === 'unknown') this.warm = false;
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.cap) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight -= 1;
  }

  shutdown(): Promise<void> {
    const s = this.session();
    if (s === undefined || s === null || (s !== 'unknown' && s.destroyed)) {
      // node-apn would wait forever for close() on a destroyed session (docs/vendors/apns.md#transport); its timers are
      // cleared synchronously, so there is nothing to wait for.
      void this.provider.shutdown();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const s = this.session();
        if (s && s !== 'unknown') s.destroy();
        resolve();
      }, SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      try {
        // shutdown() does not return its promise (lib/provider.js:158-160): use the callback.
        void this.provider.shutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}

/** Any HTTP answer but 403 means the session accepted our credentials (Apple then allows more streams). */
export function warmedUp(r: WriteResult): boolean {
  return r.sent || (r.status !== undefined && r.status !== 403);
}
