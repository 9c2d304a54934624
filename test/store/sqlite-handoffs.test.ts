/**
 * The hand-off ledger (src/store/handoffs.ts, used by both stores) as data: when a hand-off may be answered from
 * its claim. What the store writes for it and what a cancel reads back is in the conformance suite
 * (test/contract/chunks.contract.ts, replay-cancel.contract.ts) and test/contract/sqlite.store.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { HandOffLedger } from '../../src/store/handoffs.js';

const T0 = 1_764_000_000_000;

describe('HandOffLedger', () => {
  it('answers a hand-off of the owner’s own claimed ids, or a part of them, while the lease runs and the count is unchanged', () => {
    const l = new HandOffLedger();
    l.claimed('a', 'm1', ['d1', 'd2', 'd3'], T0 + 1000, 7, T0);
    expect(l.handOff('b', ['d1'], T0 + 1, 7)).toBeNull();
    expect(l.handOff('a', ['d1', 'x'], T0 + 1, 7)).toBeNull();
    expect(l.handOff('a', ['d1', 'd2', 'd1'], T0 + 999, 7)).toEqual({ ids: ['d1', 'd2'], messageId: 'm1', leaseUntil: T0 + 1000 });
    expect(l.handOff('a', ['d3'], T0 + 1000, 7)).toBeNull();
    expect(l.handOff('a', ['d3'], T0 + 1, 8)).toBeNull();
    expect(l.handOff('a', [], T0 + 1, 7)).toBeNull();
  });

  it('forgets completed deliveries, and claims whose lease ran out when the next claim comes', () => {
    const l = new HandOffLedger();
    l.claimed('a', 'm1', ['d1', 'd2'], T0 + 1000, 0, T0);
    l.completed(['d2']);
    expect(l.handOff('a', ['d2'], T0 + 1, 0)).toBeNull();
    expect(l.handOff('a', ['d1'], T0 + 1, 0)).not.toBeNull();
    l.claimed('a', 'm2', ['d3', 'd4'], T0 + 3000, 0, T0 + 2000);
    expect(l.handOff('a', ['d1'], T0 + 500, 0)).toBeNull();
    expect(l.handOff('a', ['d3'], T0 + 2001, 0)).not.toBeNull();
  });

  it('does not note a claim of one delivery: its hand-off is one row by statement', () => {
    const l = new HandOffLedger();
    l.claimed('a', 'm1', ['d1'], T0 + 1000, 0, T0);
    expect(l.mayHandOff('a', ['d1'], T0 + 1)).toBe(false);
    expect(l.handOff('a', ['d1'], T0 + 1, 0)).toBeNull();
  });
});
