/**
 * The scale-out engine: BullMQ on Redis, shared by every pushgate instance. The backlog stays in
 * the store; what travels through Redis are *run tokens*, each worth one `run(lane)` (one vendor
 * request). Per lane:
 *
 * - one BullMQ queue (`<prefix>:<tenant>.<provider>`) holding at most `concurrency` tokens, with
 *   fixed ids `run-0…run-(c-1)`; BullMQ refuses a second job with an id that exists, so however
 *   many instances kick or refill a lane, at most `concurrency` runs exist cluster-wide;
 * - one Worker per instance with that concurrency and BullMQ's limiter
 *   (`{ max: perSecond, duration: 1000 }`, counted in Redis for all workers). BullMQ's window is
 *   fixed (it starts at the first job), which can let up to twice the rate through across a
 *   window boundary, so each token also reserves a slot of the lane's pace kept in Redis (a GCRA:
 *   grants spaced 1/perSecond apart, one Lua call, Redis's clock) and waits for it where it is
 *   (see `process`).
 *
 * A run that sent something (`more`) refills all the lane's token ids. A run that found nothing
 * due (`idle`) stops its token and, when work falls due within the poll interval, leaves a
 * delayed wake-up (`wake.<lane>.<time>`) on a shared control queue: the id is the due time
 * rounded to 50 ms, so instances that reach the same conclusion leave one wake-up, not one each.
 * Each instance also polls every `pollIntervalMs` through the control queue (`poll.<lane>.<n>`,
 * one per interval cluster-wide): that safety net also restores tokens lost with a crashed
 * process. Stalled tokens of a dead worker are moved back by BullMQ after `lockDurationMs`; the
 * deliveries it had claimed come back through the store's lease, so nothing is lost either way.
 *
 * Health: ping() has its own connection without an offline queue and with a short command
 * timeout, so /readyz turns false within `pingTimeoutMs` of Redis going away; ioredis reconnects
 * on its own, and a watchdog restarts any worker whose start-up met the broken connection, so
 * lanes resume without a restart when Redis is back.
 *
 * Loaded only when `queue.driver: redis` is selected (see factory.ts).
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { LaneKey } from '../store/types.js';
import { connectRedis, settlesWithin, type TrackingRedis } from './redis.connections.js';
import type { LaneRunner, LaneSettings, QueueEngine, RunResult } from './types.js';

export interface RedisQueueOptions {
  /** Key prefix shared by all instances of one deployment. */
  prefix: string;
  now(): number;
  logger: Logger;
  /** How often each instance makes sure every lane is looked at, ms. */
  pollIntervalMs: number;
  /** A token whose worker stopped renewing its lock this long ago is handed to another worker. @default 15000 */
  lockDurationMs?: number;
  /** How often each worker looks for stalled tokens, ms. @default 5000 */
  stalledIntervalMs?: number;
  /** ping() fails when Redis does not answer within this, ms. @default 1000 */
  pingTimeoutMs?: number;
}

/** A run's result, with the lane's kick count read before it ran. */
type Outcome = (RunResult & { kicks: number }) | { kind: 'error' } | { kind: 'skipped' };

interface Lane {
  settings: LaneSettings;
  name: string;
  queue: Queue;
  worker: Worker | undefined;
  slots: string[];
  limit: { max: number; windowMs: number };
  /** This instance saw the lane send within the last poll interval: its tokens are circulating. */
  busyUntil: number;
  kick: { running: boolean; again: boolean };
  /** Redis counter of the lane's kicks, from every instance (see after()). */
  kicksKey: string;
}

const CONTROL_QUEUE = 'control';
/** Wake-ups are rounded up to this grid so instances agree on their ids. */
const WAKE_GRID_MS = 50;
/** How often stopped workers are restarted, ms. */
const WATCHDOG_MS = 1000;
/** Grace for Redis operations during stop() when Redis is gone. */
const CLOSE_GRACE_MS = 5000;

/**
 * The lane's pace in Redis, as a GCRA (leaky bucket with no burst): slot grants are spaced
 * `window / max` ms apart on Redis's clock, whichever instance asks. A plain sliding window let
 * `concurrency` runs start together at each window edge, and a few ms of claim latency then put
 * up to 1.4× the rate into one second as the vendor sees it (test/integration/multi-instance).
 * Each call reserves the next free slot, now or later, and says how long to wait for it: a token
 * sleeps once and runs, instead of every waiting token asking again at each slot (a Lua call per
 * waiting token per grant). A reserved slot whose token is stopped goes unused: the rate only drops.
 * KEYS[1] the next free slot's time, KEYS[2] the lane's kick counter; ARGV max, window ms.
 * Returns {ms until the reserved slot (0: now), kicks so far}.
 */
