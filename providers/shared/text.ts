/**
 * Text and body helpers every adapter needs: cutting notification text to a vendor's limit with "…", and
 * reading a vendor's JSON answer whether the vendor client parsed it or not. Each vendor keeps its own counting rule (vivo
 * counts CJK as 2) in its folder and passes it in as a width function.
 */

export const ELLIPSIS = '…';

/** Length in characters (code points), as OPPO and Xiaomi count. */
export function countChars(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** At most `max` characters (code points, so no surrogate pair is split), "…" marking a cut and counting 1. */
export function truncateChars(text: string, max: number): string {
  if (text.length <= max) return text; // UTF-16 length ≥ code points: nothing to cut
  const cps = Array.from(text);
  return cps.length <= max ? text : cps.slice(0, max - 1).join('') + ELLIPSIS;
}

/** At most `max` UTF-16 code units, no "…", never splitting a surrogate pair (fits any way of counting). */
export function truncateUtf16(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate whose low half would be cut off
  return text.slice(0, end);
}

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/**
 * Cut `text` to `maxWidth` as the vendor's `width` counts, at a grapheme boundary (an emoji sequence or a letter
 * with its accents is kept whole or dropped whole), trailing spaces dropped, ending in "…" (counted by `width`)
 * when cut.
 */
export function truncateToWidth(text: string, maxWidth: number, width: (s: string) => number): string {
  if (width(text) <= maxWidth) return text;
  const budget = maxWidth - width(ELLIPSIS);
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = width(segment);
    if (used + w > budget) break;
    out += segment;
    used += w;
  }
  return `${out.trimEnd()}${ELLIPSIS}`;
}

/** UTF-8 length in bytes. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** At most `maxBytes` of UTF-8 at a grapheme boundary, "…" (3 bytes) marking a cut. */
export function truncateBytes(text: string, maxBytes: number): string {
  return truncateToWidth(text, maxBytes, utf8Bytes);
}

/** Vendor text kept on a result, bounded: an answer may echo long strings into the delivery's error. */
export function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}${ELLIPSIS}` : text;
}

/**
 * A vendor answer as a JSON object: the vendor client hands JSON over parsed and anything else as text. Undefined for
 * anything else (HTML error pages, arrays, junk). `prepare` rewrites the text before parsing (vivo quotes its
 * long numeric ids so they keep their digits).
 */
export function parseJsonObject(data: unknown, prepare?: (text: string) => string): Record<string, unknown> | undefined {
  let v = data;
  if (typeof v === 'string') {
    if (v.trim() === '') return undefined;
    try {
      v = JSON.parse(prepare ? prepare(v) : v) as unknown;
    } catch {
      return undefined;
    }
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
