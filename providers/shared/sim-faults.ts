/**
 * The scripted faults every simulator offers (SimulatorControls): how many of the next send
 * requests get the vendor's rate-limit answer, its server error, a reset connection or no answer
 * at all. What the first two look like stays in each vendor's simulator; the last two are the
 * same for every vendor (the transport's, not the vendor's) and are carried out by the starters
 * (sim-server.ts, sim-http2.ts).
 */
export type TransportFault = 'reset' | 'hang';

export class FaultScript {
  private throttleLeft = 0;
  private retryAfterSeconds: number | undefined;
  private failLeft = 0;
  private resetLeft = 0;
  private hangLeft = 0;

  throttle(n: number, retryAfterSeconds?: number): void {
    this.throttleLeft = n;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  fail(n: number): void {
    this.failLeft = n;
  }

  /** The next `n` send requests lose their connection before any answer (TCP reset / HTTP/2 stream reset). */
  reset(n: number): void {
    this.resetLeft = n;
  }

  /** The next `n` send requests are never answered (until the simulator closes): the client's timeout decides. */
  hang(n: number): void {
    this.hangLeft = n;
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

  /** Consume one pending transport fault (reset first): checked before anything else of a send request. */
  takeTransport(): TransportFault | undefined {
    if (this.resetLeft > 0) {
      this.resetLeft -= 1;
      return 'reset';
    }
    if (this.hangLeft > 0) {
      this.hangLeft -= 1;
      return 'hang';
    }
    return undefined;
  }
}
