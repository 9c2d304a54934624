import pino from 'pino';
import { harmonyProvider } from './index.js';

describe('harmonyProvider definition', () => {
  it('declares HarmonyOS limits, secrets and quota classes', () => {
    expect(harmonyProvider.id).toBe('harmony');
    expect(harmonyProvider.limits).toEqual({ maxTargetsPerRequest: 1000, defaultRate: { perSecond: 100, concurrency: 8 } });
    expect(harmonyProvider.secretFields).toEqual(['serviceAccount', 'private_key', 'callbackKey']);
    expect(harmonyProvider.quotaClassOf?.('im', undefined as never)).toBe('service');
    expect(harmonyProvider.quotaClassOf?.('news', undefined as never)).toBe('marketing');
    expect(harmonyProvider.tokenSchema.safeParse('MAAALgE4G98BAAAAst0123456789').success).toBe(true);
    expect(harmonyProvider.tokenSchema.safeParse('short').success).toBe(false);
    expect(harmonyProvider.tokenSchema.safeParse(`MAAALgE4G98BAAAA ${'x'.repeat(30)}`).success).toBe(false);
    expect(harmonyProvider.tokenSchema.safeParse('M'.repeat(513)).success).toBe(false);
  });

  it('starts a playground whose config validates, sends and recalls through its simulator', async () => {
    const { simulator, config } = await harmonyProvider.playground!();
    try {
      expect(harmonyProvider.configSchema.parse(config)).toEqual(config);
      const deps = { now: () => Date.now(), random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} };
      const provider = harmonyProvider.create(config, deps);
      const message = { id: 'm', notification: { title: 't', body: 'b' }, data: {}, options: { priority: 'normal' as const }, createdAt: Date.now() };
      const token = 'MAAALgE4G98BAAAAplayground0000001';
      await provider.warmUp?.();
      const out = await provider.send({ message, targets: [{ deliveryId: 'd', token, registered: true }], callbackRef: 'r' });
      expect(out.results[0]?.outcome).toBe('sent');
      expect(simulator.accepted).toEqual([token]);
      expect(await provider.recall?.({ message, tokens: [token] })).toEqual([{ token, outcome: 'recalled' }]);
      await provider.close();
    } finally {
      await simulator.close();
    }
  });
});
