/**
 * Redis connections for the BullMQ engine (redis.ts): the shared connection that remembers what
 * BullMQ duplicates from it, a health connection that fails fast, and waiting helpers. Split from
 * the engine so the engine file is about lanes and tokens only.
 */
import { Redis, type RedisOptions } from 'ioredis';

/**
 * The engine's two connections, once both are ready (rejecting with the reason when Redis cannot
 * be reached, with nothing left open).
 */
export async function connectRedis(url: string, pingTimeoutMs: number): Promise<{ conn: TrackingRedis; pingConn: Redis }> {
  // Workers block on duplicates of this connection; BullMQ requires maxRetriesPerRequest: null.
  // Not lazy: a duplicate made while Redis is away must keep retrying, not end for good.
  const conn = new TrackingRedis(url, { maxRetriesPerRequest: null, connectTimeout: 5000 });
  // Health checks must fail fast while Redis is away, and pass again once it is back.
  const pingConn = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: pingTimeoutMs, connectTimeout: 2000 });
  pingConn.on('error', () => {});
  try {
    await Promise.all([ready(conn), ready(pingConn)]);
  } catch (err) {
    conn.disconnect();
    pingConn.disconnect();
    throw err;
  }
  return { conn, pingConn };
}

/**
 * ioredis that remembers the connections BullMQ duplicates from it (each worker's blocking
 * connection), so stop() can drop them when Redis is gone: BullMQ's own close waits for Redis.
 */
export class TrackingRedis extends Redis {
  readonly duplicates = new Set<Redis>();
  override duplicate(override?: Partial<RedisOptions>): Redis {
    const d = super.duplicate(override);
    this.duplicates.add(d);
    d.once('end', () => this.duplicates.delete(d));
    return d;
  }
}

/** Resolves when the connection is ready; rejects with the first connection error, or after 5 s. */
function ready(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => done();
    const timer = setTimeout(() => done(new Error('no answer within 5 s')), 5000);
    redis.once('ready', onReady);
    redis.once('error', done);
  });
}

/** True when `p` settled within `ms`. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
