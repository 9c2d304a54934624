/**
 * The queue-engine conformance suite against the Redis engine (the Redis on 127.0.0.1:6379, or
 * PUSHGATE_TEST_REDIS_URL), each test under its own random key prefix, deleted afterwards. Then
 * what only a shared engine has: several instances sharing a lane's rate and concurrency, a dead
 * instance's token picked up by another, and health that follows Redis going and coming back.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { RedisQueueEngine, type RedisQueueOptions } from '../../src/queue/redis.js';
import type { LaneSettings, QueueEngine } from '../../src/queue/types.js';
import { describeQueueEngine, maxInWindow, recorder, sleep, until } from './queue.contract.js';
import { requireRedis, TEST_REDIS_URL } from './services.js';
import { tcpProxy } from '../factories/tcp-proxy.js';

const service = await requireRedis();
const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

const newPrefix = () => `pushgate-test-${randomBytes(5).toString('hex')}`;
const connect = (prefix: string, over: Partial<RedisQueueOptions> = {}, url = TEST_REDIS_URL) =>
  RedisQueueEngine.connect(url, { prefix, now: Date.now, logger, pollIntervalMs: 10_000, ...over });

describeQueueEngine(
  'Redis',
  async () => {
    const prefix = newPrefix();
    return { make: ({ pollIntervalMs }) => connect(prefix, { pollIntervalMs }), destroy: () => deleteKeys(prefix) };
  },
  service.describe,
);

async function pingUntilUp(engine: QueueEngine, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await engine.ping();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

/** A TCP proxy in front of Redis that the test can cut and restore, as a network would. */
async function redisProxy() {
  const target = new URL(TEST_REDIS_URL);
  const p = await tcpProxy(target.hostname, Number(target.port || 6379));
  return { ...p, url: p.via(TEST_REDIS_URL) };
}

