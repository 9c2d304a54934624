/**
 * A lane batch's completions grouped by the values they set, shared by the SQLite and PostgreSQL
 * stores: each group is one UPDATE over its ids, not one statement per row (per-row statements were
 * most of a completion's cost on both). Sent rows group without their vendor id, which each keeps
 * (APNs answers every stream with its own apns-id).
 */
import { json } from './rows.js';
import type { DeliveryUpdate } from './types.js';

export interface CompletionGroup {
  state: DeliveryUpdate['state'];
  attempts: number;
  /** JSON text of the error; null for sent rows. */
  lastError: string | null;
  /** The next attempt of a requeued row; null otherwise. */
  dueAt: number | null;
  ids: string[];
  /** Sent rows only: [delivery id, vendor message id] per row, in update order (an array: an object with a key per row cost more than the rest of the grouping). */
  vendorIds: Array<[string, string | null]>;
  /**
   * Sent rows only: the vendor message id when every row of the group has the same one (a vendor that
   * answers a multicast request with one id, Huawei's requestId for one), so the store can set it as
   * one value instead of joining a per-row list; undefined when they differ (APNs, FCM).
   */
  sharedVendorId?: string | null;
}

export function completionGroups(updates: readonly DeliveryUpdate[]): CompletionGroup[] {
  const groups = new Map<string, CompletionGroup>();
  for (const u of updates) {
    const lastError = u.state === 'sent' ? null : json(u.error);
    const dueAt = u.state === 'queued' ? u.nextAttemptAt : null;
    // A template, not JSON.stringify of an array: that was 1.9% of the gateway's CPU in a 100,000-target fan-out
    // (--cpu-prof). Unambiguous: the only free text, the error, comes last. A sent row's error and due time are
    // null, so its key is shorter still (the common case: every row of a batch).
    const key = u.state === 'sent' ? `sent|${u.attempts}` : `${u.state}|${u.attempts}|${dueAt}|${lastError}`;
    let g = groups.get(key);
    if (!g) {
      groups.set(key, (g = { state: u.state, attempts: u.attempts, lastError, dueAt, ids: [], vendorIds: [] }));
      if (u.state === 'sent') g.sharedVendorId = u.vendorMessageId;
    }
    g.ids.push(u.id);
    if (u.state === 'sent') {
      g.vendorIds.push([u.id, u.vendorMessageId]);
      if (g.sharedVendorId !== u.vendorMessageId) g.sharedVendorId = undefined;
    }
  }
  return [...groups.values()];
}
