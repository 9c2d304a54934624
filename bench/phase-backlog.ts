/**
 * Phase "backlog": 1,000,000 queued deliveries in a gateway whose lanes are never started, from
 * 10 messages × 100,000 raw tokens (the figure), and the same backlog from 100 × 10,000 (the
 * reference: it separates the per-request accept transient from the backlog itself). RSS is
 * sampled every 50 ms inside the gateway child.
 */
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchRun} from './common.js';
import { AUTH, closeChild, HUAWEI_LANE, huaweiToken, range, sendBody, SERVER_KEY, TENANT, BODY_LIMIT } from './common.js';
import type { RssReading } from './ipc.js';
import { post } from './load.js';
import { fmt, mb, MB, pct, x, type PhaseResult } from './report.js';
import type { HuaweiSimInfo } from './sim-child.js';

interface Backlog {
  acceptMs: number[];
  pending: number;
  peak: number;
  settled: NodeJS.MemoryUsage;
}

async function fill(run: BenchRun, info: HuaweiSimInfo, file: string, messages: number, targets: number): Promise<Backlog> {
  const { gw, ports } = await run.gateway({
    store: { driver: 'sqlite', path: path.join(run.dir, file) },
    serverKey: SERVER_KEY,
    tenant: TENANT,
    providers: { huawei: { appId: info.appId, clientSecret: info.clientSecret, endpoint: info.url, authEndpoint: info.url, rateLimit: HUAWEI_LANE } },
    bodyLimit: BODY_LIMIT,
    startLanes: false,
  });
  const agent = new http.Agent({ keepAlive: true });
  const body = sendBody('huawei', range(0, targets, huaweiToken)); // dedup is per message: each adds all of them
  const acceptMs: number[] = [];
  await gw.call('gc');
  await gw.call('resetRss');
  for (let m = 0; m < messages; m++) {
    const t = performance.now();
    const res = await post(agent, ports.gateway, '/v1/messages', body, AUTH);
    acceptMs.push(performance.now() - t);
    if (res.status !== 202) throw new Error(`backlog message ${m} answered ${res.status}: ${res.text.slice(0, 500)}`);
  }
  agent.destroy();
  const pending = await gw.call<number>('pending', TENANT);
  const { peak } = await gw.call<RssReading>('rss');
  const settled = await gw.call<NodeJS.MemoryUsage>('gc');
  await closeChild(gw);
  return { acceptMs, pending, peak, settled };
}

export async function backlog(run: BenchRun, info: HuaweiSimInfo): Promise<PhaseResult> {
  const big = run.quick ? { messages: 2, targets: 10_000 } : { messages: 10, targets: 100_000 };
  const small = run.quick ? { messages: 4, targets: 5_000 } : { messages: 100, targets: 10_000 };
  const b = await fill(run, info, 'backlog-big.db', big.messages, big.targets);
  run.log(`backlog ${big.messages} × ${fmt(big.targets)}: ${fmt(b.pending)} pending, peak RSS ${mb(b.peak)}`);
  const s = await fill(run, info, 'backlog-small.db', small.messages, small.targets);
  run.log(`backlog ${small.messages} × ${fmt(small.targets)}: ${fmt(s.pending)} pending, peak RSS ${mb(s.peak)}`);
  const describe = (label: string, m: { messages: number; targets: number }, r: Backlog) =>
    `- backlog from ${label} (fresh gateway child, lanes never started): ${m.messages} × ${fmt(m.targets)} raw tokens; accept p50 ${fmt(pct(r.acceptMs, 50))} / max ${fmt(pct(r.acceptMs, 100))} ms; pending ${fmt(r.pending)}; peak RSS ${mb(r.peak)}; after a forced GC rss ${mb(r.settled.rss)}, heapUsed ${mb(r.settled.heapUsed)}, external ${mb(r.settled.external)}`;
  return {
    rows: [
      {
        figure: `${fmt(big.messages * big.targets)} queued deliveries from ${big.messages} × ${fmt(big.targets)}-target messages: gateway peak RSS`,
        reference: `${small.messages} × ${fmt(small.targets)}: ${mb(s.peak)}`,
        pushgate: mb(b.peak),
        ratio: x(b.peak / s.peak),
        goal: '< 300 MB whatever the message size',
        met: b.peak < 300 * MB && s.peak < 300 * MB,
      },
    ],
    raw: [describe('big messages', big, b), describe('small messages', small, s)],
  };
}
