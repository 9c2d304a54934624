import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { maskUrl } from '../privacy/redact.js';
import { StartupError } from '../startup-error.js';
import type { QueueEngine } from './types.js';

/** `ioredis`/`bullmq` are imported only when the redis engine is selected. */
export async function createQueueEngine(cfg: Config['queue'], deps: { now(): number; logger: Logger; pollIntervalMs: number }): Promise<QueueEngine> {
  if (cfg.driver === 'local') {
    const { LocalQueueEngine } = await import('./local.js');
    return new LocalQueueEngine(deps);
  }
  const { RedisQueueEngine } = await import('./redis.js');
  try {
    return await RedisQueueEngine.connect(cfg.url, { prefix: cfg.prefix, ...deps });
  } catch (err) {
    throw new StartupError(`cannot reach Redis at ${maskUrl(cfg.url)}: ${(err as Error).message}`);
  }
}
