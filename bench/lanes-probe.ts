/**
 * Probe for the single-send path (issue 11, not a benchmark: no RESULTS.md, no targets):
 *   node dist/bench/lanes-probe.js single   — single-target POSTs with lanes running vs the bare hello
 *                                             route of the same process (rates, p50/p99, event-loop delay)
 *   node dist/bench/lanes-probe.js latency  — accept → simulator latency of one message, idle and at half of
 *                                             the closed-loop maximum (open loop)
 *   node dist/bench/lanes-probe.js backlog  — peak RSS of a gateway accepting M × N-target messages
 * The gateway runs in bench/gateway-child.ts; the Huawei simulator runs in a child of this file that
 * records when each token arrived (wall clock, shared by the processes of one machine).
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseCommandLine, usageError } from '../src/cli/args.js';
import { HuaweiSimulator } from '../providers/huawei/index.js';
import type { GatewayChildOptions, GatewayPorts } from './gateway-child.js';
import { Peer, RssSampler, serve, type RssReading } from './ipc.js';
import { load, pct, post } from './load.js';
import { fmt, mb } from './report.js';

const SERVER_KEY = 'probe-server-key-000000001';
const AUTH = { authorization: `Bearer ${SERVER_KEY}` };
const NOTIFICATION = { title: 'pushgate probe', body: 'one message' };

function token(n: number): string {
  const head = `IQAAAACy0${String(n).padStart(9, '0')}`;
  return (head + 'AAAAbcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'.repeat(2)).slice(0, 130);
}
const single = (n: number) => JSON.stringify({ to: { tokens: [{ provider: 'huawei', token: token(n) }] }, notification: NOTIFICATION, options: { category: 'im' } });

if (process.send) {
  // ---- the simulator child: arrival time of every accepted token
  const rss = new RssSampler();
  const sim = await HuaweiSimulator.start({ appId: '100200300', clientSecret: 'probe-sim-secret' });
  const arrivals = new Map<string, number>();
  const push = sim.accepted.push.bind(sim.accepted);
  sim.accepted.push = (...tokens: string[]) => {
    const t = performance.timeOrigin + performance.now();
    for (const x of tokens) arrivals.set(x, t);
    return push(...tokens);
  };
  serve({
    info: () => ({ url: sim.url, appId: sim.appId, clientSecret: sim.clientSecret }),
    accepted: () => sim.accepted.length,
    arrivals: (tokens: string[]) => tokens.map((t) => arrivals.get(t) ?? null),
    reset: () => {
      sim.accepted.length = 0;
      arrivals.clear();
      return rss.reset();
    },
    waitFor: (count: number) =>
      new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (sim.accepted.length >= count) {
            clearInterval(timer);
            resolve();
          }
        }, 1);
      }),
    close: async () => {
      await sim.close();
      setImmediate(() => process.exit(0));
    },
  });
} else {
  const { values, positionals } = parseCommandLine({
    usage: 'node dist/bench/lanes-probe.js single|latency|backlog [options]',
    summary: 'Probe the single-send path of a gateway child: rates and p99 next to a bare hello, accept→vendor latency, peak RSS of big accepts. Not a benchmark.',
    options: { requests: { type: 'string' }, messages: { type: 'string' }, targets: { type: 'string' }, 'cpu-prof': { type: 'boolean' }, seconds: { type: 'string' }, rate: { type: 'string' } },
    help: {
      requests: 'single: requests per round (default 2000)',
      messages: 'backlog: messages (default 10)',
      targets: 'backlog: targets per message (default 100000)',
      'cpu-prof': 'write a CPU profile of the gateway child into bench/profiles/',
      seconds: 'latency: seconds of loaded traffic (default 5)',
      rate: 'latency: messages/s of the loaded phase (default: half the closed-loop maximum just measured)',
    },
    positionals: [{ name: 'mode', help: 'single | latency | backlog' }],
  });
  const mode = positionals[0] ?? 'single';
  if (!['single', 'latency', 'backlog'].includes(mode)) usageError(`unknown mode '${mode}'`);
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pushgate-probe-'));
  const sim = Peer.start('./lanes-probe.js');
  const execArgv = ['--expose-gc', ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve('bench/profiles')] : [])];
  const gw = Peer.start('./gateway-child.js', execArgv);
  try {
    const info = await sim.call<{ url: string; appId: string; clientSecret: string }>('info');
    const opts: GatewayChildOptions = { dbPath: path.join(dir, 'g.db'), serverKey: SERVER_KEY, tenant: 'probe', sim: info, rateLimit: { perSecond: 1000, concurrency: 8 }, bodyLimit: '32mb', startLanes: mode !== 'backlog' };
    const ports = await gw.call<GatewayPorts>('start', opts);
    if (mode === 'single') await singleMode(ports, num(values.requests, 2000));
    if (mode === 'latency') await latencyMode(ports, num(values.seconds, 5), values.rate === undefined ? undefined : Number(values.rate));
    if (mode === 'backlog') await backlogMode(ports, num(values.messages, 10), num(values.targets, 100_000));
  } finally {
    await gw.call('close').catch(() => undefined);
    await sim.call('close').catch(() => undefined);
    await Promise.all([gw.stop(), sim.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }

  async function singleMode(ports: GatewayPorts, n: number): Promise<void> {
    let offset = 0;
    const round = async (what: 'hello' | 'messages', count: number) => {
      const r = what === 'hello' ? await load(ports.hello, '/hello', AUTH, single, count, 32, 200) : await load(ports.gateway, '/v1/messages', AUTH, single, count, 32, 202, offset);
      if (what === 'messages') {
        offset += count;
        await sim.call('waitFor', offset);
      }
      return r;
    };
    await round('hello', 300);
    await round('messages', 300);
    for (let i = 0; i < 3; i++) {
      await gw.call('eventLoop');
      const h = await round('hello', n);
      const helloLoop = await gw.call<{ cpuMs: number }>('eventLoop');
      const m = await round('messages', n);
      const loop = await gw.call<{ p50: number; p99: number; max: number; cpuMs: number }>('eventLoop');
      const rate = (r: typeof h) => (r.count / r.ms) * 1000;
      console.log(
        `round ${i + 1}: messages ${fmt(rate(m))}/s p50 ${fmt(pct(m.latencies, 50), 1)} p99 ${fmt(pct(m.latencies, 99), 1)} ms | hello ${fmt(rate(h))}/s p99 ${fmt(pct(h.latencies, 99), 1)} ms | ratio ${fmt(rate(m) / rate(h), 2)} | loop delay during messages p99 ${fmt(loop.p99, 1)} max ${fmt(loop.max, 1)} ms (incl. drain) | gateway CPU per message ${fmt((loop.cpuMs / n) * 1000)} µs, per hello ${fmt((helloLoop.cpuMs / n) * 1000)} µs`,
      );
    }
  }

  async function latencyMode(ports: GatewayPorts, seconds: number, fixedRate: number | undefined): Promise<void> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    let next = 10_000_000;
    const one = async (): Promise<{ token: string; at: number }> => {
      const n = next++;
      const at = performance.timeOrigin + performance.now();
      const res = await post(agent, ports.gateway, '/v1/messages', single(n), AUTH);
      if (res.status !== 202) throw new Error(`answered ${res.status}`);
      return { token: token(n), at };
    };
    const measure = async (sent: Array<{ token: string; at: number }>) => {
      await sim.call('waitFor', sent.length);
      const arrived = await sim.call<Array<number | null>>('arrivals', sent.map((s) => s.token));
      return sent.map((s, i) => (arrived[i] ?? NaN) - s.at);
    };
    const report = (label: string, l: number[]) => console.log(`${label}: n ${l.length}, p50 ${fmt(pct(l, 50), 1)} p99 ${fmt(pct(l, 99), 1)} max ${fmt(pct(l, 100), 1)} ms`);
    for (let i = 0; i < 50; i++) await one(); // warm-up
    // Closed loop, 32 clients: the maximum rate of single sends.
    await sim.call('reset');
    const max = await load(ports.gateway, '/v1/messages', AUTH, single, 3000, 32, 202, 20_000_000);
    await sim.call('waitFor', 3000);
    const maxRate = (max.count / max.ms) * 1000;
    console.log(`closed loop max: ${fmt(maxRate)} messages/s`);
    // Idle: one message at a time, 20 ms apart.
    await sim.call('reset');
    const idle: Array<{ token: string; at: number }> = [];
    for (let i = 0; i < 200; i++) {
      idle.push(await one());
      await new Promise((r) => setTimeout(r, 20));
    }
    report('idle', await measure(idle));
    // Loaded: open loop at half the maximum.
    await sim.call('reset');
    const rate = fixedRate ?? maxRate / 2;
    const total = Math.round(rate * seconds);
    const started = performance.now();
    const pending: Array<Promise<{ token: string; at: number }>> = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(one());
    }
    const loaded = await Promise.all(pending);
    report(`loaded (${fmt(rate)}/s open loop for ${seconds} s)`, await measure(loaded));
    agent.destroy();
  }

  async function backlogMode(ports: GatewayPorts, messages: number, targets: number): Promise<void> {
    const body = JSON.stringify({ to: { tokens: Array.from({ length: targets }, (_, i) => ({ provider: 'huawei', token: token(i) })) }, notification: NOTIFICATION, options: { category: 'im' } });
    const agent = new http.Agent({ keepAlive: true });
    await gw.call('gc');
    await gw.call('resetRss');
    const times: number[] = [];
    for (let m = 0; m < messages; m++) {
      const t = performance.now();
      const res = await post(agent, ports.gateway, '/v1/messages', body, AUTH);
      if (res.status !== 202) throw new Error(`answered ${res.status}: ${res.text.slice(0, 300)}`);
      times.push(performance.now() - t);
    }
    agent.destroy();
    const { peak } = await gw.call<RssReading>('rss');
    const settled = await gw.call<NodeJS.MemoryUsage>('gc');
    console.log(`${messages} × ${fmt(targets)} (${mb(Buffer.byteLength(body))} body): peak RSS ${mb(peak)}, after GC rss ${mb(settled.rss)} heapUsed ${mb(settled.heapUsed)}; accept ms ${times.map((t) => fmt(t)).join(', ')}`);
  }
}
