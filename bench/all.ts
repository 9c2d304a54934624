/**
 * `npm run bench`: bench/run.ts, then bench/cluster.ts, each with this command's arguments (npm
 * would append them to the last command of a `a && b` script only).
 */
import { spawnSync } from 'node:child_process';
import { benchArgs } from './args.js';

benchArgs(); // --help and unknown flags are answered here, before anything runs
for (const script of ['run.js', 'cluster.js']) {
  const out = spawnSync(process.execPath, [new URL(script, import.meta.url).pathname, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (out.status !== 0) process.exit(out.status ?? 1);
}
