import { counts, parseDuration, relative, sinceToIso, table } from './format.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');

describe('table', () => {
  it('aligns columns two spaces apart, right-aligns numbers, shows empty cells as -, and keeps rows on one line', () => {
    expect(table(['id', 'n', 'error'], [['a', 1, 'x'], ['bbbb', 120, null], ['c', 3, 'two\nlines']])).toBe(
      ['ID      N  ERROR', 'a       1  x', 'bbbb  120  -', 'c       3  two lines', ''].join('\n'),
    );
  });
});

describe('relative', () => {
  it.each([
    ['2026-11-30T11:59:48Z', '12s ago'],
    ['2026-11-30T11:55:00Z', '5m ago'],
    ['2026-11-30T09:00:00Z', '3h ago'],
    ['2026-11-28T12:00:00Z', '2d ago'],
    ['2026-11-30T12:00:30Z', 'in 30s'],
  ])('%s is %s', (iso, text) => {
    expect(relative(iso, NOW)).toBe(text);
  });
});

describe('durations', () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '1x', '-1h', '1.5h', 'h'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('--since takes a duration back from now, or an ISO time as it is', () => {
    expect(sinceToIso('1h', NOW)).toBe('2026-11-30T11:00:00.000Z');
    expect(sinceToIso('2026-11-01T00:00:00Z', NOW)).toBe('2026-11-01T00:00:00Z');
    expect(sinceToIso('yesterday', NOW)).toBeUndefined();
  });
});

it('counts lists the non-zero states in order', () => {
  expect(counts({ queued: 0, sent: 3, failed: 1 })).toBe('sent 3, failed 1');
  expect(counts({ queued: 0 })).toBe('none');
});
