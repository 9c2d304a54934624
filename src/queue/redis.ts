// Placeholder until the Redis engine lands (issue: scale-out). Selecting it fails clearly.
import type { Logger } from 'pino';
import type { QueueEngine } from './types.js';

export class RedisQueueEngine {
  static async connect(_url: string, _opts: { prefix: string; now(): number; logger: Logger; pollIntervalMs: number }): Promise<QueueEngine> {
    throw new Error('the Redis queue engine is not available in this build');
  }
}
