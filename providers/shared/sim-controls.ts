/**
 * The state behind SimulatorControls that every vendor simulator shares: the knobs tests, the
 * playground and the benchmarks turn ("slow vendor", "throttled", "credentials revoked"…), and
 * what the simulator saw. A vendor simulator extends it and decides what each knob looks like on
 * its wire (its rate-limit code, its auth error); the bookkeeping is here once.
 */
import type { SimulatorControls } from '../types.js';
import { FaultScript } from './sim-faults.js';

/** The last send request as it arrived, for tests that look at the wire without knowing the vendor. */
export interface RecordedSend {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

export abstract class SimControls implements SimulatorControls {
  delayMs = 0;
  readonly invalidTokens = new Set<string>();
  quotaExhausted = false;
  readonly accepted: string[] = [];
  sendRequests = 0;
  /** See SimulatorControls.reportsInvalidTokens. */
  readonly reportsInvalidTokens: boolean = true;
  /** See SimulatorControls.sendsRetryAfter. */
  readonly sendsRetryAfter: boolean = true;
  /** The last send request (always kept: one object, cheap). */
  lastSendRaw: RecordedSend | undefined;
  /** Throttle, fail, reset and hang scripts; vendors consult them in their own order. */
  protected faults = new FaultScript();
  private rejecting = false;

  abstract readonly url: string;
  abstract close(): Promise<void>;

  /**
   * While true the vendor refuses the tenant's current credentials with its own auth error (a
   * rotated secret, a revoked key); tokens issued before are revoked when it is set, so after it is
   * set back only new credentials (a refresh) work.
   */
  get rejectCredentials(): boolean {
    return this.rejecting;
  }

  set rejectCredentials(value: boolean) {
    this.rejecting = value;
    if (value) this.revokeIssuedCredentials();
  }

  throttle(n: number, retryAfterSeconds?: number): void {
    this.faults.throttle(n, retryAfterSeconds);
  }

  fail(n: number): void {
    this.faults.fail(n);
  }

  resetConnection(n: number): void {
    this.faults.reset(n);
  }

  hang(n: number): void {
    this.faults.hang(n);
  }

  /** Forget access tokens issued so far (OAuth-style vendors); static-key vendors have none. */
  protected revokeIssuedCredentials(): void {}

  /** Count one send request and keep it as `lastSendRaw`. */
  protected recordSend(path: string, headers: RecordedSend['headers'], rawBody: string): void {
    this.sendRequests += 1;
    this.lastSendRaw = { path, headers, rawBody };
  }
}
