/**
 * One vendor simulator in its own process (`huawei`, or `apns` with Apple's one-stream start), so
 * its CPU is not taken from the event loop being measured. Controlled over IPC by the phases:
 * counts, a wait for "has n tokens", and the arrival time of watched tokens (for accept → vendor
 * latency, compared with the wall-clock send time taken in another process of the same machine).
 */
import { performance } from 'node:perf_hooks';
import { ApnsSimulator } from '../providers/apns/index.js';
import { HuaweiSimulator } from '../providers/huawei/index.js';
import { RssSampler, serve, type RssReading } from './ipc.js';

export interface HuaweiSimInfo {
  url: string;
  appId: string;
  clientSecret: string;
}

export interface ApnsSimInfo {
  port: number;
  caPem: string;
  key: string;
  keyId: string;
  teamId: string;
}

export interface SimStats {
  /** Tokens accepted, duplicates included (at-least-once may deliver one twice). */
  accepted: number;
  /** Different tokens accepted. */
  distinct: number;
  sendRequests: number;
  tokenRequests: number;
  sessionsOpened: number;
  maxStreamsInFlight: number;
  rss: RssReading;
  /** CPU time (ms, user + system) of this simulator process since the last `reset`. */
  cpuMs: number;
}

const vendor = process.argv[2] === 'apns' ? 'apns' : 'huawei';
const rss = new RssSampler();
// Apple allows one stream on a new session until a request with valid credentials was answered.
const apns = vendor === 'apns' ? await ApnsSimulator.start({ initialMaxStreams: 1, recordLimit: 0 }) : undefined;
const huawei = vendor === 'huawei' ? await HuaweiSimulator.start({ appId: '100200300', clientSecret: 'bench-sim-secret' }) : undefined;
const sim = (apns ?? huawei) as ApnsSimulator | HuaweiSimulator;

// The different tokens accepted, and the arrival times (wall clock, ms with fractions) of the
// tokens being watched. The simulators push every accepted token into `accepted`; wrapping that
// one push keeps providers/ untouched.
const distinct = new Set<string>();
const watched = new Set<string>();
const arrivals = new Map<string, number>();
const push = sim.accepted.push.bind(sim.accepted);
sim.accepted.push = (...tokens: string[]): number => {
  for (const t of tokens) distinct.add(t);
  if (watched.size > 0) {
    const at = performance.timeOrigin + performance.now();
    for (const t of tokens) if (watched.has(t)) arrivals.set(t, at);
  }
  return push(...tokens);
};

let cpuFrom = process.cpuUsage();
const cpuMs = () => {
  const u = process.cpuUsage(cpuFrom);
  return (u.user + u.system) / 1000;
};

const stats = (): SimStats => ({
  accepted: sim.accepted.length,
  distinct: distinct.size,
  sendRequests: sim.sendRequests,
  tokenRequests: huawei?.tokenRequests ?? 0,
  sessionsOpened: apns?.sessionsOpened ?? 0,
  maxStreamsInFlight: apns?.maxStreamsInFlight ?? 0,
  rss: { current: rss.sample(), peak: rss.peak },
  cpuMs: cpuMs(),
});

serve({
  info: (): HuaweiSimInfo | ApnsSimInfo =>
    apns
      ? { port: apns.port, caPem: apns.caPem, ...(({ key, keyId, teamId }) => ({ key, keyId, teamId }))(apns.tokenCredentials()) }
      : { url: huawei!.url, appId: huawei!.appId, clientSecret: huawei!.clientSecret },
  stats,
  /** Forget accepted tokens, counters and watched tokens (between phases), and start a new RSS window. */
  reset: () => {
    sim.accepted.length = 0;
    distinct.clear();
    sim.sendRequests = 0;
    if (apns) apns.maxStreamsInFlight = 0;
    watched.clear();
    arrivals.clear();
    rss.reset();
    cpuFrom = process.cpuUsage();
    return stats();
  },
  /** Record the arrival time of these tokens from now on. */
  watch: (tokens: string[]) => {
    for (const t of tokens) watched.add(t);
  },
  /** Arrival times of the watched tokens seen so far: [token, wall-clock ms]. */
  arrivals: (): Array<[string, number]> => [...arrivals],
  /**
   * Resolve once the simulator has accepted at least `count` tokens (checked every millisecond);
   * `distinct`: `count` different ones (at-least-once may deliver some twice).
   */
  waitFor: (arg: { count: number; timeoutMs: number; distinct?: boolean }) =>
    new Promise<SimStats>((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        if ((arg.distinct ? distinct.size : sim.accepted.length) >= arg.count) {
          clearInterval(timer);
          resolve(stats());
        } else if (Date.now() - started > arg.timeoutMs) {
          clearInterval(timer);
          reject(new Error(`simulator accepted ${sim.accepted.length} (${distinct.size} different) of ${arg.count} tokens within ${arg.timeoutMs} ms`));
        }
      };
      const timer = setInterval(check, 1);
      check();
    }),
  /** Resolve once no token arrived for `quietMs` (for clients that may lose some: count what came). */
  settle: (arg: { quietMs: number; timeoutMs: number }) =>
    new Promise<SimStats>((resolve) => {
      const started = Date.now();
      let last = sim.accepted.length;
      let lastChange = Date.now();
      const timer = setInterval(() => {
        if (sim.accepted.length !== last) {
          last = sim.accepted.length;
          lastChange = Date.now();
        } else if (Date.now() - lastChange >= arg.quietMs || Date.now() - started > arg.timeoutMs) {
          clearInterval(timer);
          resolve(stats());
        }
      }, 5);
    }),
  close: async () => {
    await sim.close();
    rss.stop();
    setImmediate(() => process.exit(0));
  },
});
