/**
 * The embedded engine: one p-queue per lane with the lane's concurrency and a strict sliding
 * 1-second window of `perSecond` vendor requests. It keeps at most `concurrency` runs queued, so
 * memory stays flat however large the backlog in the store is.
 *
 * How many runs to start follows what is known to be due: every slot at start (a backlog from
 * before), when deliveries fall due (retries, a pause's end), on a kick that does not say how much
 * work it brings, and after a full batch (a big message); as many as the vendor requests an accepted
 * message needs for its kick, and one in place of a run that sent a smaller batch. Filling every
 * free slot on each kick made each single-target message cost up to `concurrency` - 1 runs that
 * claimed nothing (issue 11: four empty claims per message at 150 msg/s, CPU taken from the runs
 * with work).
 */
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { LaneKey } from '../store/types.js';
import type { LaneRunner, LaneSettings, QueueEngine } from './types.js';

interface LaneState {
  settings: LaneSettings;
  queue: PQueue;
  /** Runs queued or running. */
  inFlight: number;
  /** True once a run found nothing due: stop refilling until woken. */
  idle: boolean;
  /** Kicks so far: a run's "nothing due" only idles the lane if no kick came while it looked. */
  kicks: number;
  /** Runs kicks asked for while every slot was taken: started as slots free up. */
  owed: number;
  /** Work of unknown size may be due (start, deliveries falling due, a kick without a count, a failed run). */
  unknown: boolean;
  timer: NodeJS.Timeout | undefined;
  wakeAt: number;
}

export class LocalQueueEngine implements QueueEngine {
  readonly driver = 'local';
  private readonly lanes = new Map<string, LaneState>();
  private run: LaneRunner | undefined;
  private stopping = false;

  constructor(private readonly opts: { now(): number; pollIntervalMs: number; logger: Logger }) {}

  async start(lanes: LaneSettings[], run: LaneRunner): Promise<void> {
    this.run = run;
    for (const settings of lanes) {
      if (!(settings.perSecond > 0) || !Number.isInteger(settings.concurrency) || settings.concurrency < 1) {
        throw new TypeError(`lane ${settings.tenant}/${settings.provider}: rateLimit needs perSecond > 0 and an integer concurrency ≥ 1 (got ${settings.perSecond}, ${settings.concurrency})`);
      }
      // Sub-1/s rates (e.g. 0.5) become one request per 1/perSecond seconds.
      const window = settings.perSecond >= 1 ? { intervalCap: Math.round(settings.perSecond), interval: 1000 } : { intervalCap: 1, interval: Math.round(1000 / settings.perSecond) };
      const queue = new PQueue({ concurrency: settings.concurrency, ...window, strict: true });
      this.lanes.set(key(settings), { settings, queue, inFlight: 0, idle: false, kicks: 0, owed: 0, unknown: true, timer: undefined, wakeAt: Infinity });
    }
    for (const lane of this.lanes.values()) this.fill(lane, lane.settings.concurrency);
  }

  kick(lane: LaneKey, requests?: number): void {
    const state = this.lanes.get(key(lane));
    if (state) this.wake(state, requests);
  }

  async ping(): Promise<void> {}

  async stop(): Promise<void> {
    this.stopping = true;
    for (const lane of this.lanes.values()) {
      clearTimeout(lane.timer);
      lane.queue.clear();
    }
    await Promise.all([...this.lanes.values()].map((l) => l.queue.onIdle()));
  }

  /** `requests` known: that many runs, now or as slots free up; unknown: every slot. */
  private wake(lane: LaneState, requests: number | undefined): void {
    if (this.stopping) return;
    lane.kicks++;
    lane.idle = false;
    if (requests === undefined) lane.unknown = true;
    const runs = requests ?? lane.settings.concurrency;
    lane.owed = Math.min(lane.settings.concurrency, lane.owed + runs - this.fill(lane, runs));
  }

  /** Start up to `runs` more runs, never more than `concurrency` queued or running. */
  private fill(lane: LaneState, runs: number): number {
    let started = 0;
    for (; started < runs && !this.stopping && !lane.idle && lane.inFlight < lane.settings.concurrency; started++) {
      lane.inFlight++;
      void lane.queue.add(() => this.once(lane)).catch((err: unknown) => this.opts.logger.error({ err, lane: key(lane.settings) }, 'lane run failed'));
    }
    return started;
  }

  private async once(lane: LaneState): Promise<void> {
    let next = 0;
    try {
      if (this.stopping || lane.idle || !this.run) return;
      const kicks = lane.kicks;
      const result = await this.run(lane.settings);
      // A smaller batch: its message had no more due. Announced messages have runs of their own (or owed);
      // only a backlog of unknown size needs this run to go on.
      if (result.kind === 'more') next = result.full === false ? (lane.unknown ? 1 : 0) : lane.settings.concurrency;
      // Nothing due and no kick while this run looked: everything announced was claimed.
      else if (lane.kicks === kicks) {
        lane.idle = true;
        lane.owed = 0;
        lane.unknown = false;
        this.wakeAt(lane, result.nextDueAt);
      }
    } catch (err) {
      this.opts.logger.error({ err, lane: key(lane.settings) }, 'lane run failed; retrying after the poll interval');
      lane.idle = true;
      // What this run was for is unaccounted for now.
      lane.unknown = true;
      this.wakeAt(lane, this.opts.now() + this.opts.pollIntervalMs);
    } finally {
      lane.inFlight--;
      this.fill(lane, next);
      lane.owed -= this.fill(lane, lane.owed);
    }
  }

  /** Wake the lane when its next delivery falls due, and at least every poll interval. */
  private wakeAt(lane: LaneState, at: number | null): void {
    const now = this.opts.now();
    const target = Math.min(at ?? Infinity, now + this.opts.pollIntervalMs);
    if (lane.timer && lane.wakeAt <= target) return;
    clearTimeout(lane.timer);
    lane.wakeAt = target;
    // Deliveries falling due (a wave of retries of small messages: how many is unknown): every slot looks.
    // The poll, a safety net with nothing known to be due, sends one run to look for what nothing announced.
    const due = at !== null && at <= target;
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      lane.wakeAt = Infinity;
      if (due) this.wake(lane, undefined);
      else {
        lane.unknown = true;
        this.wake(lane, 1);
      }
    }, Math.max(0, target - now));
    lane.timer.unref?.();
  }
}

const key = (l: LaneKey) => `${l.tenant}/${l.provider}`;
