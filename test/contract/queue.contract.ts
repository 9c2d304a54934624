/**
 * The queue-engine conformance suite, run against the local engine and the Redis engine by their
 * own test files. The runner is a fake that records when each run starts; the bounds checked
 * (runs at once, runs per sliding second) are correctness bounds, not timings.
 */
import type { LaneKey } from '../../src/store/types.js';
import type { LaneRunner, LaneSettings, QueueEngine, RunResult } from '../../src/queue/types.js';

export interface EngineHarness {
  /** A started-later engine; several calls on one harness are instances of one deployment. */
  make(opts: { pollIntervalMs: number }): Promise<QueueEngine>;
  /** Remove whatever the engines left behind (Redis keys). Engines are already stopped. */
  destroy(): Promise<void>;
}

const LANE: LaneKey = { tenant: 'acme', provider: 'huawei' };
const OTHER: LaneKey = { tenant: 'beta', provider: 'huawei' };
const lane = (over: Partial<LaneSettings> = {}): LaneSettings => ({ ...LANE, perSecond: 1000, concurrency: 1, ...over });
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `cond` until true or fail after `ms`. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * The most run starts in any window of `windowMs`. Starts are stamped by the runner, a moment
 * after the engine admitted them, so windows are shortened by `slackMs` of stamping jitter.
 */
export function maxInWindow(starts: number[], windowMs = 1000, slackMs = 15): number {
  const s = [...starts].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; j < s.length; j++) {
    while (s[j]! - s[i]! >= windowMs - slackMs) i++;
    max = Math.max(max, j - i + 1);
  }
  return max;
}

/** A fake dispatcher: records every run, asks `decide` what to answer. */
export function recorder(decide: (n: number, key: LaneKey) => Promise<RunResult> | RunResult) {
  const rec = { starts: [] as number[], lanes: [] as string[], active: 0, maxActive: 0, finished: 0 };
  const run: LaneRunner = async (key) => {
    rec.starts.push(Date.now());
    rec.lanes.push(`${key.tenant}/${key.provider}`);
    rec.active++;
    rec.maxActive = Math.max(rec.maxActive, rec.active);
    try {
      return await decide(rec.starts.length, key);
    } finally {
      rec.active--;
      rec.finished++;
    }
  };
  return { rec, run };
}

