/**
 * Which hand-offs may be answered from their claim, in this process (both stores; issue 11).
 *
 * The hand-off answers which of a claimed batch's deliveries are still leased to the caller and marks them
 * handed. A store that counts every operation able to take a claimed row from its owner (`lease_epoch`)
 * notes that count with each claim from chunk rows; while it is unchanged and the lease still runs, the
 * claim's rows are still its owner's and the hand-off need not read them. The count and the `handoffs` rows
 * live in the database (sqlite.handoffs.ts, postgres.handoffs.ts); this ledger is only the index of this
 * process's claims, so a process that lost it (a restart) takes the statement path.
 */
interface Claim {
  owner: string;
  messageId: string;
  leaseUntil: number;
  /** `lease_epoch` when the claim was made. */
  epoch: number;
  /** The claim's delivery ids not yet completed. */
  open: Set<string>;
}

/** What a hand-off from the claim writes. */
export interface ClaimHandOff {
  ids: string[];
  messageId: string;
  leaseUntil: number;
}

/** Claims of fewer deliveries hand off by statement: a single-target message's one row. */
export const FROM_CLAIM_MIN = 2;

/** This process's claims from chunk rows, by delivery id: which ids a hand-off may answer from its claim. */
export class HandOffLedger {
  private readonly byId = new Map<string, Claim>();
  private readonly claims = new Set<Claim>();

  /**
   * A claim from chunk rows, in its transaction: its deliveries, leased to `owner` until `leaseUntil`. A
   * claim of one delivery is not noted: its hand-off statement touches one row, and a `handoffs` record
   * per single-target message cost more than it saved (the bench's single sends: 0.55x -> 0.45x of hello).
   */
  claimed(owner: string, messageId: string, ids: readonly string[], leaseUntil: number, epoch: number, now: number): void {
    this.dropExpired(now);
    if (ids.length < FROM_CLAIM_MIN) return;
    const claim: Claim = { owner, messageId, leaseUntil, epoch, open: new Set(ids) };
    this.claims.add(claim);
    for (const id of ids) this.byId.set(id, claim);
  }

  /** The ids as one undisturbed claim of `owner` whose lease still runs, or null: the rows must be read. */
  handOff(owner: string, ids: readonly string[], now: number, epoch: number): ClaimHandOff | null {
    const claim = this.claimOf(owner, ids, now);
    if (!claim || claim.epoch !== epoch) return null;
    return { ids: [...new Set(ids)], messageId: claim.messageId, leaseUntil: claim.leaseUntil };
  }

  /** Whether handOff could answer, whatever the count: lets a store skip reading the count when it cannot. */
  mayHandOff(owner: string, ids: readonly string[], now: number): boolean {
    return this.claimOf(owner, ids, now) !== null;
  }

  private claimOf(owner: string, ids: readonly string[], now: number): Claim | null {
    const claim = ids.length ? this.byId.get(ids[0]!) : undefined;
    if (!claim || claim.owner !== owner || now >= claim.leaseUntil) return null;
    for (const id of ids) if (!claim.open.has(id)) return null;
    return claim;
  }

  /** Deliveries completed by their owner: no longer anyone's to hand off. */
  completed(ids: readonly string[]): void {
    for (const id of ids) {
      const claim = this.byId.get(id);
      if (!claim) continue;
      this.byId.delete(id);
      claim.open.delete(id);
      if (!claim.open.size) this.claims.delete(claim);
    }
  }

  /** Claims whose lease ran out go to the statement path (their rows may be claimed again). */
  private dropExpired(now: number): void {
    for (const c of this.claims) {
      if (now < c.leaseUntil) continue;
      for (const id of c.open) if (this.byId.get(id) === c) this.byId.delete(id);
      this.claims.delete(c);
    }
  }
}
