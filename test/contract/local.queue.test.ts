/** The queue-engine conformance suite against the in-process engine (p-queue per lane), and what only it promises. */
import pino from 'pino';
import { LocalQueueEngine } from '../../src/queue/local.js';
import { describeQueueEngine, recorder, until } from './queue.contract.js';

describeQueueEngine('local', async () => ({
  make: async ({ pollIntervalMs }) => new LocalQueueEngine({ now: Date.now, pollIntervalMs, logger: pino({ level: 'silent' }) }),
  destroy: async () => {},
}));

describe('local queue engine, kicks', () => {
  it('does not lose a kick that comes while a run is finding nothing due (the message it announces waits no poll interval)', async () => {
    const engine = new LocalQueueEngine({ now: Date.now, pollIntervalMs: 60_000, logger: pino({ level: 'silent' }) });
    const lane = { tenant: 'acme', provider: 'huawei' };
    const { rec, run } = recorder((n) => {
      // A message accepted just after this run looked: its kick must bring another run.
      if (n === 1) engine.kick(lane);
      return { kind: 'idle', nextDueAt: null };
    });
    try {
      await engine.start([{ ...lane, perSecond: 1000, concurrency: 1 }], run);
      await until(() => rec.starts.length >= 2, 3000, 'a run for the kick');
    } finally {
      await engine.stop();
    }
  });
});
