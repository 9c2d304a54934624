/**
 * The report of `npm run bench`: number formatting, the table of figures (reference in the same
 * run | pushgate | ratio | goal | met) and the machine line. bench/args.ts `publish` writes it.
 */
import os from 'node:os';

export const MB = 1024 * 1024;

/** One line of the results table: a figure, its reference in the same run, and the goal on their ratio. */
export interface Row {
  figure: string;
  reference: string;
  pushgate: string;
  ratio: string;
  goal: string;
  /** undefined: reported, no goal. */
  met: boolean | undefined;
}

/** What each phase hands back: its table rows and the raw numbers behind them. */
export interface PhaseResult {
  rows: Row[];
  raw: string[];
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const mb = (bytes: number) => `${fmt(bytes / MB)} MB`;
export const perSecond = (count: number, ms: number) => (count / ms) * 1000;
export const x = (ratio: number) => `${fmt(ratio, 2)}×`;
const mark = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'yes' : '**no**');

export function table(rows: Row[]): string {
  return [
    '| figure | reference (same run) | pushgate | ratio | goal | met |',
    '|---|---|---|---:|---|---|',
    ...rows.map((r) => `| ${r.figure} | ${r.reference} | ${r.pushgate} | ${r.ratio} | ${r.goal} | ${mark(r.met)} |`),
  ].join('\n');
}

export function machine(): string {
  const cpus = os.cpus();
  return `node ${process.version}, ${os.platform()} ${os.release()}, ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores (availableParallelism ${os.availableParallelism()}), ${fmt(os.totalmem() / 1024 ** 3, 1)} GiB RAM`;
}

/** Nearest-rank percentiles of a latency sample (p50, p99, max). */
export function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

/**
 * The median of a few runs: the middle one, or the mean of the middle two. Nearest rank would take the faster of two
 * runs, favouring whichever side ran twice against a side that ran three times.
 */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}
