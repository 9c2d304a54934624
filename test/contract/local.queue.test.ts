/** The queue-engine conformance suite against the in-process engine (p-queue per lane). */
import pino from 'pino';
import { LocalQueueEngine } from '../../src/queue/local.js';
import { describeQueueEngine } from './queue.contract.js';

describeQueueEngine('local', async () => ({
  make: async ({ pollIntervalMs }) => new LocalQueueEngine({ now: Date.now, pollIntervalMs, logger: pino({ level: 'silent' }) }),
  destroy: async () => {},
}));

