/**
 * The hand-off on SQLite without reading and rewriting the batch (SqliteStore.startSending).
 *
 * The hand-off answers which of a claimed batch's deliveries are still leased to the caller (a cancel
 * may have taken some since the claim) and marks them handed, so that a later cancel leaves them to
 * finish. As a statement it read and rewrote the thousand rows the claim had just written, between
 * the claim and the vendor request; the read was most of it (docs/performance.md).
 *
 * Now every operation that can take a claimed row from its owner (cancel, erasure, release,
 * retention, a claim of rows, which may be rows whose lease ran out) counts up `lease_epoch` in its
 * transaction. A claim from chunk rows (targets never leased before) notes the count; while it is
 * unchanged and the lease still runs, every row of that claim is still its owner's, so the hand-off
 * answers from the claim's own ids and writes one `handoffs` row (the ids as JSON) instead of a
 * thousand. A cancel first copies the handed marks of its message from `handoffs` onto the rows'
 * `handed_at`, then runs as before. Both live in the database, so this holds across a crash and for
 * any process on the file. Otherwise (a part of the ids not from one claim, another count, a lease
 * run out) the hand-off takes the statement path.
 */
import type { Stmt } from './sqlite.sql.js';

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

/** This process's claims from chunk rows, by delivery id: which ids a hand-off may answer from its claim. */
export class HandOffLedger {
  private readonly byId = new Map<string, Claim>();
  private readonly claims = new Set<Claim>();

  /** A claim from chunk rows, in its transaction: its deliveries, leased to `owner` until `leaseUntil`. */
  claimed(owner: string, messageId: string, ids: readonly string[], leaseUntil: number, epoch: number, now: number): void {
    this.dropExpired(now);
    const claim: Claim = { owner, messageId, leaseUntil, epoch, open: new Set(ids) };
    this.claims.add(claim);
    for (const id of ids) this.byId.set(id, claim);
  }

  /** The ids as one undisturbed claim of `owner` whose lease still runs, or null: the rows must be read. */
  handOff(owner: string, ids: readonly string[], now: number, epoch: number): ClaimHandOff | null {
    const claim = ids.length ? this.byId.get(ids[0]!) : undefined;
    if (!claim || claim.owner !== owner || claim.epoch !== epoch || now >= claim.leaseUntil) return null;
    for (const id of ids) if (!claim.open.has(id)) return null;
    return { ids: [...new Set(ids)], messageId: claim.messageId, leaseUntil: claim.leaseUntil };
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

/** The count of operations that may have taken claimed rows from their owner. */
export function sqliteLeaseEpoch(stmt: Stmt): number {
  return Number(stmt('SELECT n FROM lease_epoch WHERE id = 1').pluck().get());
}

/** Count one such operation, in its own transaction. */
export function sqliteDisturbLeases(stmt: Stmt): void {
  stmt('UPDATE lease_epoch SET n = n + 1 WHERE id = 1').run();
}

/** A hand-off answered from its claim: one row, and the records whose lease ran out go. */
export function sqliteRecordHandOff(stmt: Stmt, owner: string, h: ClaimHandOff, now: number): void {
  stmt('DELETE FROM handoffs WHERE lease_until <= ?').run(now);
  stmt('INSERT INTO handoffs (owner, message_id, ids, lease_until, at) VALUES (?,?,?,?,?)').run(owner, h.messageId, JSON.stringify(h.ids), h.leaseUntil, now);
}

/**
 * Before a cancel: the message's deliveries handed off from their claim get `handed_at`, where the lease
 * that was handed off is still theirs (same owner, same lease end), so the cancel leaves them to finish.
 */
export function sqliteWriteHandOffs(stmt: Stmt, messageId: string): void {
  stmt(
    `UPDATE deliveries SET handed_at = x.at
       FROM (SELECT h.owner, h.lease_until, h.at, j.value AS id FROM handoffs h, json_each(h.ids) j WHERE h.message_id = ?) AS x
       WHERE deliveries.id = x.id AND deliveries.lease_owner = x.owner AND deliveries.due_at = x.lease_until AND deliveries.state = 'sending'`,
  ).run(messageId);
}

