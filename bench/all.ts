/**
 * `npm run bench` (`-- --quick` for a smoke run, `--no-write`, `--only <phases>`, `--cpu-prof`):
 * every figure of bench/RESULTS.md next to its reference, measured in the same run because these
 * machines are noisy. The phases are one file each:
 *   - fanout (bench/phase-fanout.ts): 100,000 Huawei tokens vs the durable floor (bench/floor.ts);
 *   - apns (bench/phase-apns.ts): 20,000 and 200,000 APNs tokens vs a raw node:http2 client and
 *     Parse Server's push adapter;
 *   - single (bench/phase-single.ts): single-target sends vs a bare express route, and the
 *     accept → vendor latency idle and at half of the maximum rate;
 *   - backlog (bench/phase-backlog.ts): 1,000,000 queued deliveries, peak RSS;
 *   - cluster (bench/cluster.ts): PostgreSQL + Redis vs SQLite, 3 instances vs 1.
 *
 * Processes (2 cores shared by all): this orchestrator (load generators, the reference clients),
 * one simulator child per vendor (bench/sim-child.ts), and a fresh gateway child per scenario
 * (bench/gateway-child.ts), whose RSS is sampled inside it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchArgs, publish } from './args.js';
import { cluster } from './cluster.js';
import { BenchRun, repoRoot } from './common.js';
import { RssSampler } from './ipc.js';
import { apns } from './phase-apns.js';
import { backlog } from './phase-backlog.js';
import { fanout } from './phase-fanout.js';
import { single } from './phase-single.js';
import { fmt, machine, mb, table, type PhaseResult } from './report.js';
import type { ApnsSimInfo, HuaweiSimInfo } from './sim-child.js';

const args = benchArgs();

async function main(): Promise<void> {
  const self = new RssSampler();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pushgate-bench-'));
  const profDir = path.join(repoRoot, 'bench', 'profiles');
  if (args.cpuProf) mkdirSync(profDir, { recursive: true });
  const run = new BenchRun(args.quick, dir, [...(args.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), '--expose-gc']);
  const results: PhaseResult[] = [];
  try {
    const huaweiSim = run.child('./sim-child.js', [], ['huawei']);
    const huawei = await huaweiSim.call<HuaweiSimInfo>('info');
    run.log(`Huawei simulator at ${huawei.url}; phases ${args.phases.join(', ')}${args.quick ? ' (quick)' : ''}`);
    for (const phase of args.phases) {
      const began = performance.now();
      if (phase === 'fanout') results.push(await fanout(run, huaweiSim, huawei));
      else if (phase === 'apns') {
        const apnsSim = run.child('./sim-child.js', [], ['apns']);
        results.push(await apns(run, apnsSim, await apnsSim.call<ApnsSimInfo>('info')));
        await apnsSim.call('close').catch(() => undefined);
      } else if (phase === 'single') results.push(await single(run, huaweiSim, huawei));
      else if (phase === 'backlog') results.push(await backlog(run, huawei));
      else results.push(await cluster(run, huaweiSim, huawei));
      run.log(`phase ${phase} took ${fmt((performance.now() - began) / 1000, 1)} s`);
    }
    await huaweiSim.call('close').catch(() => undefined);

    const wall = (performance.now() - run.began) / 1000;
    const name = args.quick ? 'quick' : 'full';
    const section = [
      `## ${args.quick ? 'Quick smoke run' : 'Latest full run'} — ${new Date().toISOString()}`,
      '',
      `Command: \`npm run bench${args.quick ? ' -- --quick' : ''}\`${args.quick ? ' (quick: smaller counts; the goals are for the full run)' : ''}, wall time ${fmt(wall)} s  `,
      `Machine: ${machine()}`,
      '',
      table(results.flatMap((r) => r.rows)),
      '',
      'Raw numbers:',
      '',
      ...results.flatMap((r) => r.raw),
      `- orchestrator peak RSS ${mb(self.peak)}`,
      '',
    ].join('\n');
    console.log(`\n${section}`);
    const file = path.join(repoRoot, 'bench', 'RESULTS.md');
    if (publish(file, name, section, args.write)) run.log(`wrote ${path.relative(repoRoot, file)}`);
    else run.log(`${path.relative(repoRoot, file)} left alone (${args.phases.length < 5 ? '--only' : '--no-write'})`);
  } finally {
    await run.stopAll();
    self.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error('bench failed:', err);
  process.exit(1);
});
