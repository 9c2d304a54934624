/**
 * pushgate's first benchmark (`npm run bench`; `npm run bench -- --quick` for a smoke run).
 * Every figure is measured next to its reference in the same run (bench/RESULTS.md lists each figure with its target).
 *
 * Processes (2 cores are shared by all of them; see bench/RESULTS.md for how to read the figures):
 *   - this orchestrator: builds request bodies, runs the load generators and the plain reference
 *     client, and polls the simulator over IPC;
 *   - bench/sim-child.ts: one Huawei simulator for every phase, in its own process so the vendor's
 *     CPU is never taken from the event loop being measured;
 *   - bench/gateway-child.ts: the gateway under test (SQLite temp file, local queue), plus a bare
 *     express "hello" app in the same process. A fresh child per scenario.
 *
 * Flags: --quick (small counts), --cpu-prof (write V8 CPU profiles of the gateway children into
 * bench/profiles/), --no-write (do not touch bench/RESULTS.md).
 *
 * The HTTP load generator is bench/load.ts, the report (table, machine line, RESULTS.md writer) bench/report.ts.
 */
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { HuaweiProvider, type HuaweiConfig } from '../providers/huawei/index.js';
import type { DeliveryTarget, OutgoingMessage, PushProvider, SendBatch } from '../providers/types.js';
import type { GatewayChildOptions, GatewayPorts } from './gateway-child.js';
import { Peer, RssSampler, type RssReading } from './ipc.js';
import type { SimInfo, SimStats } from './sim-child.js';
import { benchArgs } from './args.js';
import { load, merge, pct, post, type LoadResult } from './load.js';
import { fmt, machine, MB, mb, table, writeResults, type Row } from './report.js';

const { quick: QUICK, cpuProf: CPU_PROF, write: WRITE } = benchArgs();

const P = QUICK
  ? { targets: 10_000, warmTargets: 2_000, single: 1_000, singleWarm: 200, clients: 32, backlogMessages: 2, backlogTargets: 10_000, smallMessages: 4, smallTargets: 5_000 }
  : { targets: 100_000, warmTargets: 10_000, single: 5_000, singleWarm: 500, clients: 32, backlogMessages: 10, backlogTargets: 100_000, smallMessages: 100, smallTargets: 10_000 };
const BATCH = 1000; // Huawei's per-request token limit; the gateway's lane batches the same way.
const LANE = { perSecond: 1000, concurrency: 8 }; // 1000 × 1000 tokens/s: never binds here.
const TENANT = 'bench';
const SERVER_KEY = 'bench-server-key-0000000001';
const AUTH = { authorization: `Bearer ${SERVER_KEY}` };
const BODY_LIMIT = '32mb'; // 100,000 raw tokens are ~16 MB of JSON.

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

/** A plausible ~130-character Huawei push token (format of providers/huawei/huawei.token.ts). */
function token(n: number): string {
  const head = `IQAAAACy0${String(n).padStart(9, '0')}`;
  return (head + 'AAAAbcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'.repeat(2)).slice(0, 130);
}
const tokenRange = (from: number, count: number) => Array.from({ length: count }, (_, i) => token(from + i));

const NOTIFICATION = { title: 'pushgate bench', body: 'one message to many devices' };

// ---------------------------------------------------------------- the phases

/** The plain client: the Huawei adapter class itself, no gateway, same batches and concurrency as the lane. */
async function reference(sim: Peer, info: SimInfo, tokens: string[], warm: string[], repeats: number): Promise<{ ms: number; runs: number[]; accepted: number; notSent: number }> {
  const config: HuaweiConfig = { appId: info.appId, clientSecret: info.clientSecret, endpoint: info.url, authEndpoint: info.url };
  const provider: PushProvider = new HuaweiProvider(config, { now: Date.now, random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} });
  const message: OutgoingMessage = { id: 'msg_bench_reference', notification: NOTIFICATION, data: {}, options: { priority: 'high', category: 'im' }, createdAt: Date.now() };
  const batches = (list: string[]): SendBatch[] => {
    const out: SendBatch[] = [];
    for (let i = 0; i < list.length; i += BATCH) {
      const targets: DeliveryTarget[] = list.slice(i, i + BATCH).map((t, j) => ({ deliveryId: `dlv_${i + j}`, token: t, registered: false }));
      out.push({ message, targets, callbackRef: message.id });
    }
    return out;
  };
  const run = async (work: SendBatch[]): Promise<number> => {
    let next = 0;
    let notSent = 0;
    await Promise.all(
      Array.from({ length: LANE.concurrency }, async () => {
        while (next < work.length) {
          const batch = work[next++] as SendBatch;
          const out = await provider.send(batch);
          notSent += out.results.filter((r) => r.outcome !== 'sent').length;
        }
      }),
    );
    return notSent;
  };

  // Warm-up: fetches the OAuth token and warms both processes' JIT.
  await run(batches(warm));
  const work = batches(tokens);
  const runs: number[] = [];
  let notSent = 0;
  let accepted = 0;
  for (let r = 0; r < repeats; r++) {
    await sim.call('reset');
    const started = performance.now();
    notSent += await run(work);
    const done = await sim.call<SimStats>('waitFor', { count: tokens.length, timeoutMs: 120_000 });
    runs.push(performance.now() - started);
    accepted = done.accepted;
  }
  await provider.close();
  return { ms: pct(runs, 50), runs, accepted, notSent };
}

