import { describe, expect, it } from '@jest/globals';
import { completionGroups } from '../../src/store/completions.js';
import type { DeliveryUpdate } from '../../src/store/types.js';

const sent = (id: string, vendorMessageId: string | null, attempts = 1): DeliveryUpdate => ({ id, state: 'sent', vendorMessageId, attempts });

describe('completionGroups', () => {
  it('gives a group of sent rows one shared vendor id only when every row has that id', () => {
    expect(completionGroups([sent('a', 'req-1'), sent('b', 'req-1')])).toEqual([
      expect.objectContaining({ state: 'sent', ids: ['a', 'b'], sharedVendorId: 'req-1', vendorIds: [['a', 'req-1'], ['b', 'req-1']] }),
    ]);
    // A null shared by all is still one value (a vendor that answers without an id).
    expect(completionGroups([sent('a', null), sent('b', null)])[0]).toMatchObject({ sharedVendorId: null });
    // Differing ids, even when the first and last agree, go row by row.
    for (const ids of [['v', 'w', 'v'], ['v', null], [null, 'v']] as const) {
      const [g] = completionGroups(ids.map((v, i) => sent(`d${i}`, v)));
      expect(g?.sharedVendorId).toBeUndefined();
      expect(g?.vendorIds).toEqual(ids.map((v, i) => [`d${i}`, v]));
    }
  });

  it('groups by state, attempts, error and next attempt, never mixing them', () => {
    const err = { code: 'retry', message: '503' };
    const groups = completionGroups([
      sent('a', 'r', 1),
      sent('b', 'r', 2),
      { id: 'c', state: 'queued', nextAttemptAt: 10, error: err, attempts: 1 },
      { id: 'd', state: 'queued', nextAttemptAt: 20, error: err, attempts: 1 },
      { id: 'e', state: 'queued', nextAttemptAt: 10, error: err, attempts: 1 },
      { id: 'f', state: 'failed', error: { code: 'rejected', message: 'bad' }, attempts: 1 },
    ]);
    expect(groups.map((g) => [g.state, g.attempts, g.dueAt, g.ids])).toEqual([
      ['sent', 1, null, ['a']],
      ['sent', 2, null, ['b']],
      ['queued', 1, 10, ['c', 'e']],
      ['queued', 1, 20, ['d']],
      ['failed', 1, null, ['f']],
    ]);
    expect(groups[2]?.lastError).toBe(JSON.stringify(err));
    expect(groups[2]?.sharedVendorId).toBeUndefined();
  });
});
