/**
 * Phase "fanout": one POST with 100,000 raw Huawei tokens, until the simulator has them all, for
 * pushgate (SQLite, local queue) and the durable floor (bench/floor.ts), alternating rounds in the
 * same run; plus the old plain client (HuaweiProvider.send with no store) as an information line.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { HuaweiProvider } from '../providers/huawei/index.js';
import type { DeliveryTarget, OutgoingMessage, PushProvider, SendBatch } from '../providers/types.js';
import type { BenchRun} from './common.js';
import { BATCH, closeChild, endToEnd, HUAWEI_LANE, huaweiToken, NOTIFICATION, range, sendBody, SERVER_KEY, TENANT, BODY_LIMIT, type EndToEnd } from './common.js';
import type { FloorOptions } from './floor.js';
import type { Peer } from './ipc.js';
import { fmt, mb, median, perSecond, x, type PhaseResult } from './report.js';
import type { HuaweiSimInfo, SimStats } from './sim-child.js';

/** The plain client: the Huawei adapter itself, no store, the lane's batches and concurrency. */
async function plainClient(sim: Peer, info: HuaweiSimInfo, tokens: string[], warm: string[], repeats: number): Promise<number[]> {
  const provider: PushProvider = new HuaweiProvider({ appId: info.appId, clientSecret: info.clientSecret, endpoint: info.url, authEndpoint: info.url }, { now: Date.now, random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} });
  const message: OutgoingMessage = { id: 'msg_bench_plain', notification: NOTIFICATION, data: {}, options: { priority: 'high', category: 'im' }, createdAt: Date.now() };
  const batches = (list: string[]): SendBatch[] => {
    const out: SendBatch[] = [];
    for (let i = 0; i < list.length; i += BATCH) {
      const targets: DeliveryTarget[] = list.slice(i, i + BATCH).map((t, j) => ({ deliveryId: `dlv_${i + j}`, token: t, registered: false }));
      out.push({ message, targets, callbackRef: message.id });
    }
    return out;
  };
  const run = async (work: SendBatch[]) => {
    let next = 0;
    await Promise.all(Array.from({ length: HUAWEI_LANE.concurrency }, async () => {
      while (next < work.length) await provider.send(work[next++]!);
    }));
  };
  await run(batches(warm)); // fetches the OAuth token, warms both processes' JIT
  const work = batches(tokens);
  const runs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    await sim.call('reset');
    const started = performance.now();
    await run(work);
    await sim.call<SimStats>('waitFor', { count: tokens.length, timeoutMs: 120_000 });
    runs.push(performance.now() - started);
  }
  await provider.close();
  return runs;
}

