/**
 * The targets of one message between resolution and the insert: distinct per (provider, token hash),
 * counted per provider, and turned into delivery rows only while the store writes them. A raw token
 * is encrypted when its row is built, so a 100,000-target message never holds 100,000 row objects
 * (ids, ciphertexts) next to its parsed body: the peak memory of a big accept is the body, not the
 * rows (issue 11).
 */
import type { DeviceExtras, DeviceRow, NewDelivery } from '../store/types.js';

export interface Target {
  provider: string;
  tokenHash: string;
  /** The registered device this target is, if any (its stored ciphertext is reused). */
  device: DeviceRow | null;
  /** The plain token of a target that is no registered device: encrypted when its row is built. */
  token: string | null;
  /** Device fields given with a raw token; otherwise the device's own. */
  extras: DeviceExtras | null;
}

export class TargetList {
  private readonly items: Target[] = [];
  /** Token hashes seen per provider (the hash strings are the targets' own: no key strings per target). */
  private readonly seen = new Map<string, Set<string>>();
  private readonly counts = new Map<string, number>();
  private readonly dropped = new Set<string>();

  /** Add a target unless that provider already has its token; false when it was a duplicate. */
  add(t: Target): boolean {
    let hashes = this.seen.get(t.provider);
    if (!hashes) this.seen.set(t.provider, (hashes = new Set()));
    if (hashes.has(t.tokenHash)) return false;
    hashes.add(t.tokenHash);
    this.items.push(t);
    this.counts.set(t.provider, (this.counts.get(t.provider) ?? 0) + 1);
    return true;
  }

  /** Targets per provider, dropped providers left out. */
  perProvider(): Map<string, number> {
    return new Map([...this.counts].filter(([p]) => !this.dropped.has(p)));
  }

  get count(): number {
    let n = 0;
    for (const c of this.perProvider().values()) n += c;
    return n;
  }

  /** Leave out every target of this provider (it cannot take the message). */
  drop(provider: string): void {
    this.dropped.add(provider);
  }

  /**
   * The delivery rows, each built as it is read (iterate once, inside the insert), in token-hash
   * order: the ids are drawn in this order, so on SQLite (which compares text byte by byte, as this
   * sort does) a message's rows reach the receipt index (message id, token hash) in key order and it
   * is appended, as the id-keyed indexes are. In request order that index took its keys at random
   * places: 40% of the SQLite store's CPU for a 100,000-target insert (docs/performance.md); the sort
   * costs about a tenth of that. It runs here, when the rows are asked for, not inside the store's
   * transaction. A message's deliveries are therefore listed and sent in this order, not request order.
   */
  rows(build: (t: Target) => NewDelivery): Iterable<NewDelivery> {
    this.items.sort(byTokenHash);
    return this.built(build);
  }

  private *built(build: (t: Target) => NewDelivery): Generator<NewDelivery> {
    for (const t of this.items) if (!this.dropped.has(t.provider)) yield build(t);
  }
}

const byTokenHash = (a: Target, b: Target): number => (a.tokenHash < b.tokenHash ? -1 : a.tokenHash > b.tokenHash ? 1 : 0);
