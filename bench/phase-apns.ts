/**
 * Phase "apns": against the APNs simulator child (one stream per new session until the first
 * authenticated answer, as Apple does):
 * - 20,000 APNs tokens in one POST to a gateway with only the apns definition (its defaults: lane
 *   rate, streams per session), timed until the simulator has them all, next to a raw node:http2
 *   client (median of 3) and Parse Server's adapter in sequential batches of 100 (median of 2);
 *   deliveries/s and how many were lost (sent − simulator count); and, as information, the APNs
 *   durable floor (bench/floor.ts sending through the raw client's session), warmed up: how close any
 *   durable gateway of this design could come to the raw client;
 * - 200,000 APNs tokens in one send: the API caps a request at 100,000 targets
 *   (src/http/schemas.ts MAX_TARGETS), so two 100,000-token POSTs back to back on one connection,
 *   timed until the simulator has all 200,000, with the gateway's peak RSS. Registered users were
 *   not chosen: 200,000 POST /v1/devices would dominate the phase, and seeding the store behind
 *   the API would measure something else than a send. Reference: Parse's adapter on its default
 *   concurrent path (every batch of 100 at once) with 20,000.
 * pushgate, the raw client and Parse's adapter each start on a new session, so each pays Apple's one-stream start; the
 * floor, warmed up, does not.
 */
import path from 'node:path';
import { apnsProvider } from '../providers/apns/index.js';
import { APNS_TOPIC, parseAdapter, rawHttp2, type ClientRun } from './apns-clients.js';
import type { BenchRun} from './common.js';
import { apnsToken, closeChild, endToEnd, range, sendBody, SERVER_KEY, TENANT, BODY_LIMIT, type EndToEnd } from './common.js';
import type { FloorOptions } from './floor.js';
import type { GatewayChildOptions } from './gateway-child.js';
import type { Peer } from './ipc.js';
import { fmt, mb, median, perSecond, x, type PhaseResult } from './report.js';
import type { ApnsSimInfo, SimStats } from './sim-child.js';

interface Measured extends ClientRun {
  delivered: number;
  /** CPU ms of the simulator child during the run (until it settled) and of this process (the client) during it. */
  simCpuMs: number;
  clientCpuMs: number;
}