export async function fanout(run: BenchRun, sim: Peer, info: HuaweiSimInfo): Promise<PhaseResult> {
  const n = run.quick ? 10_000 : 100_000;
  const rounds = run.quick ? 2 : 3;
  const tokens = range(0, n, huaweiToken);
  const body = sendBody('huawei', tokens);
  const warmBody = sendBody('huawei', range(5_000_000, n / 10, huaweiToken));

  const plain = await plainClient(sim, info, tokens, range(5_000_000, n / 10, huaweiToken), 5);
  run.log(`plain client: ${plain.map((m) => fmt(m)).join(', ')} ms`);

  const floor = run.child('./floor.js', run.gatewayArgv.filter((a) => a !== '--expose-gc'));
  const floorPort = await floor.call<number>('start', { dbPath: path.join(run.dir, 'floor.db'), serverKey: SERVER_KEY, sim: info, batch: BATCH, concurrency: HUAWEI_LANE.concurrency } satisfies FloorOptions);
  const { gw, ports } = await run.gateway({
    store: { driver: 'sqlite', path: path.join(run.dir, 'fanout.db') },
    serverKey: SERVER_KEY,
    tenant: TENANT,
    providers: { huawei: { appId: info.appId, clientSecret: info.clientSecret, endpoint: info.url, authEndpoint: info.url, rateLimit: HUAWEI_LANE } },
    bodyLimit: BODY_LIMIT,
    startLanes: true,
  });
  await endToEnd(sim, floor, floorPort, [warmBody], n / 10);
  await endToEnd(sim, gw, ports.gateway, [warmBody], n / 10);
  const floorRuns: EndToEnd[] = [];
  const gwRuns: EndToEnd[] = [];
  for (let r = 0; r < rounds; r++) {
    floorRuns.push(await endToEnd(sim, floor, floorPort, [body], n));
    gwRuns.push(await endToEnd(sim, gw, ports.gateway, [body], n));
    run.log(`fan-out round ${r + 1}: floor ${fmt(floorRuns[r]!.acceptMs)} / ${fmt(floorRuns[r]!.ms)} ms, pushgate ${fmt(gwRuns[r]!.acceptMs)} / ${fmt(gwRuns[r]!.ms)} ms (accept / end to end)`);
  }
  await closeChild(floor);
  await closeChild(gw);

  const med = (runs: EndToEnd[], k: 'acceptMs' | 'ms') => median(runs.map((e) => e[k]));
  const floorRate = perSecond(n, med(floorRuns, 'ms'));
  const gwRate = perSecond(n, med(gwRuns, 'ms'));
  const plainRate = perSecond(n, median(plain));
  const acceptRatio = med(gwRuns, 'acceptMs') / med(floorRuns, 'acceptMs');
  const list = (runs: EndToEnd[], k: 'acceptMs' | 'ms') => runs.map((e) => fmt(e[k])).join(', ');
  const lost = (runs: EndToEnd[]) => runs.reduce((s, e) => s + Math.max(0, n - e.accepted), 0);
  return {
    rows: [
      { figure: `${fmt(n)} raw Huawei tokens in one POST, until the simulator has them all (deliveries/s)`, reference: `durable floor ${fmt(floorRate)}/s`, pushgate: `${fmt(gwRate)}/s`, ratio: x(gwRate / floorRate), goal: '≥ 0.8× the floor', met: gwRate / floorRate >= 0.8 },
      { figure: 'the same POST answered 202 (accept time)', reference: `floor ${fmt(med(floorRuns, 'acceptMs'))} ms`, pushgate: `${fmt(med(gwRuns, 'acceptMs'))} ms`, ratio: x(acceptRatio), goal: '≤ 1.5× the floor\'s time', met: acceptRatio <= 1.5 },
      { figure: '(information) the same fan-out ÷ a plain client without a store', reference: `HuaweiProvider.send ${fmt(plainRate)}/s`, pushgate: `${fmt(gwRate)}/s`, ratio: x(gwRate / plainRate), goal: '—', met: undefined },
      { figure: 'gateway peak RSS during that fan-out', reference: `floor ${mb(Math.max(...floorRuns.map((e) => e.peakRss)))}`, pushgate: mb(Math.max(...gwRuns.map((e) => e.peakRss))), ratio: '', goal: 'reported', met: undefined },
    ],
    raw: [
      `- fan-out: ${fmt(n)} raw Huawei tokens (≈${fmt(body.length / 1024 / 1024, 1)} MB of JSON), lane ${HUAWEI_LANE.perSecond}/s × ${HUAWEI_LANE.concurrency} in flight, ${BATCH} tokens a request; ${rounds} alternating rounds after a ${fmt(n / 10)}-token warm-up of each; medians`,
      `- durable floor (bench/floor.ts child): accept ${list(floorRuns, 'acceptMs')} ms; end to end ${list(floorRuns, 'ms')} ms; lost ${lost(floorRuns)}`,
      `- pushgate (gateway child, SQLite, local queue): accept ${list(gwRuns, 'acceptMs')} ms; end to end ${list(gwRuns, 'ms')} ms; lost ${lost(gwRuns)}; delivered twice ${gwRuns.map((e) => e.duplicates).join(', ')}; dispatch alone (median) ${fmt(med(gwRuns, 'ms') - med(gwRuns, 'acceptMs'))} ms`,
      `- plain client (HuaweiProvider.send in the orchestrator, no store, ${HUAWEI_LANE.concurrency} in flight): ${plain.map((m) => fmt(m, 1)).join(', ')} ms`,
    ],
  };
}
