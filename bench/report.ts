/**
 * The report of bench/run.ts: number formatting, the markdown table of figures against their targets,
 * the machine line, and the writer of its section of bench/RESULTS.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

export const MB = 1024 * 1024;

export interface Row {
  figure: string;
  measured: string;
  target: string;
  ok: boolean | undefined;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const mb = (bytes: number) => `${fmt(bytes / MB)} MB`;
export const mark = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'yes' : '**no**');

export function table(rows: Row[]): string {
  return ['| figure | measured | target | met |', '|---|---:|---|---|', ...rows.map((r) => `| ${r.figure} | ${r.measured} | ${r.target} | ${mark(r.ok)} |`)].join('\n');
}

export function machine(): string {
  const cpus = os.cpus();
  return `node ${process.version}, ${os.platform()} ${os.release()}, ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores (availableParallelism ${os.availableParallelism()}), ${fmt(os.totalmem() / 1024 ** 3, 1)} GiB RAM`;
}

/** Replace the `name` section of bench/RESULTS.md (`file`) with `section`, or append it; answers the file written. */
export function writeResults(file: string, name: 'quick' | 'full', section: string): string {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmark results\n\nWritten by `npm run bench` (bench/run.ts); each run replaces its own section below.\n';
  }
  const block = `${start}\n${section.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
  return file;
}
