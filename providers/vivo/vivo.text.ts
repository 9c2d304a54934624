/**
 * Text counted the vivo way: vivo's own width rule, handed to the shared truncation (providers/shared/text.ts).
 */
import { truncateToWidth } from '../shared/text.js';

/** CJK ideographs, kana, hangul, CJK punctuation and full-width forms: 2 "characters" each for vivo. */
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x20000, 0x3fffd],
];

function codePointWidth(cp: number): number {
  for (const [lo, hi] of WIDE_RANGES) {
    if (cp < lo) return 1;
    if (cp <= hi) return 2;
  }
  return 1;
}

/**
 * Length as vivo counts it: "a Chinese character equals two English characters, an emoji counts one"
 * (vendor doc v2.9.2: 最大20个汉字（一个汉字等于两个英文字符，一个表情占一个字符）). Counted per code point, so a
 * multi-code-point emoji sequence counts more than one: stricter than vivo, never over its limit. Newer vivo
 * docs count every character as 1; this rule also satisfies those.
 */
export function vivoTextWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += codePointWidth(ch.codePointAt(0) ?? 0);
  return width;
}

/**
 * Cut `text` to `maxWidth` vivo characters at a grapheme boundary, ending in "…" (width 1) when cut. The API has
 * already accepted the message, so an over-long title/body is shortened rather than failed: a cut notification
 * is more useful to the user than none, and vivo would refuse the whole message (10056 title too long).
 */
export function truncateVivoText(text: string, maxWidth: number): string {
  return truncateToWidth(text, maxWidth, vivoTextWidth);
}
