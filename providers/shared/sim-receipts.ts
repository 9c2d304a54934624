/**
 * Delivery receipts a simulator posts on its own after accepting a send, the way a vendor reports
 * arrival on the device a moment after its send answer. Used by the playground, so a newcomer sees
 * `delivered`; tests turn it on when they want it (off by default so no test posts to a URL it
 * did not start).
 */
export class ReceiptOutbox {
  /** How long after the send answer the receipt leaves (the device's arrival report). */
  delayMs = 50;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<unknown>>();

  /** Run `post` after `delayMs`. A receipt that cannot be delivered is dropped, as vendors do after their retries. */
  later(post: () => Promise<unknown>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const p: Promise<unknown> = post()
        .catch(() => undefined)
        .finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }, this.delayMs);
    this.timers.add(timer);
  }

  /** Drop receipts not yet posted and wait for those on the wire, so none outlives the simulator. */
  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inflight]);
  }
}
