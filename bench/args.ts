/**
 * The flags of `npm run bench` (bench/all.ts), and the one place that decides whether a run
 * writes bench/RESULTS.md: every phase hands its section to `publish`, so `--no-write` holds for
 * all of them (it used to reach the cluster script only).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCommandLine, usageError } from '../src/cli/args.js';

export const PHASES = ['fanout', 'apns', 'single', 'backlog', 'cluster'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchArgs {
  quick: boolean;
  cpuProf: boolean;
  /** false under --no-write: nothing is written to bench/RESULTS.md. */
  write: boolean;
  /** The phases to run, in PHASES order (default: all of them). */
  phases: Phase[];
}

export function benchArgs(argv: string[] = process.argv.slice(2)): BenchArgs {
  const { values } = parseCommandLine(
    {
      usage: 'npm run bench -- [options]   (or: node dist/bench/all.js [options])',
      summary:
        'Measure every figure of bench/RESULTS.md next to its reference in the same run: a 100,000-token fan-out against the durable floor, APNs against a raw HTTP/2 client and Parse Server\'s adapter, single sends and their latency, a 1,000,000-delivery backlog, PostgreSQL + Redis and 3 instances. Results go to bench/RESULTS.md.',
      options: { quick: { type: 'boolean' }, 'cpu-prof': { type: 'boolean' }, 'no-write': { type: 'boolean' }, only: { type: 'string' } },
      help: {
        quick: 'small counts: a smoke run (its own section of RESULTS.md)',
        'cpu-prof': 'write V8 CPU profiles of the gateway children into bench/profiles/',
        'no-write': 'do not touch bench/RESULTS.md (the table is still printed)',
        only: `comma-separated phases to run (${PHASES.join(', ')}); implies --no-write, since a partial table would replace the full one`,
      },
      notes: ['Environment: PUSHGATE_TEST_PG_URL, PUSHGATE_TEST_REDIS_URL (the cluster phase; default 127.0.0.1:5432 db test, 127.0.0.1:6379).'],
    },
    argv,
  );
  let phases: Phase[] = [...PHASES];
  if (values.only !== undefined) {
    const asked = values.only.split(',').map((p) => p.trim());
    const unknown = asked.filter((p) => !(PHASES as readonly string[]).includes(p));
    if (unknown.length > 0 || asked.length === 0) usageError(`--only takes phases from ${PHASES.join(', ')}, got '${values.only}'`);
    phases = PHASES.filter((p) => asked.includes(p));
  }
  return { quick: values.quick === true, cpuProf: values['cpu-prof'] === true, write: values['no-write'] !== true && values.only === undefined, phases };
}

/**
 * Put `section` between the `name` markers of `file` (replacing what was there, or appending),
 * when `write` is true; answers whether the file was written. `--no-write` runs never touch it.
 */
export function publish(file: string, name: string, section: string, write: boolean): boolean {
  if (!write) return false;
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmark results\n\nWritten by `npm run bench` (bench/all.ts); each run replaces its own section below.\n';
  }
  const block = `${start}\n${section.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
  return true;
}
