/**
 * The flags of `npm run bench` (bench/all.ts hands the same arguments to bench/run.ts and
 * bench/cluster.ts, so each accepts the whole set and uses what concerns it).
 */
import { parseCommandLine } from '../src/cli/args.js';

export function benchArgs(): { quick: boolean; cpuProf: boolean; write: boolean } {
  const { values } = parseCommandLine({
    usage: 'npm run bench -- [options]   (or: node dist/bench/run.js | dist/bench/cluster.js [options])',
    summary:
      'Measure throughput and memory: bench/run.ts (end to end against a plain client, and a 1,000,000-delivery backlog) then bench/cluster.ts (1, 2 and 3 gateway instances on PostgreSQL + Redis). Results go to bench/RESULTS.md.',
    options: { quick: { type: 'boolean' }, 'cpu-prof': { type: 'boolean' }, 'no-write': { type: 'boolean' } },
    help: {
      quick: 'small counts: a smoke run (its own section of RESULTS.md)',
      'cpu-prof': 'write V8 CPU profiles of the gateway children into bench/profiles/ (bench/run.ts)',
      'no-write': 'do not touch bench/RESULTS.md',
    },
    notes: ['Environment: PUSHGATE_TEST_PG_URL, PUSHGATE_TEST_REDIS_URL (bench/cluster.ts; default 127.0.0.1:5432 db test, 127.0.0.1:6379).'],
  });
  return { quick: values.quick === true, cpuProf: values['cpu-prof'] === true, write: values['no-write'] !== true };
}