export async function apns(run: BenchRun, sim: Peer, info: ApnsSimInfo): Promise<PhaseResult> {
  const n = run.quick ? 2_000 : 20_000;
  const big = run.quick ? 20_000 : 200_000;
  const tokens = range(0, n, apnsToken);
  const opts = (file: string): GatewayChildOptions => ({
    store: { driver: 'sqlite', path: path.join(run.dir, file) },
    serverKey: SERVER_KEY,
    tenant: TENANT,
    providers: { apns: { auth: { token: { key: info.key, keyId: info.keyId, teamId: info.teamId } }, topic: APNS_TOPIC, production: true, address: '127.0.0.1', port: info.port, ca: info.caPem } },
    bodyLimit: BODY_LIMIT,
    startLanes: true,
  });

  /** A reference client run on a reset simulator: what the simulator got. */
  const measure = async (client: () => Promise<ClientRun>): Promise<Measured> => {
    await sim.call('reset');
    const cpu = process.cpuUsage();
    const r = await client();
    const used = process.cpuUsage(cpu);
    const { distinct, cpuMs } = await sim.call<SimStats>('settle', { quietMs: 200, timeoutMs: 10_000 });
    return { ...r, delivered: distinct, simCpuMs: cpuMs, clientCpuMs: (used.user + used.system) / 1000 };
  };
  await measure(() => rawHttp2(info, range(9_000_000, 1000, apnsToken))); // warms the orchestrator's JIT
  const raw: Measured[] = [];
  for (let i = 0; i < 3; i++) raw.push(await measure(() => rawHttp2(info, tokens)));
  const parseSeq: Measured[] = [];
  for (let i = 0; i < 2; i++) parseSeq.push(await measure(() => parseAdapter(info, tokens, 'sequential')));
  const parseConc = await measure(() => parseAdapter(info, tokens, 'concurrent'));
  run.log(`APNs references: raw ${raw.map((r) => fmt(r.ms)).join(', ')} ms; Parse batches ${parseSeq.map((r) => `${fmt(r.ms)} ms (${r.delivered})`).join(', ')}; Parse concurrent ${fmt(parseConc.delivered)} of ${fmt(n)}`);

  // pushgate: a fresh gateway per run, warmed like the raw client (1,000 tokens first) through a second tenant, whose
  // APNs sessions are its own: the measured tenant's session still starts cold, at one stream, like the references'.
  const warmup = { tenant: `${TENANT}-warmup`, serverKey: `${SERVER_KEY}-warmup` };
  const warmBody = sendBody('apns', range(9_200_000, 1000, apnsToken));
  const gateway = async (file: string, bodies: string[], count: number): Promise<EndToEnd & { gatewayCpuMs: number }> => {
    const { gw, ports } = await run.gateway({ ...opts(file), warmup });
    try {
      await endToEnd(sim, gw, ports.gateway, [warmBody], 1000, { auth: { authorization: `Bearer ${warmup.serverKey}` } });
      await gw.call('eventLoop'); // a new CPU window: the gateway's CPU from the POST until the simulator has all
      const e = await endToEnd(sim, gw, ports.gateway, bodies, count);
      return { ...e, gatewayCpuMs: (await gw.call<{ cpuMs: number }>('eventLoop')).cpuMs };
    } finally {
      await closeChild(gw);
    }
  };
  const body = sendBody('apns', tokens);
  // The APNs durable floor (bench/floor.ts with the raw client's session). Warmed up first (1,000 tokens in the same
  // child, so its JIT and its session are warm): the most favourable set-up for the reference.
  const floorRuns: EndToEnd[] = [];
  const floor = run.child('./floor.js', run.gatewayArgv.filter((a) => a !== '--expose-gc'));
  try {
    // The APNs lane's own batch and concurrency, as the gateway uses them.
    const { maxTargetsPerRequest: batch, defaultRate } = apnsProvider.limits;
    const floorOpts: FloorOptions = { dbPath: path.join(run.dir, 'apns-floor.db'), serverKey: SERVER_KEY, apns: info, batch, concurrency: defaultRate.concurrency };
    const port = await floor.call<number>('start', floorOpts);
    await endToEnd(sim, floor, port, [sendBody('apns', range(9_500_000, 1000, apnsToken))], 1000);
    for (let i = 0; i < 2; i++) floorRuns.push(await endToEnd(sim, floor, port, [body], n));
  } finally {
    await closeChild(floor);
  }
  run.log(`APNs durable floor ${fmt(n)}: ${floorRuns.map((e) => `${fmt(e.ms)} ms`).join(', ')}`);
  const pg: Array<EndToEnd & { gatewayCpuMs: number }> = [];
  for (let i = 0; i < 2; i++) pg.push(await gateway(`apns-${i}.db`, [body], n));
  run.log(`APNs pushgate ${fmt(n)}: ${pg.map((e) => `${fmt(e.ms)} ms`).join(', ')}`);
  const halves = [range(10_000_000, big / 2, apnsToken), range(10_000_000 + big / 2, big / 2, apnsToken)].map((t) => sendBody('apns', t));
  const huge = await gateway('apns-big.db', halves, big);
  run.log(`APNs pushgate ${fmt(big)}: accepted ${fmt(huge.acceptMs)} ms, all after ${fmt(huge.ms)} ms, peak RSS ${mb(huge.peakRss)}`);

  const med = (runs: Array<{ ms: number }>) => median(runs.map((r) => r.ms));
  const rawRate = perSecond(n, med(raw));
  const parseRate = perSecond(median(parseSeq.map((r) => r.delivered)), med(parseSeq));
  const pgRate = perSecond(n, med(pg));
  const floorRate = perSecond(n, med(floorRuns));
  const lost = (runs: Measured[]) => runs.map((r) => n - r.delivered);
  const pgLost = pg.map((e) => n - e.accepted);
  // Is the raw client bound by the simulator? Its share of one core while the raw client ran, and while pushgate
  // dispatched (after the 202), with each side's CPU per delivery (steadier than wall time on a shared machine).
  // Pushgate sends nothing before its 202 and does at least the raw client's HTTP/2 work per stream, so it can at
  // best reach raw / (accept + raw), whichever process bounds the raw client.
  const busy = (cpuMs: number, ms: number) => `${fmt((cpuMs / ms) * 100)}%`;
  const rawMid = [...raw].sort((a, b) => a.ms - b.ms)[1] ?? raw[0]!;
  const pgFast = [...pg].sort((a, b) => a.ms - b.ms)[0]!;
  const pgSimCpu = (e: EndToEnd) => e.sim.cpuMs - e.simAtAccept.cpuMs;
  const acceptMed = median(pg.map((e) => e.acceptMs));
  const simLine = `- simulator busy: raw ${raw.map((r) => busy(r.simCpuMs, r.ms)).join(', ')} / pushgate ${pg.map((e) => busy(pgSimCpu(e), e.ms - e.acceptMs)).join(', ')} of one core (pushgate: after its 202, from counters the busy simulator reports a little after it, so a low bound); simulator CPU per delivery raw ${fmt((rawMid.simCpuMs * 1000) / n)} µs / pushgate ${fmt((pgSimCpu(pgFast) * 1000) / n)} µs; raw client ${raw.map((r) => busy(r.clientCpuMs, r.ms)).join(', ')} of one core (${fmt((rawMid.clientCpuMs * 1000) / n)} µs per delivery); pushgate's gateway ${pg.map((e) => fmt((e.gatewayCpuMs * 1000) / n)).join(', ')} µs per delivery (accept and dispatch); best ratio if pushgate dispatched as fast as the raw client: raw / (accept + raw) = ${fmt(med(raw))} / (${fmt(acceptMed)} + ${fmt(med(raw))}) = ${x(med(raw) / (acceptMed + med(raw)))}`;
  const describe = (r: Measured) => `${fmt(r.ms)} ms, ${fmt(r.delivered)} delivered, client saw ${fmt(r.ok)} ok / ${fmt(r.failed)} failed${r.firstFailure ? ` (first: ${r.firstFailure})` : ''}`;
  return {
    rows: [
      { figure: `${fmt(n)} APNs tokens in one POST, simulator with one stream per new session (deliveries/s)`, reference: `raw node:http2 ${fmt(rawRate)}/s`, pushgate: `${fmt(pgRate)}/s, lost ${Math.max(...pgLost)}`, ratio: x(pgRate / rawRate), goal: '≥ 0.8× raw, none lost', met: pgRate / rawRate >= 0.8 && Math.max(...pgLost) === 0 },
      { figure: '(information) the same through the APNs durable floor (the fan-out floor\'s accept and rows; 4 workers claim 1000, decrypt, send through the raw client\'s session, mark sent)', reference: `raw node:http2 ${fmt(rawRate)}/s`, pushgate: `floor ${fmt(floorRate)}/s; pushgate ÷ floor ${x(pgRate / floorRate)}`, ratio: x(floorRate / rawRate), goal: '—', met: undefined },
      { figure: 'the same ÷ Parse Server\'s push adapter (node-apn, batches of 100)', reference: `Parse ${fmt(parseRate)}/s, lost ${lost(parseSeq).join(' / ')}`, pushgate: `${fmt(pgRate)}/s`, ratio: x(pgRate / parseRate), goal: 'ahead (> 1×)', met: pgRate > parseRate },
      { figure: `${fmt(big)} APNs tokens in one send (two ${fmt(big / 2)}-target POSTs: the API's cap)`, reference: `Parse, all batches at once: ${fmt(parseConc.delivered)} of ${fmt(n)} delivered`, pushgate: `${fmt(huge.accepted)} of ${fmt(big)} delivered, ${fmt(perSecond(big, huge.ms))}/s, peak RSS ${mb(huge.peakRss)}`, ratio: '', goal: 'all delivered, peak RSS reported', met: huge.accepted >= big },
    ],
    raw: [
      `- APNs simulator child: initialMaxStreams 1, then 1000 streams per session; gateway child with only the apns definition and its defaults, SQLite, a fresh child per run, warmed with 1,000 tokens through a second tenant (its own APNs session) so its JIT is warm like the raw client's while the measured session starts cold`,
      `- raw node:http2 (one session, first request alone, ≤ 1000 in flight): ${raw.map(describe).join('; ')}; refused streams sent again: ${raw.map((r) => (r as Measured & { refused?: number }).refused ?? 0).join(', ')}`,
      `- APNs durable floor (bench/floor.ts child with the raw client's session, warmed up with 1,000 tokens in the same child, so its JIT and its session are warm (the gateway's JIT is warm, its session cold); the ratio column is floor ÷ raw): accept ${floorRuns.map((e) => fmt(e.acceptMs)).join(', ')} ms; end to end ${floorRuns.map((e) => fmt(e.ms)).join(', ')} ms; lost ${floorRuns.map((e) => n - e.accepted).join(', ')}`,
      `- Parse adapter, sequential batches of 100: ${parseSeq.map(describe).join('; ')}`,
      `- Parse adapter, every batch at once (Parse Server's default): ${describe(parseConc)}`,
      `- pushgate ${fmt(n)}: accept ${pg.map((e) => fmt(e.acceptMs)).join(', ')} ms; end to end ${pg.map((e) => fmt(e.ms)).join(', ')} ms; delivered twice ${pg.map((e) => e.duplicates).join(', ')}; sessions opened ${pg.map((e) => e.sim.sessionsOpened).join(', ')} (cumulative), most streams in flight ${pg.map((e) => e.sim.maxStreamsInFlight).join(', ')}; peak RSS ${pg.map((e) => mb(e.peakRss)).join(', ')}`,
      simLine,
      `- pushgate ${fmt(big)}: both POSTs answered after ${fmt(huge.acceptMs)} ms; all delivered after ${fmt(huge.ms)} ms; simulator had ${fmt(huge.accepted)} different tokens (${fmt(huge.duplicates)} delivered twice: at least once); gateway peak RSS ${mb(huge.peakRss)}`,
    ],
  };
}
