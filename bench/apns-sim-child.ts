/**
 * The APNs simulator in its own process for bench/apns-profile.ts, started like Apple: one stream per new session
 * until the first authenticated request, then 1000.
 */
import { ApnsSimulator } from '../providers/apns/index.js';
import { serve } from './ipc.js';

export interface ApnsSimInfo {
  port: number;
  caPem: string;
  key: string;
  keyId: string;
  teamId: string;
}

export interface ApnsSimStats {
  accepted: number;
  distinct: number;
  sessions: number;
  maxStreams: number;
  /** CPU ms this simulator process used since `info` was called. */
  cpuMs: number;
}

const sim = await ApnsSimulator.start({ initialMaxStreams: 1, recordLimit: 0 });
let cpuFrom = process.cpuUsage();
const cpuMs = () => {
  const u = process.cpuUsage(cpuFrom);
  return (u.user + u.system) / 1000;
};
const stats = (): ApnsSimStats => ({ accepted: sim.accepted.length, distinct: new Set(sim.accepted).size, sessions: sim.sessionsOpened, maxStreams: sim.maxStreamsInFlight, cpuMs: cpuMs() });

serve({
  info: (): ApnsSimInfo => {
    cpuFrom = process.cpuUsage();
    return { port: sim.port, caPem: sim.caPem, ...sim.tokenCredentials() };
  },
  stats,
  /** Resolve once the simulator has accepted at least `count` notifications (checked every millisecond). */
  waitFor: (arg: { count: number; timeoutMs: number }) =>
    new Promise<ApnsSimStats>((resolve, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        if (sim.accepted.length >= arg.count) {
          clearInterval(timer);
          resolve(stats());
        } else if (Date.now() - started > arg.timeoutMs) {
          clearInterval(timer);
          reject(new Error(`the simulator accepted ${sim.accepted.length} of ${arg.count} within ${arg.timeoutMs} ms`));
        }
      }, 1);
    }),
  close: async () => {
    await sim.close();
    setImmediate(() => process.exit(0));
  },
});