function sendBody(tokens: string[]): string {
  return JSON.stringify({ to: { tokens: tokens.map((t) => ({ provider: 'huawei', token: t })) }, notification: NOTIFICATION, options: { category: 'im' } });
}

interface EndToEnd {
  acceptMs: number;
  ms: number;
  accepted: number;
  gatewayRss: RssReading;
  simRss: RssReading;
}

/** One POST /v1/messages with every target as a raw token; timed until the simulator accepted them all. */
async function endToEnd(sim: Peer, gw: Peer, port: number, tokens: string[], warm: string[]): Promise<EndToEnd> {
  const agent = new http.Agent({ keepAlive: true });
  const headers = { authorization: `Bearer ${SERVER_KEY}` };
  const once = async (list: string[]) => {
    const body = sendBody(list);
    await sim.call('reset');
    await gw.call('resetRss');
    const started = performance.now();
    const delivered = sim.call<SimStats>('waitFor', { count: list.length, timeoutMs: 300_000 });
    const res = await post(agent, port, '/v1/messages', body, headers);
    const acceptMs = performance.now() - started;
    if (res.status !== 202) throw new Error(`POST /v1/messages answered ${res.status}: ${res.text.slice(0, 500)}`);
    const done = await delivered;
    const ms = performance.now() - started;
    return { acceptMs, ms, accepted: done.accepted, gatewayRss: await gw.call<RssReading>('rss'), simRss: done.rss };
  };
  await once(warm);
  const result = await once(tokens);
  agent.destroy();
  return result;
}

interface SingleTarget {
  messages: LoadResult;
  hello: LoadResult;
}

/**
 * Single-target POST /v1/messages vs the bare express hello route in the same process; two
 * alternating rounds. With lanes running, `drain(n)` waits until the simulator has the first n
 * messages, so the hello rounds never share the process with dispatch work.
 */
async function singleTarget(ports: GatewayPorts, tokenOffset: number, drain: (count: number) => Promise<unknown>): Promise<SingleTarget> {
  const msgBody = (i: number) => JSON.stringify({ to: { tokens: [{ provider: 'huawei', token: token(tokenOffset + i) }] }, notification: NOTIFICATION, options: { category: 'im' } });
  const helloBody = msgBody; // the same bytes on the wire; the hello route parses them and ignores them
  const half = Math.floor(P.single / 2);
  await load(ports.hello, '/hello', AUTH, helloBody, P.singleWarm, P.clients, 200);
  await load(ports.gateway, '/v1/messages', AUTH, msgBody, P.singleWarm, P.clients, 202, 0);
  let offset = P.singleWarm;
  await drain(offset);
  let hello = await load(ports.hello, '/hello', AUTH, helloBody, half, P.clients, 200);
  let messages = await load(ports.gateway, '/v1/messages', AUTH, msgBody, half, P.clients, 202, offset);
  offset += half;
  await drain(offset);
  hello = merge(hello, await load(ports.hello, '/hello', AUTH, helloBody, P.single - half, P.clients, 200));
  messages = merge(messages, await load(ports.gateway, '/v1/messages', AUTH, msgBody, P.single - half, P.clients, 202, offset));
  offset += P.single - half;
  await drain(offset);
  return { messages, hello };
}

interface Backlog {
  acceptMs: number[];
  pendingBefore: number;
  pending: number;
  peak: number;
  settled: NodeJS.MemoryUsage;
}

