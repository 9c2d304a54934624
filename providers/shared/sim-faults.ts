/**
 * The `throttle(n)` / `fail(n)` bookkeeping the simulators share (SimulatorControls): how many of
 * the next send requests get the vendor's rate-limit or server-error answer. What those answers
 * look like stays in each vendor's simulator.
 */
export class FaultScript {
  private throttleLeft = 0;
  private retryAfterSeconds: number | undefined;
  private failLeft = 0;

  throttle(n: number, retryAfterSeconds?: number): void {
    this.throttleLeft = n;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  fail(n: number): void {
    this.failLeft = n;
  }

  /** Consume one pending throttled answer: undefined when none is pending. */
  takeThrottle(): { retryAfterSeconds: number | undefined } | undefined {
    if (this.throttleLeft <= 0) return undefined;
    this.throttleLeft -= 1;
    return { retryAfterSeconds: this.retryAfterSeconds };
  }

  /** Consume one pending server-error answer. */
  takeFail(): boolean {
    if (this.failLeft <= 0) return false;
    this.failLeft -= 1;
    return true;
  }
}