const PACE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[2]) / tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(tat, now)
redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', math.ceil(slot + interval - now) + 1000)
local wait = 0
if slot > now then wait = math.max(1, math.ceil(slot - now)) end
return {wait, tonumber(redis.call('GET', KEYS[2]) or '0')}
`;

export class RedisQueueEngine implements QueueEngine {
  readonly driver = 'redis';
  private readonly lanes = new Map<string, Lane>();
  /** Queues of lanes this instance does not run (another instance's configuration). */
  private readonly foreign = new Map<string, Queue>();
  private control: { queue: Queue; worker: Worker | undefined } | undefined;
  private run: LaneRunner | undefined;
  private stopping = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly pending = new Set<Promise<unknown>>();
  /** Tokens waiting for their slot of a lane's pace: stop() ends the waits (those tokens then skip). */
  private readonly holds = new Set<() => void>();
  private lastErrorLog = 0;

  private constructor(
    private readonly conn: TrackingRedis,
    private readonly pingConn: Redis,
    private readonly opts: Required<RedisQueueOptions>,
  ) {}

  /** Connect (rejecting with the reason when Redis cannot be reached); lanes start with start(). */
  static async connect(url: string, options: RedisQueueOptions): Promise<RedisQueueEngine> {
    const opts: Required<RedisQueueOptions> = { lockDurationMs: 15_000, stalledIntervalMs: 5_000, pingTimeoutMs: 1000, ...options };
    const { conn, pingConn } = await connectRedis(url, opts.pingTimeoutMs);
    const engine = new RedisQueueEngine(conn, pingConn, opts);
    conn.on('error', (err: Error) => engine.logError('Redis connection error; reconnecting', err));
    return engine;
  }

  async start(lanes: LaneSettings[], run: LaneRunner): Promise<void> {
    this.run = run;
    const connection = this.conn;
    const prefix = this.opts.prefix;
    for (const settings of lanes) {
      if (!(settings.perSecond > 0) || !Number.isInteger(settings.concurrency) || settings.concurrency < 1) {
        throw new TypeError(`lane ${settings.tenant}/${settings.provider}: rateLimit needs perSecond > 0 and an integer concurrency ≥ 1 (got ${settings.perSecond}, ${settings.concurrency})`);
      }
      const name = laneName(settings);
      // Sub-1/s rates (e.g. 0.5) become one request per 1/perSecond seconds, as in the local engine.
      const limit = settings.perSecond >= 1 ? { max: Math.round(settings.perSecond), windowMs: 1000 } : { max: 1, windowMs: Math.round(1000 / settings.perSecond) };
      const queue = new Queue(name, { connection, prefix, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
      queue.on('error', (err: Error) => this.logError('BullMQ queue error', err));
      const lane: Lane = {
        settings,
        name,
        queue,
        worker: undefined,
        slots: Array.from({ length: settings.concurrency }, (_, i) => `run-${i}`),
        limit,
        busyUntil: 0,
        kick: { running: false, again: false },
        kicksKey: `${prefix}:${name}:kicks`,
      };
      this.lanes.set(name, lane);
    }
    const control = new Queue(CONTROL_QUEUE, { connection, prefix, defaultJobOptions: { removeOnFail: true } });
    control.on('error', (err: Error) => this.logError('BullMQ queue error', err));
    this.control = { queue: control, worker: undefined };

    const common = {
      connection,
      prefix,
      lockDuration: this.opts.lockDurationMs,
      stalledInterval: this.opts.stalledIntervalMs,
      maxStalledCount: 3,
      runRetryDelay: 1000,
    };
    for (const lane of this.lanes.values()) {
      lane.worker = new Worker(lane.name, () => this.process(lane), {
        ...common,
        concurrency: lane.settings.concurrency,
        limiter: { max: lane.limit.max, duration: lane.limit.windowMs },
      });
      lane.worker.on('completed', (job: Job, result: Outcome) => this.track(this.pending, this.after(lane, String(job.id), result)));
      lane.worker.on('error', (err: Error) => this.logError('BullMQ worker error', err));
    }
    this.control.worker = new Worker(CONTROL_QUEUE, (job: Job) => this.relay(job), { ...common, concurrency: 4 });
    this.control.worker.on('error', (err: Error) => this.logError('BullMQ worker error', err));

    this.pollTimer = setInterval(() => this.poll(), this.opts.pollIntervalMs);
    this.pollTimer.unref?.();
    this.watchdog = setInterval(() => this.restartWorkers(), WATCHDOG_MS);
    this.watchdog.unref?.();
    for (const lane of this.lanes.values()) this.kick(lane.settings);
  }

  /**
   * Count the kick in Redis, then refill the lane's tokens; kicks arriving while one is on its way are
   * folded into one more. The count is what keeps a kick from being lost when every token is running.
   */
  kick(key: LaneKey): void {
    const lane = this.lanes.get(laneName(key));
    if (!lane || this.stopping) return;
    if (lane.kick.running) {
      lane.kick.again = true;
      return;
    }
    lane.kick.running = true;
    const go = async (): Promise<void> => {
      do {
        lane.kick.again = false;
        await this.conn
          .incr(lane.kicksKey)
          .then(() => this.addRuns(lane.queue, lane.slots))
          .catch((err: unknown) => this.logError('could not kick a lane', err));
      } while (lane.kick.again && !this.stopping);
      lane.kick.running = false;
    };
    this.track(this.pending, go());
  }

  async ping(): Promise<void> {
    const answer = await this.pingConn.ping();
    if (answer !== 'PONG') throw new Error(`unexpected answer to PING: ${answer}`);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const done of [...this.holds]) done();
    clearInterval(this.pollTimer);
    clearInterval(this.watchdog);
    const workers = [...[...this.lanes.values()].map((l) => l.worker), this.control?.worker].filter((w): w is Worker => !!w);
    const reachable = await this.ping().then(
      () => true,
      () => false,
    );
    if (!reachable) {
      // Nothing can be fetched or recorded without Redis, and BullMQ's graceful close would wait
      // for it forever: finish our runs, then close by force. The tokens come back to the other
      // instances through stalled-job recovery, the deliveries through the store's lease.
      this.opts.logger.warn('Redis is not answering; stopping the queue engine without it');
      while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
      await settlesWithin(Promise.allSettled(workers.map((w) => w.close(true))), CLOSE_GRACE_MS);
    } else {
      // Stop fetching at once; the runs already handed to us finish (the vendor request is made
      // and recorded), BullMQ records their tokens as done and we hand them on to other instances.
      const closing = workers.map((w) => w.close());
      while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
      if (!(await settlesWithin(Promise.allSettled(closing), CLOSE_GRACE_MS))) this.opts.logger.warn('Redis went away while stopping; closing without it');
      await settlesWithin(Promise.allSettled([...this.pending]), CLOSE_GRACE_MS);
    }
    const queues = [...[...this.lanes.values()].map((l) => l.queue), ...this.foreign.values(), ...(this.control ? [this.control.queue] : [])];
    await settlesWithin(Promise.allSettled(queues.map((q) => q.close())), reachable ? CLOSE_GRACE_MS : 1000);
    for (const c of [this.conn, this.pingConn]) {
      if (reachable && c.status === 'ready') await settlesWithin(Promise.all([c.quit(), new Promise((resolve) => c.once('end', resolve))]), 1000);
      // A connection that could not say goodbye would otherwise keep reconnecting.
      if (c.status !== 'end') c.disconnect();
    }
    for (const d of this.conn.duplicates) if (d.status !== 'end') d.disconnect();
  }

  /**
   * One token: reserve a slot of the lane's rate, wait for it here, then make one run. It used to go back through
   * BullMQ's `rateLimit` + RateLimitError; BullMQ then held the worker for the limiter key's remaining time, and once
   * the few-ms limit had expired that key was the worker limiter's own 1 s window. Two tokens meeting at the pace
   * stopped a lane for up to a second, so a lane with concurrency 2 made 11–25 runs a second whatever its rate
   * (test/contract/queue.contract.ts, "reaches a fast lane's rate").
   */
  private async process(lane: Lane): Promise<Outcome> {
    const run = this.run;
    if (this.stopping || !run) return { kind: 'skipped' };
    const [waitMs, kicks] = (await this.conn.eval(PACE, 2, `${this.opts.prefix}:${lane.name}:pace`, lane.kicksKey, lane.limit.max, lane.limit.windowMs)) as [number, number];
    if (waitMs > 0) {
      await this.holdOff(waitMs);
      if (this.stopping) return { kind: 'skipped' };
    }
    const running = run(lane.settings);
    this.track(this.inFlight, running.catch(() => undefined));
    try {
      return { ...(await running), kicks };
    } catch (err) {
      this.opts.logger.error({ err, lane: lane.name }, 'lane run failed; retrying after the poll interval');
      return { kind: 'error' };
    }
  }

  /** Wait `ms` for a slot of the pace, or until stop(). */
  private holdOff(ms: number): Promise<void> {
    // stop() may have come while the pace was being asked: it released only the waits it saw, so this one would
    // keep its token (and BullMQ's close) for the whole `ms`, past stop()'s grace, and the token would not go back.
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.holds.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.holds.add(done);
    });
  }

  /** What a finished token leads to. */
  private async after(lane: Lane, slot: string, result: Outcome): Promise<void> {
    const now = this.opts.now();
    switch (result.kind) {
      case 'more':
        lane.busyUntil = now + this.opts.pollIntervalMs;
        await this.addRuns(lane.queue, lane.slots);
        return;
      case 'skipped':
        // Handed to us while stopping: give the token back for the other instances.
        await this.addRuns(lane.queue, [slot]);
        return;
      case 'idle':
        // A kick since this run began (a message accepted on any instance while it looked) found every token
        // taken and added none: refill now, or that message waits for the poll. This token is already removed,
        // so a kick counted after this read adds its own tokens.
        if (Number((await this.conn.get(lane.kicksKey)) ?? 0) !== result.kicks) {
          await this.addRuns(lane.queue, lane.slots);
          return;
        }
        if (result.nextDueAt !== null) await this.wake(lane, result.nextDueAt, now);
        return;
      case 'error':
        await this.wake(lane, now + this.opts.pollIntervalMs, now);
        return;
    }
  }

  /** Leave one delayed wake-up for the lane; beyond the poll interval the poll comes first anyway. */
  private async wake(lane: Lane, at: number, now: number): Promise<void> {
    if (!this.control || at - now > this.opts.pollIntervalMs) return;
    const when = Math.ceil(Math.max(at, now + 1) / WAKE_GRID_MS) * WAKE_GRID_MS;
    await this.addControl(`wake.${lane.name}.${when}`, lane.name, when - now);
  }

  /** Each instance, every poll interval: one poll per lane per interval for the whole cluster. */
  private poll(): void {
    if (this.stopping) return;
    const now = this.opts.now();
    const bucket = Math.floor(now / this.opts.pollIntervalMs);
    for (const lane of this.lanes.values()) {
      if (lane.busyUntil > now) continue;
      this.track(
        this.pending,
        this.addControl(`poll.${lane.name}.${bucket}`, lane.name, 0).catch((err: unknown) => this.logError('could not poll a lane', err)),
      );
    }
  }

  /**
   * A BullMQ worker whose start-up met a broken connection stops for good (its run loop ends with
   * the error): start it again, so lanes resume by themselves once Redis is back.
   */
  private restartWorkers(): void {
    if (this.stopping) return;
    const workers = [...[...this.lanes.values()].map((l) => l.worker), this.control?.worker];
    for (const w of workers) {
      if (!w || w.isRunning() || w.closing) continue;
      w.run().catch((err: unknown) => this.logError('BullMQ worker stopped; restarting it', err));
    }
  }

  private async addControl(jobId: string, lane: string, delayMs: number): Promise<void> {
    if (!this.control) return;
    // Finished wake-ups and polls are kept a little while so an instance arriving late at the same id does not repeat them.
    const keepSeconds = Math.ceil(this.opts.pollIntervalMs / 1000) + 5;
    await this.control.queue.add('wake', { lane }, { jobId, delay: Math.max(0, delayMs), removeOnComplete: { age: keepSeconds } });
  }

  /** A wake-up or poll fell due: put the lane's first token in. */
  private async relay(job: Job): Promise<void> {
    const name = String((job.data as { lane?: unknown }).lane ?? '');
    if (!name || this.stopping) return;
    await this.addRuns(this.queueOf(name), ['run-0']);
  }

  private queueOf(name: string): Queue {
    const own = this.lanes.get(name);
    if (own) return own.queue;
    let q = this.foreign.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.conn, prefix: this.opts.prefix, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
      q.on('error', (err: Error) => this.logError('BullMQ queue error', err));
      this.foreign.set(name, q);
    }
    return q;
  }

  /** Add run tokens by id: ids that already exist (waiting, running) are left as they are. */
  private async addRuns(queue: Queue, ids: string[]): Promise<void> {
    await queue.addBulk(ids.map((jobId) => ({ name: 'run', data: {}, opts: { jobId } })));
  }

  private track(set: Set<Promise<unknown>>, p: Promise<unknown>): void {
    const settled: Promise<void> = p.then(
      () => void set.delete(settled),
      (err: unknown) => {
        set.delete(settled);
        this.logError('Redis engine task failed', err);
      },
    );
    set.add(settled);
  }

  /** Redis being away makes every worker complain every second: one line per 10 s is enough. */
  private logError(msg: string, err: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.opts.logger.warn({ err: err instanceof Error ? err.message : String(err) }, msg);
  }
}

/** BullMQ queue names may not contain ':'; tenant ids and provider ids contain no '.'. */
const laneName = (l: LaneKey) => `${l.tenant}.${l.provider}`;
