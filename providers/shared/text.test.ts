import { clip, countChars, parseJsonObject, truncateBytes, truncateChars, truncateToWidth, truncateUtf16, utf8Bytes } from './text.js';

describe('truncateChars', () => {
  it('counts code points and ends a cut with "…" counted as one', () => {
    expect(truncateChars('a'.repeat(49), 49)).toBe('a'.repeat(49));
    expect(truncateChars('😀'.repeat(49), 49)).toBe('😀'.repeat(49));
    expect(truncateChars('😀'.repeat(50), 49)).toBe('😀'.repeat(48) + '…');
    expect(countChars(truncateChars('通知'.repeat(40), 50))).toBe(50);
  });
});

describe('truncateUtf16', () => {
  it('cuts at the code unit without splitting a surrogate pair and adds nothing', () => {
    expect(truncateUtf16('a'.repeat(49) + '😀', 50)).toBe('a'.repeat(49));
    expect(truncateUtf16('a'.repeat(48) + '😀', 50)).toBe('a'.repeat(48) + '😀');
    expect(truncateUtf16('short', 50)).toBe('short');
  });
});

describe('truncateToWidth', () => {
  const wide = (s: string) => Array.from(s).reduce((n, ch) => n + (/[\u4e00-\u9fff]/.test(ch) ? 2 : 1), 0);

  it('counts with the vendor width, cuts at a grapheme boundary and keeps the result within the limit', () => {
    const t = truncateToWidth('通'.repeat(30), 40, wide);
    expect(t).toBe('通'.repeat(19) + '…');
    expect(wide(t)).toBeLessThanOrEqual(40);
    expect(truncateToWidth('short', 40, wide)).toBe('short');
  });

  it('never splits an emoji sequence and drops trailing spaces before "…"', () => {
    const family = '👨‍👩‍👧';
    const t = truncateToWidth(`${'a'.repeat(8)}${family}tail`, 10, (s) => Array.from(s).length);
    expect(t).toBe(`${'a'.repeat(8)}…`);
    expect(truncateToWidth('abc   defgh', 7, (s) => s.length)).toBe('abc…');
  });
});

describe('truncateBytes', () => {
  it('keeps at most maxBytes of UTF-8, "…" included', () => {
    const t = truncateBytes('é'.repeat(10), 10);
    expect(utf8Bytes(t)).toBeLessThanOrEqual(10);
    expect(t).toBe('ééé…');
    expect(truncateBytes('abc', 3)).toBe('abc');
  });
});

describe('clip', () => {
  it('bounds vendor text kept on a result', () => {
    expect(clip('x'.repeat(201))).toBe('x'.repeat(200) + '…');
    expect(clip('x'.repeat(200))).toBe('x'.repeat(200));
    expect(clip('abcdef', 3)).toBe('abc…');
  });
});

describe('parseJsonObject', () => {
  it('accepts a parsed object or JSON text and refuses anything else', () => {
    expect(parseJsonObject({ code: 0 })).toEqual({ code: 0 });
    expect(parseJsonObject('{"code":"80000000"}')).toEqual({ code: '80000000' });
    expect(parseJsonObject('<html>502</html>')).toBeUndefined();
    expect(parseJsonObject('[1]')).toBeUndefined();
    expect(parseJsonObject([1])).toBeUndefined();
    expect(parseJsonObject('')).toBeUndefined();
    expect(parseJsonObject(null)).toBeUndefined();
  });

  it('lets the vendor rewrite the text before parsing', () => {
    const quoteIds = (t: string) => t.replace(/("taskId"\s*:\s*)(\d+)/g, '$1"$2"');
    expect(parseJsonObject('{"taskId":12345678901234567890}', quoteIds)).toEqual({ taskId: '12345678901234567890' });
  });
});
