import { timeOrderedIds } from '../../src/core/ids.js';

describe('time-ordered ids', () => {
  it('are distinct and in creation order within one millisecond and across milliseconds', () => {
    let t = 1_700_000_000_000;
    const ids = timeOrderedIds(() => t);
    const made: string[] = [];
    for (let ms = 0; ms < 3; ms++) {
      for (let i = 0; i < 2000; i++) made.push(ids.delivery());
      t++;
    }
    expect(new Set(made).size).toBe(made.length);
    expect([...made].sort()).toEqual(made);
    expect(made[0]).toMatch(/^dlv_[0-9a-z]{9}[0-9a-f]{12}[0-9a-z]{4}$/);
  });

  it('draw a new random part each millisecond, so two sources rarely share one', () => {
    const a = timeOrderedIds(() => 5);
    const b = timeOrderedIds(() => 5);
    expect(a.message().slice(0, -4)).not.toBe(b.message().slice(0, -4));
  });
});
