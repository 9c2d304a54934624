/**
 * The Huawei simulator in its own process, so its CPU is not taken from the event loop being
 * measured (the gateway, or the plain reference client). Controlled over IPC by bench/run.ts.
 */
import { HuaweiSimulator } from '../providers/huawei/index.js';
import { RssSampler, serve, type RssReading } from './ipc.js';

export interface SimInfo {
  url: string;
  appId: string;
  clientSecret: string;
}

export interface SimStats {
  accepted: number;
  sendRequests: number;
  tokenRequests: number;
  rss: RssReading;
}

const rss = new RssSampler();
const sim = await HuaweiSimulator.start({ appId: '100200300', clientSecret: 'bench-sim-secret' });

const stats = (): SimStats => ({
  accepted: sim.accepted.length,
  sendRequests: sim.sendRequests,
  tokenRequests: sim.tokenRequests,
  rss: { current: rss.sample(), peak: rss.peak },
});

serve({
  info: (): SimInfo => ({ url: sim.url, appId: sim.appId, clientSecret: sim.clientSecret }),
  stats,
  /** Forget accepted tokens and counters (between phases), and start a new RSS window. */
  reset: () => {
    sim.accepted.length = 0;
    sim.sendRequests = 0;
    rss.reset();
    return stats();
  },
  /** Resolve once the simulator has accepted at least `count` tokens (checked every millisecond). */
  waitFor: (arg: { count: number; timeoutMs: number }) =>
    new Promise<SimStats>((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        if (sim.accepted.length >= arg.count) {
          clearInterval(timer);
          resolve(stats());
        } else if (Date.now() - started > arg.timeoutMs) {
          clearInterval(timer);
          reject(new Error(`simulator accepted ${sim.accepted.length} of ${arg.count} tokens within ${arg.timeoutMs} ms`));
        }
      };
      const timer = setInterval(check, 1);
      check();
    }),
  close: async () => {
    await sim.close();
    rss.stop();
    setImmediate(() => process.exit(0));
  },
});
