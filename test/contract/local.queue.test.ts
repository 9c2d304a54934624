/** The queue-engine conformance suite against the in-process engine (p-queue per lane), and how many runs it starts for a kick. */
import pino from 'pino';
import { LocalQueueEngine } from '../../src/queue/local.js';
import { describeQueueEngine, recorder, until } from './queue.contract.js';

describeQueueEngine('local', async () => ({
  make: async ({ pollIntervalMs }) => new LocalQueueEngine({ now: Date.now, pollIntervalMs, logger: pino({ level: 'silent' }) }),
  destroy: async () => {},
}));

describe('local queue engine, how many runs', () => {
  const lane = { tenant: 'acme', provider: 'huawei' };
  const settings = { ...lane, perSecond: 1000, concurrency: 8 };
  const engine = () => new LocalQueueEngine({ now: Date.now, pollIntervalMs: 60_000, logger: pino({ level: 'silent' }) });

  it('starts one run for a one-request kick, not one per free slot, and none after it sent its message', async () => {
    const e = engine();
    // Start: every slot looks once (a backlog from before); then one kick announces a single-target message.
    const { rec, run } = recorder((n) => (n === 9 ? { kind: 'more', full: false } : { kind: 'idle', nextDueAt: null }));
    try {
      await e.start([settings], run);
      await until(() => rec.finished === 8, 3000, 'the start-up runs');
      e.kick(lane, 1);
      await until(() => rec.finished === 9, 3000, 'the kicked run');
      await new Promise((r) => setTimeout(r, 50));
      expect(rec.starts).toHaveLength(9);
    } finally {
      await e.stop();
    }
  });

  it('starts a run owed to a kick that found every slot taken once a slot frees up', async () => {
    const e = engine();
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    // Eight runs hold every slot (vendor requests in flight); a ninth message's kick must not be lost.
    const { rec, run } = recorder(async (n) => {
      if (n <= 8) {
        await held;
        return { kind: 'more', full: false };
      }
      return { kind: 'more', full: false };
    });
    try {
      await e.start([settings], run);
      await until(() => rec.active === 8, 3000, 'eight runs in flight');
      e.kick(lane, 1);
      release();
      await until(() => rec.starts.length >= 9, 3000, 'the owed run');
    } finally {
      await e.stop();
    }
  });

  it('keeps one run going after each smaller batch of a backlog of unknown size (start-up)', async () => {
    const e = engine();
    const { rec, run } = recorder((n) => (n <= 20 ? { kind: 'more', full: false } : { kind: 'idle', nextDueAt: null }));
    try {
      await e.start([settings], run);
      await until(() => rec.starts.length > 20, 3000, 'the backlog drained');
    } finally {
      await e.stop();
    }
  });

  it('starts as many runs as a kick announces requests, and every slot for a kick that does not say', async () => {
    for (const [requests, runs] of [[3, 3], [undefined, 8]] as const) {
      const e = engine();
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      const { rec, run } = recorder(async (n) => {
        if (n > 8) await held;
        return { kind: 'idle', nextDueAt: null };
      });
      try {
        await e.start([settings], run);
        await until(() => rec.finished === 8, 3000, 'the start-up runs');
        e.kick(lane, requests);
        await until(() => rec.active === runs, 3000, `${runs} runs for the kick`);
        await new Promise((r) => setTimeout(r, 50));
        expect(rec.active).toBe(runs);
      } finally {
        release();
        await e.stop();
      }
    }
  });

  it('fills every slot after a full batch (a big message has more due)', async () => {
    const e = engine();
    // The runs after the full batch wait (vendor requests in flight) until released.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const { rec, run } = recorder(async (n) => {
      if (n === 9) return { kind: 'more', full: true };
      if (n > 9) await held;
      return { kind: 'idle', nextDueAt: null };
    });
    try {
      await e.start([settings], run);
      await until(() => rec.finished === 8, 3000, 'the start-up runs');
      e.kick(lane, 1);
      await until(() => rec.active === 8, 3000, 'eight runs after the full batch');
    } finally {
      release();
      await e.stop();
    }
  });
});