service.describe('Redis queue engine across instances', () => {
  let prefix: string;
  let engines: QueueEngine[];
  let proxies: Array<Awaited<ReturnType<typeof redisProxy>>>;
  beforeEach(() => {
    prefix = newPrefix();
    engines = [];
    proxies = [];
  });
  afterEach(async () => {
    for (const e of engines) await e.stop();
    for (const p of proxies) await p.close();
    await deleteKeys(prefix);
  });
  const proxy = async () => {
    const p = await redisProxy();
    proxies.push(p);
    return p;
  };
  const started = async (over: Partial<RedisQueueOptions> = {}, url?: string) => {
    const e = await connect(prefix, over, url);
    engines.push(e);
    return e;
  };
  const lane: LaneSettings = { tenant: 'acme', provider: 'huawei', perSecond: 10, concurrency: 2 };

  it('three instances together hold the lane’s rate and concurrency', async () => {
    const t0 = Date.now();
    const { rec, run } = recorder(async () => {
      await sleep(20);
      return Date.now() - t0 < 2600 ? { kind: 'more' } : { kind: 'idle', nextDueAt: null };
    });
    for (let i = 0; i < 3; i++) await (await started()).start([lane], run);
    await until(() => Date.now() - t0 > 3000 && rec.active === 0, 6000, 'the runs to finish');
    expect(maxInWindow(rec.starts)).toBeLessThanOrEqual(10);
    expect(rec.maxActive).toBeLessThanOrEqual(2);
    expect(rec.starts.length).toBeGreaterThanOrEqual(20);
  });

  it('stop() ends a token’s wait for its slot of the pace, and that token makes no run', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      // The lane's pace says the next slot is 30 s away (as after a burst on a slow lane): every token waits.
      await redis.set(`${prefix}:acme.huawei:pace`, String(Date.now() + 30_000), 'PX', 60_000);
      const { rec, run } = recorder(() => ({ kind: 'more' }));
      const e = await connect(prefix);
      await e.start([lane], run);
      // A token is taken (BullMQ's active list) and waits in the engine for its slot.
      let holding = false;
      const look = () => void redis.llen(`${prefix}:acme.huawei:active`).then((n) => (holding = n > 0), () => undefined);
      await until(() => (look(), holding), 5000, 'a token waiting for its slot');
      let stopped = false;
      void e.stop().then(() => (stopped = true));
      await until(() => stopped, 10_000, 'stop() while a token waits for its slot');
      expect(rec.starts.length).toBe(0);
      // Both tokens are back for the other instances. A wait that stop() did not end would outlast BullMQ's close
      // (stop() gives up on it after a grace) and its token would be left active, for stalled-job recovery.
      expect((await redis.lrange(`${prefix}:acme.huawei:wait`, 0, -1)).sort()).toEqual(['run-0', 'run-1']);
    } finally {
      await redis.quit();
    }
  });

  it('stop() while a token is asking the pace: the wait it is then told ends at once', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await redis.set(`${prefix}:acme.huawei:pace`, String(Date.now() + 30_000), 'PX', 60_000);
      const { rec, run } = recorder(() => ({ kind: 'more' }));
      const e = await started();
      // Hold the engine's pace call until stop() has begun, as a slow round trip to Redis would: its answer, a
      // 30 s wait, then arrives after stop() has released the waits it knew of.
      const conn = (e as unknown as { conn: { eval(...args: unknown[]): Promise<unknown> } }).conn;
      const ask = conn.eval.bind(conn);
      let asking = 0;
      let answer: () => void = () => {};
      const answered = new Promise<void>((resolve) => (answer = resolve));
      conn.eval = async (...args: unknown[]) => {
        asking++;
        await answered;
        return ask(...args);
      };
      await e.start([{ ...lane, concurrency: 1 }], run);
      await until(() => asking > 0, 5000, 'a token asking the pace');
      let stopped = false;
      void e.stop().then(() => (stopped = true));
      answer();
      await until(() => stopped, 10_000, 'stop() while a token asks the pace');
      expect(rec.starts.length).toBe(0);
      expect(await redis.lrange(`${prefix}:acme.huawei:wait`, 0, -1)).toEqual(['run-0']);
    } finally {
      await redis.quit();
    }
  });

  it('asks the pace once per run: a token reserves its slot and sleeps until it, however many tokens wait', async () => {
    const { rec, run } = recorder(() => ({ kind: 'more' }));
    const e = await started();
    const conn = (e as unknown as { conn: { eval(...args: unknown[]): Promise<unknown> } }).conn;
    const ask = conn.eval.bind(conn);
    let asked = 0;
    conn.eval = (...args: unknown[]) => {
      asked++;
      return ask(...args);
    };
    // 20/s with 8 tokens: seven of them are waiting for a slot at any time.
    await e.start([{ ...lane, perSecond: 20, concurrency: 8 }], run);
    await until(() => rec.starts.length >= 20, 5000, '20 runs');
    await e.stop();
    // Each run took one call; tokens stopped while they waited took one each too (at most the 8 tokens).
    expect(asked).toBeLessThanOrEqual(rec.starts.length + 8);
  });

  it('hands a dead instance’s token to another instance', async () => {
    const net = await proxy();
    let release: () => void = () => {};
    const hung = new Promise<void>((resolve) => (release = resolve));
    const fast = { lockDurationMs: 1000, stalledIntervalMs: 300 };
    const one = { ...lane, concurrency: 1 };
    // Instance A takes the lane's only token, then loses Redis (as if it had been killed).
    const a = await started(fast, net.url);
    const aRuns = recorder(async () => {
      await hung;
      return { kind: 'idle', nextDueAt: null };
    });
    await a.start([one], aRuns.run);
    await until(() => aRuns.rec.active === 1, 3000, 'A to take the token');
    await net.cut();

    // B cannot add the token (A still holds it); BullMQ hands it over once A's lock has expired.
    const b = await started(fast);
    const bRuns = recorder(() => ({ kind: 'idle', nextDueAt: null }));
    await b.start([one], bRuns.run);
    await until(() => bRuns.rec.starts.length > 0, 8000, 'B to run the stalled token');
    // Let A's run end and its network come back, so the test closes it cleanly.
    release();
    await net.restore();
    await pingUntilUp(a);
  }, 30_000);

  it('ping fails fast while Redis is away and passes again once it is back, and lanes resume', async () => {
    const net = await proxy();
    const engine = await started({ pollIntervalMs: 300, pingTimeoutMs: 500 }, net.url);
    const { rec, run } = recorder(() => ({ kind: 'idle', nextDueAt: null }));
    await engine.start([lane], run);
    await engine.ping();
    await net.cut();
    // pingTimeoutMs bounds how long it takes; the test only needs the failure.
    await expect(engine.ping()).rejects.toThrow();

    await net.restore();
    await pingUntilUp(engine);
    const before = rec.starts.length;
    engine.kick(lane);
    await until(() => rec.starts.length > before, 10_000, 'a run after Redis came back');
  }, 30_000);

  it('fails to connect with the reason when Redis cannot be reached', async () => {
    await expect(connect(prefix, {}, 'redis://127.0.0.1:1')).rejects.toThrow(/ECONNREFUSED|connect|5 s/);
  });
});