export function describeQueueEngine(name: string, makeHarness: () => Promise<EngineHarness>, d: jest.Describe = describe): void {
  d(`${name} queue engine`, () => {
    let harness: EngineHarness;
    let engines: QueueEngine[];
    const make = async (pollIntervalMs = 10_000) => {
      const e = await harness.make({ pollIntervalMs });
      engines.push(e);
      return e;
    };

    beforeEach(async () => {
      engines = [];
      harness = await makeHarness();
    });
    afterEach(async () => {
      for (const e of engines) await e.stop();
      await harness.destroy();
    });

    it('runs a lane when it is kicked, and only that lane', async () => {
      const engine = await make();
      const { rec, run } = recorder(() => ({ kind: 'idle', nextDueAt: null }));
      await engine.start([lane(), lane(OTHER)], run);
      await sleep(300);
      const before = rec.starts.length;
      const beta = rec.lanes.filter((l) => l === 'beta/huawei').length;
      engine.kick(LANE);
      await until(() => rec.starts.length > before, 3000, 'a run after the kick');
      await sleep(200);
      expect(rec.lanes.slice(before).every((l) => l === 'acme/huawei')).toBe(true);
      expect(rec.lanes.filter((l) => l === 'beta/huawei').length).toBe(beta);
      engine.kick({ tenant: 'nobody', provider: 'huawei' });
      await expect(engine.ping()).resolves.toBeUndefined();
    });

    it('does not lose a kick that comes while every run is finding nothing due (its message waits no poll interval)', async () => {
      const engine = await make(60_000);
      const { rec, run } = recorder((n) => {
        // A message accepted just after this run looked: its kick must bring another run, though the
        // lane's only token is this run's own.
        if (n === 1) engine.kick(LANE);
        return { kind: 'idle', nextDueAt: null };
      });
      await engine.start([lane({ concurrency: 1 })], run);
      await until(() => rec.starts.length >= 2, 5000, 'a run for the kick');
    });

    it('keeps running while the runner has more, then stops asking', async () => {
      const engine = await make();
      const { rec, run } = recorder((n) => (n < 50 ? { kind: 'more' } : { kind: 'idle', nextDueAt: null }));
      await engine.start([lane({ concurrency: 2 })], run);
      await until(() => rec.starts.length >= 50, 5000, '50 runs');
      await sleep(300);
      const settled = rec.starts.length;
      await sleep(500);
      expect(rec.starts.length).toBe(settled);
      // Runs already queued when the lane went idle may still be made, but no more than the concurrency.
      expect(settled).toBeLessThanOrEqual(50 + 2 * 2);
    });

    it('never has more than `concurrency` runs at once', async () => {
      const engine = await make();
      const { rec, run } = recorder(async (n) => {
        await sleep(25);
        return n < 60 ? { kind: 'more' } : { kind: 'idle', nextDueAt: null };
      });
      await engine.start([lane({ concurrency: 3 })], run);
      await until(() => rec.starts.length >= 60 && rec.active === 0, 10_000, '60 runs');
      expect(rec.maxActive).toBeLessThanOrEqual(3);
      expect(rec.maxActive).toBeGreaterThan(1);
    });

    it('holds perSecond over every sliding one-second window', async () => {
      const engine = await make();
      const started = Date.now();
      const { rec, run } = recorder(async () => {
        await sleep(5);
        return Date.now() - started < 2600 ? { kind: 'more' } : { kind: 'idle', nextDueAt: null };
      });
      await engine.start([lane({ perSecond: 8, concurrency: 4 })], run);
      await until(() => Date.now() - started > 3000 && rec.active === 0, 6000, 'the runs to finish');
      expect(maxInWindow(rec.starts)).toBeLessThanOrEqual(8);
      // …and the lane was not simply stalled: about 8 per second went through.
      expect(rec.starts.length).toBeGreaterThanOrEqual(16);
    });

    it('reaches a fast lane’s rate: a token waiting for its slot holds back only itself', async () => {
      const engine = await make();
      const started = Date.now();
      const { rec, run } = recorder(() => (Date.now() - started < 2000 ? { kind: 'more' } : { kind: 'idle', nextDueAt: null }));
      await engine.start([lane({ perSecond: 1000, concurrency: 2 })], run);
      await until(() => Date.now() - started > 2200 && rec.active === 0, 6000, 'the runs to finish');
      // 1000/s allows 2,000 runs in those 2 s. The Redis engine once sent a token that met another at the pace back
      // through BullMQ's rate limit, which then held the worker for the rest of its 1 s limiter window: about 100.
      expect(rec.starts.length).toBeGreaterThanOrEqual(300);
    });

    it('wakes an idle lane when its next delivery falls due', async () => {
      const engine = await make(10_000);
      let due = 0;
      const after: number[] = [];
      const { run } = recorder(() => {
        const now = Date.now();
        if (!due) due = now + 600;
        if (now < due) return { kind: 'idle', nextDueAt: due };
        after.push(now);
        return { kind: 'idle', nextDueAt: null };
      });
      await engine.start([lane({ concurrency: 2 })], run);
      await until(() => after.length > 0, 3000, 'the wake-up');
      expect(after[0]!).toBeGreaterThanOrEqual(due);
      expect(after[0]! - due).toBeLessThan(1000);
    });

    it('retries a lane whose run threw after the poll interval', async () => {
      const engine = await make(300);
      const { rec, run } = recorder((n) => {
        if (n === 1) throw new Error('store unavailable');
        return { kind: 'idle', nextDueAt: null };
      });
      await engine.start([lane()], run);
      await until(() => rec.starts.length >= 2, 3000, 'a second run');
    });

    it('waits for in-flight runs on stop() and starts no new ones', async () => {
      const engine = await make();
      const { rec, run } = recorder(async () => {
        await sleep(400);
        return { kind: 'more' };
      });
      await engine.start([lane({ concurrency: 2 })], run);
      await until(() => rec.active > 0, 3000, 'a run to start');
      await engine.stop();
      expect(rec.active).toBe(0);
      expect(rec.finished).toBe(rec.starts.length);
      const stopped = rec.starts.length;
      await sleep(300);
      expect(rec.starts.length).toBe(stopped);
    });

    it('rejects a lane without a positive rate or an integer concurrency', async () => {
      const engine = await make();
      const { run } = recorder(() => ({ kind: 'idle', nextDueAt: null }));
      await expect(engine.start([lane({ concurrency: 0 })], run)).rejects.toThrow(/concurrency/);
    });
  });
}
