/**
 * The hand-off on SQLite without a read and a rewrite of the batch (SqliteStore.startSending).
 *
 * The hand-off answers which of a claimed batch's deliveries are still leased to the caller (a cancel
 * may have taken some since the claim) and marks them handed, so that a later cancel leaves them to
 * finish. Done as a statement it read and rewrote the thousand rows the claim had just written, in a
 * transaction of its own between the claim and the vendor request: removing it made the bench's
 * fan-out 12% faster (docs/performance.md).
 *
 * On SQLite one gateway process holds the database (docs/scaling.md: one machine; the CLI's `migrate`
 * and `rotate-keys` on the same file never claim, cancel or erase), so this store sees every change to a
 * lease it gave out:
 * while nothing that can take a claimed row from its owner has run since the claim (cancel, erasure,
 * release, retention, a claim of rows whose lease ran out: each calls `disturb()`) and the lease has
 * not run out, every row of the claim is still leased to its owner, and the hand-off answers from the
 * claim's own list. The mark stays here until a cancel needs it: the cancel first writes `handed_at`
 * for the handed deliveries of its message (`handedOf`), then runs as before. Otherwise the hand-off
 * takes the statement path. A crash loses the marks; the rows were then sent or not by a process
 * that is gone, and a cancel after the restart takes them (never sent again), where the written mark
 * left them to be sent again when their lease ran out.
 */

interface Claim {
  owner: string;
  messageId: string;
  leaseUntil: number;
  /** `disturb()` count when the claim was made. */
  epoch: number;
  /** The claim's delivery ids not yet completed. */
  open: Set<string>;
  /** Handed off and not yet written to the rows. */
  handed: Set<string>;
}

export class HandOffLedger {
  private epoch = 0;
  private readonly byId = new Map<string, Claim>();
  private readonly claims = new Set<Claim>();

  /** A claim just committed: its deliveries, leased to `owner` until `leaseUntil`. */
  claimed(owner: string, messageId: string, ids: readonly string[], leaseUntil: number, now: number): void {
    this.dropExpired(now);
    const claim: Claim = { owner, messageId, leaseUntil, epoch: this.epoch, open: new Set(ids), handed: new Set() };
    this.claims.add(claim);
    for (const id of ids) this.byId.set(id, claim);
  }

  /** Something may have taken claimed rows from their owner: the next hand-offs read the rows. */
  disturb(): void {
    this.epoch++;
  }

  /**
   * The hand-off answered from the claim, or null when the rows must be read: the ids are not all of one
   * undisturbed claim of `owner` whose lease still runs.
   */
  handOff(owner: string, ids: readonly string[], now: number): string[] | null {
    const claim = ids.length ? this.byId.get(ids[0]!) : undefined;
    if (!claim || claim.owner !== owner || claim.epoch !== this.epoch || now >= claim.leaseUntil) return null;
    for (const id of ids) if (!claim.open.has(id)) return null;
    for (const id of ids) claim.handed.add(id);
    return [...ids];
  }

  /** The handed deliveries of a message whose mark is only here, by owner (a cancel writes them first). */
  handedOf(messageId: string): Array<{ owner: string; ids: string[] }> {
    const out: Array<{ owner: string; ids: string[] }> = [];
    for (const c of this.claims) if (c.messageId === messageId && c.handed.size) out.push({ owner: c.owner, ids: [...c.handed] });
    return out;
  }

  /** The marks of a message are on its rows now. */
  written(messageId: string): void {
    for (const c of this.claims) if (c.messageId === messageId) c.handed.clear();
  }

  /** Deliveries completed by their owner: no longer anyone's to hand off. */
  completed(ids: readonly string[]): void {
    for (const id of ids) {
      const claim = this.byId.get(id);
      if (!claim) continue;
      this.byId.delete(id);
      claim.open.delete(id);
      claim.handed.delete(id);
      if (!claim.open.size) this.claims.delete(claim);
    }
  }

  /** Claims whose lease ran out are the statement path's from now on (their rows may be claimed again). */
  private dropExpired(now: number): void {
    for (const c of this.claims) {
      if (now < c.leaseUntil) continue;
      for (const id of c.open) if (this.byId.get(id) === c) this.byId.delete(id);
      this.claims.delete(c);
    }
  }
}
