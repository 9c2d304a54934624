/**
 * The SQLite hand-off ledger (src/store/sqlite.handoffs.ts) as data: when a hand-off may be answered from
 * its claim, and which marks a cancel must write. The store-level cases (cancel, erasure, release, another
 * claimer) are in the conformance suite: test/contract/chunks.contract.ts and replay-cancel.contract.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { HandOffLedger } from '../../src/store/sqlite.handoffs.js';

const T0 = 1_764_000_000_000;

describe('HandOffLedger', () => {
  it('answers a hand-off of the owner’s own claimed ids, or a part of them, while the lease runs', () => {
    const l = new HandOffLedger();
    l.claimed('a', 'm1', ['d1', 'd2', 'd3'], T0 + 1000, T0);
    expect(l.handOff('b', ['d1'], T0 + 1)).toBeNull();
    expect(l.handOff('a', ['d1', 'x'], T0 + 1)).toBeNull();
    expect(l.handOff('a', ['d1', 'd2'], T0 + 999)).toEqual(['d1', 'd2']);
    expect(l.handOff('a', ['d3'], T0 + 1000)).toBeNull();
    expect(l.handOff('a', [], T0 + 1)).toBeNull();
  });

  it('sends every claim made before a disturbance to the rows, and answers claims made after it', () => {
    const l = new HandOffLedger();
    l.claimed('a', 'm1', ['d1'], T0 + 1000, T0);
    l.disturb();
    l.claimed('a', 'm2', ['d2'], T0 + 1000, T0);
    expect(l.handOff('a', ['d1'], T0 + 1)).toBeNull();
    expect(l.handOff('a', ['d2'], T0 + 1)).toEqual(['d2']);
  });

  it('gives a cancel the handed ids of its message by owner, once, and forgets completed ones', () => {
    const l = new HandOffLedger();
    l.claimed('a', 'm1', ['d1', 'd2', 'd3'], T0 + 1000, T0);
    l.claimed('b', 'm1', ['d4'], T0 + 1000, T0);
    l.claimed('a', 'm2', ['d5'], T0 + 1000, T0);
    l.handOff('a', ['d1', 'd2'], T0 + 1);
    l.handOff('b', ['d4'], T0 + 1);
    l.handOff('a', ['d5'], T0 + 1);
    l.completed(['d2']);
    expect(l.handedOf('m1')).toEqual([
      { owner: 'a', ids: ['d1'] },
      { owner: 'b', ids: ['d4'] },
    ]);
    l.written('m1');
    expect(l.handedOf('m1')).toEqual([]);
    expect(l.handedOf('m2')).toEqual([{ owner: 'a', ids: ['d5'] }]);
    // A completed delivery is no longer anyone's to hand off.
    expect(l.handOff('a', ['d2'], T0 + 2)).toBeNull();
  });

  it('drops claims whose lease ran out when the next claim comes, so their ids go to the rows', () => {
    const l = new HandOffLedger();
    l.claimed('a', 'm1', ['d1'], T0 + 1000, T0);
    l.handOff('a', ['d1'], T0 + 1);
    l.claimed('a', 'm2', ['d2'], T0 + 3000, T0 + 2000);
    expect(l.handedOf('m1')).toEqual([]);
    expect(l.handOff('a', ['d1'], T0 + 500)).toBeNull();
  });
});