/** `messages` × `tokens.length` raw tokens accepted into a gateway whose lanes are not started. */
async function backlog(gw: Peer, port: number, tokens: string[], messages: number): Promise<Backlog> {
  const agent = new http.Agent({ keepAlive: true });
  const headers = { authorization: `Bearer ${SERVER_KEY}` };
  const body = sendBody(tokens); // the same audience for every message: dedup is per message, so each adds all of them
  const acceptMs: number[] = [];
  const pendingBefore = await gw.call<number>('pending', TENANT);
  await gw.call('gc');
  await gw.call('resetRss');
  for (let m = 0; m < messages; m++) {
    const t = performance.now();
    const res = await post(agent, port, '/v1/messages', body, headers);
    acceptMs.push(performance.now() - t);
    if (res.status !== 202) throw new Error(`backlog message ${m} answered ${res.status}: ${res.text.slice(0, 500)}`);
  }
  agent.destroy();
  const pending = await gw.call<number>('pending', TENANT);
  const { peak } = await gw.call<RssReading>('rss');
  const settled = await gw.call<NodeJS.MemoryUsage>('gc');
  return { acceptMs, pendingBefore, pending, peak, settled };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const began = performance.now();
  const self = new RssSampler();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pushgate-bench-'));
  const profDir = path.join(repoRoot, 'bench', 'profiles');
  if (CPU_PROF) mkdirSync(profDir, { recursive: true });
  const gwArgv = [...(CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), '--expose-gc'];
  const log = (s: string) => console.log(`[${fmt((performance.now() - began) / 1000, 1)}s] ${s}`);

  const sim = Peer.start('./sim-child.js');
  const peers: Peer[] = [sim];
  try {
    const info = await sim.call<SimInfo>('info');
    const tokens = tokenRange(0, P.targets);
    const warm = tokenRange(5_000_000, P.warmTargets);
    log(`simulator at ${info.url}; ${fmt(P.targets)} targets in batches of ${BATCH}, concurrency ${LANE.concurrency}${QUICK ? ' (quick)' : ''}`);

    // 1. reference: the plain client straight to the simulator.
    const ref = await reference(sim, info, tokens, warm, 5);
    log(`reference: median of ${ref.runs.map((m) => fmt(m)).join(', ')} ms = ${fmt((P.targets / ref.ms) * 1000)} deliveries/s (not sent: ${ref.notSent})`);

    // 2. end to end through gateway A (lanes running).
    const gwA = Peer.start('./gateway-child.js', gwArgv);
    peers.push(gwA);
    const optsA: GatewayChildOptions = { dbPath: path.join(dir, 'a.db'), serverKey: SERVER_KEY, tenant: TENANT, sim: info, rateLimit: LANE, bodyLimit: BODY_LIMIT, startLanes: true };
    const portsA = await gwA.call<GatewayPorts>('start', optsA);
    const e2e = await endToEnd(sim, gwA, portsA.gateway, tokens, warm);
    log(`end to end: accepted in ${fmt(e2e.acceptMs)} ms, all delivered in ${fmt(e2e.ms)} ms, ${fmt((P.targets / e2e.ms) * 1000)} deliveries/s, gateway peak RSS ${mb(e2e.gatewayRss.peak)}`);

    // 3. single target vs hello, lanes running (the gateway also dispatches what it accepts).
    await sim.call('reset');
    const stA = await singleTarget(portsA, 7_000_000, (count) => sim.call('waitFor', { count, timeoutMs: 120_000 }));
    const simAfterSingle = await sim.call<SimStats>('stats');
    log(`single target (lanes running): ${fmt((stA.messages.count / stA.messages.ms) * 1000)} req/s p99 ${fmt(pct(stA.messages.latencies, 99), 1)} ms; hello ${fmt((stA.hello.count / stA.hello.ms) * 1000)} req/s`);
    await gwA.call('close');
    await gwA.stop();

    // 4. gateway B: lanes never started — accept only, then the 1,000,000-delivery backlog.
    const gwB = Peer.start('./gateway-child.js', gwArgv);
    peers.push(gwB);
    const portsB = await gwB.call<GatewayPorts>('start', { ...optsA, dbPath: path.join(dir, 'b.db'), startLanes: false } satisfies GatewayChildOptions);
    const stB = await singleTarget(portsB, 8_000_000, async () => undefined);
    log(`single target (accept only): ${fmt((stB.messages.count / stB.messages.ms) * 1000)} req/s p99 ${fmt(pct(stB.messages.latencies, 99), 1)} ms; hello ${fmt((stB.hello.count / stB.hello.ms) * 1000)} req/s`);
    const backlogTokens = P.backlogTargets === P.targets ? tokens : tokenRange(0, P.backlogTargets);
    const bl = await backlog(gwB, portsB.gateway, backlogTokens, P.backlogMessages);
    log(`backlog: ${fmt(bl.pending - bl.pendingBefore)} more pending, gateway peak RSS ${mb(bl.peak)}, after GC ${mb(bl.settled.rss)}; accepts ${bl.acceptMs.map((m) => fmt(m)).join(', ')} ms`);
    await gwB.call('close');
    await gwB.stop();

    // 5. the same backlog size from smaller messages: separates the accept transient from the backlog.
    const gwC = Peer.start('./gateway-child.js', gwArgv);
    peers.push(gwC);
    const portsC = await gwC.call<GatewayPorts>('start', { ...optsA, dbPath: path.join(dir, 'c.db'), startLanes: false } satisfies GatewayChildOptions);
    const small = await backlog(gwC, portsC.gateway, tokenRange(0, P.smallTargets), P.smallMessages);
    log(`backlog from small messages: ${fmt(small.pending)} pending, gateway peak RSS ${mb(small.peak)}, after GC ${mb(small.settled.rss)}; median accept ${fmt(pct(small.acceptMs, 50))} ms`);
    await gwC.call('close');
    await gwC.stop();
    const simStats = await sim.call<SimStats>('stats');

    // ---- figures
    const refRate = (P.targets / ref.ms) * 1000;
    const e2eRate = (P.targets / e2e.ms) * 1000;
    const ratio = e2eRate / refRate;
    const rate = (r: LoadResult) => (r.count / r.ms) * 1000;
    const stRatioA = rate(stA.messages) / rate(stA.hello);
    const stRatioB = rate(stB.messages) / rate(stB.hello);
    const p99A = pct(stA.messages.latencies, 99);
    const p99B = pct(stB.messages.latencies, 99);
    const backlogTotal = P.backlogMessages * P.backlogTargets;
    const scale = QUICK ? ' (quick: smaller counts, targets are for the full run)' : '';
    const rows: Row[] = [
      { figure: `end-to-end deliveries/s ÷ plain client (${fmt(P.targets)} targets, ${BATCH}/request)`, measured: `${fmt(ratio, 2)} (${fmt(e2eRate)} ÷ ${fmt(refRate)})`, target: '≥ 0.8', ok: ratio >= 0.8 },
      { figure: 'end-to-end deliveries/s, Huawei-style batches', measured: fmt(e2eRate), target: '≥ 50,000 (2 cores)', ok: e2eRate >= 50_000 },
      { figure: `one message to ${fmt(P.targets)} raw tokens accepted durably (202)`, measured: `${fmt(e2e.acceptMs)} ms`, target: '< 2 s', ok: e2e.acceptMs < 2000 },
      { figure: 'peak RSS of the gateway process during the end-to-end run', measured: mb(e2e.gatewayRss.peak), target: '(reported)', ok: undefined },
      { figure: `single-target POST /v1/messages ÷ bare express hello, lanes running (${P.clients} clients)`, measured: `${fmt(stRatioA, 2)} (${fmt(rate(stA.messages))} ÷ ${fmt(rate(stA.hello))} req/s)`, target: '≥ 0.5', ok: stRatioA >= 0.5 },
      { figure: 'single-target POST /v1/messages p99, lanes running', measured: `${fmt(p99A, 1)} ms`, target: '< 25 ms', ok: p99A < 25 },
      { figure: 'single-target ÷ hello, accept only (lanes not started)', measured: `${fmt(stRatioB, 2)} (${fmt(rate(stB.messages))} ÷ ${fmt(rate(stB.hello))} req/s)`, target: '≥ 0.5', ok: stRatioB >= 0.5 },
      { figure: 'single-target p99, accept only', measured: `${fmt(p99B, 1)} ms`, target: '< 25 ms', ok: p99B < 25 },
      { figure: `${fmt(backlogTotal)} queued deliveries (${P.backlogMessages} messages × ${fmt(P.backlogTargets)}): gateway peak RSS`, measured: mb(bl.peak), target: '< 300 MB', ok: bl.peak < 300 * MB },
      { figure: `${fmt(P.smallMessages * P.smallTargets)} queued deliveries (${P.smallMessages} messages × ${fmt(P.smallTargets)}): gateway peak RSS`, measured: mb(small.peak), target: '< 300 MB', ok: small.peak < 300 * MB },
    ];
    const md = table(rows);

    const raw = [
      `- reference (HuaweiProvider.send, ${LANE.concurrency} in flight, in the orchestrator process): ${fmt(P.targets)} tokens, median of ${ref.runs.length} runs (${ref.runs.map((m) => fmt(m, 1)).join(', ')} ms); simulator accepted ${fmt(ref.accepted)} per run; results other than sent: ${ref.notSent}`,
      `- end to end (gateway child, lane ${LANE.perSecond}/s × ${LANE.concurrency}): POST answered 202 after ${fmt(e2e.acceptMs, 1)} ms; simulator had all ${fmt(P.targets)} after ${fmt(e2e.ms, 1)} ms (accepted ${fmt(e2e.accepted)}); dispatch alone ${fmt(e2e.ms - e2e.acceptMs, 1)} ms = ${fmt((P.targets / (e2e.ms - e2e.acceptMs)) * 1000)} deliveries/s`,
      `- RSS during end to end: gateway peak ${mb(e2e.gatewayRss.peak)} (now ${mb(e2e.gatewayRss.current)}), simulator child peak ${mb(e2e.simRss.peak)}, orchestrator peak ${mb(self.peak)}`,
      ...[
        ['lanes running', stA],
        ['accept only', stB],
      ].map(([label, st]) => {
        const s = st as SingleTarget;
        const l = (r: LoadResult) => `${fmt(r.count)} req in ${fmt(r.ms)} ms = ${fmt(rate(r))} req/s, p50 ${fmt(pct(r.latencies, 50), 1)} / p99 ${fmt(pct(r.latencies, 99), 1)} / max ${fmt(pct(r.latencies, 100), 1)} ms, unexpected status ${r.unexpected}${r.firstUnexpected ? ` (${r.firstUnexpected})` : ''}`;
        return `- single target, ${label as string}: messages ${l(s.messages)}; hello ${l(s.hello)}`;
      }),
      `- single target, lanes running: the lanes delivered all ${fmt(simAfterSingle.accepted)} single-target messages (${fmt(simAfterSingle.sendRequests)} vendor requests); hello rounds start only once the simulator has every message posted so far`,
      `- backlog (gateway child whose lanes were never started): ${P.backlogMessages} × ${fmt(P.backlogTargets)} raw tokens; accept times ${bl.acceptMs.map((m) => fmt(m)).join(', ')} ms; pending in store ${fmt(bl.pendingBefore)} → ${fmt(bl.pending)}; gateway peak RSS ${mb(bl.peak)}; after a forced GC rss ${mb(bl.settled.rss)}, heapUsed ${mb(bl.settled.heapUsed)}, heapTotal ${mb(bl.settled.heapTotal)}, external ${mb(bl.settled.external)}`,
      `- backlog from smaller messages (fresh gateway child, lanes never started): ${P.smallMessages} × ${fmt(P.smallTargets)} raw tokens; accept p50 ${fmt(pct(small.acceptMs, 50))} / max ${fmt(pct(small.acceptMs, 100))} ms; pending ${fmt(small.pending)}; peak RSS ${mb(small.peak)}; after a forced GC rss ${mb(small.settled.rss)}, heapUsed ${mb(small.settled.heapUsed)}`,
      `- simulator: ${fmt(simStats.tokenRequests)} OAuth token requests over the run, peak RSS ${mb(simStats.rss.peak)}`,
      `- wall time ${fmt((performance.now() - began) / 1000, 1)} s`,
    ].join('\n');

    const date = new Date().toISOString();
    const section = `## ${QUICK ? 'Quick smoke run' : 'Latest full run'} — ${date}\n\nCommand: \`npm run bench${QUICK ? ' -- --quick' : ''}\`${scale}  \nMachine: ${machine()}\n\n${md}\n\nRaw numbers:\n\n${raw}\n`;
    console.log(`\n${section}`);
    if (WRITE) log(`wrote ${path.relative(repoRoot, writeResults(path.join(repoRoot, 'bench', 'RESULTS.md'), QUICK ? 'quick' : 'full', section))}`);
  } finally {
    await sim.call('close').catch(() => undefined);
    await Promise.all(peers.map((p) => p.stop()));
    self.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error('bench failed:', err);
  process.exit(1);
});
