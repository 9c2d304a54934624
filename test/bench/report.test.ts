/**
 * The bench's run statistics (bench/report.ts): run timings take a true median, so a side measured twice is not
 * credited with its faster run against a side measured three times; latency samples keep nearest-rank percentiles.
 */
import { median, pct } from '../../bench/report.js';

describe('median of a few runs', () => {
  it('is the middle run of an odd count, whatever the order', () => {
    expect(median([1_734, 1_328, 1_448])).toBe(1_448);
  });

  it('is the mean of the middle two of an even count, not the faster one', () => {
    expect(median([2_584, 2_043])).toBe(2_313.5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is NaN for no runs rather than a number nobody measured', () => {
    expect(median([])).toBeNaN();
  });
});

describe('percentiles of a latency sample', () => {
  it('stay nearest-rank: p50 of two is the lower, p100 the maximum', () => {
    expect(pct([20, 10], 50)).toBe(10);
    expect(pct([5, 30, 10], 100)).toBe(30);
  });
});
