/**
 * Output for people: aligned plain-text tables, relative times ("3m ago"), and durations
 * ("30m", "1h", "2d") read from flags. Hand-written rather than a table library: it is thirty
 * lines, and the libraries draw box borders that make the rows harder to grep and cut.
 */

/** Rows under upper-case headers, columns two spaces apart; numbers right-aligned; the last column is never padded. */
export function table(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = rows.map((r) => headers.map((_, i) => cell(r[i])));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 && !numeric[i] ? c : numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return '-';
  // One row per line: a vendor message with a newline must not break the table.
  return String(v).replace(/\s+/g, ' ');
}

/** `label  value` lines with the labels aligned (a record shown as a list). */
export function fields(pairs: Array<[string, string | number]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

/** "12s ago", "5m ago", "3h ago", "2d ago"; "in 30s" for a time ahead. */
export function relative(iso: string | null | undefined, now: number): string {
  if (!iso) return '-';
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const s = Math.round(Math.abs(ms) / 1000);
  const text = s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : s < 86_400 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86_400)}d`;
  return ms >= 0 ? `${text} ago` : `in ${text}`;
}

/** The non-zero counts in order, e.g. "sent 3, failed 1"; "none" when all are zero. */
export function counts(c: Record<string, number | undefined>): string {
  const parts = Object.entries(c).filter(([, n]) => (n ?? 0) > 0);
  return parts.length ? parts.map(([k, n]) => `${k} ${n}`).join(', ') : 'none';
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "90s", "30m", "1h", "2d" (or a plain number of seconds) → milliseconds; undefined when it is neither. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS];
}

/**
 * A `--since` value as the API takes it: a duration back from `now` ("1h") or an ISO 8601 time as
 * is. Undefined when it is neither, so the caller can name the flag.
 */
export function sinceToIso(text: string, now: number): string | undefined {
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(now - ms).toISOString();
  return /^\d{4}-\d{2}-\d{2}T/.test(text) && Number.isFinite(Date.parse(text)) ? text : undefined;
}
