import pino from 'pino';
import { huaweiProvider } from './index.js';

describe('huaweiProvider definition', () => {
  it('declares Huawei limits, secrets and quota classes', () => {
    expect(huaweiProvider.id).toBe('huawei');
    expect(huaweiProvider.limits).toEqual({ maxTargetsPerRequest: 1000, defaultRate: { perSecond: 100, concurrency: 8 } });
    expect(huaweiProvider.secretFields).toEqual(['clientSecret', 'callbackKey']);
    const config = huaweiProvider.configSchema.parse({ appId: '1', clientSecret: 's' });
    expect(huaweiProvider.quotaClassOf?.('im', config)).toBe('service');
    expect(huaweiProvider.quotaClassOf?.(undefined, config)).toBe('marketing');
  });

  it('starts a playground whose config validates and sends through its simulator', async () => {
    const { simulator, config } = await huaweiProvider.playground!();
    try {
      expect(huaweiProvider.configSchema.parse(config)).toEqual(config);
      const deps = { now: () => Date.now(), random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} };
      const provider = huaweiProvider.create(config, deps);
      const out = await provider.send({
        message: { id: 'm', notification: { title: 't', body: 'b' }, data: {}, options: { priority: 'normal' }, createdAt: 0 },
        targets: [{ deliveryId: 'd', token: 'PLAYGROUNDTOKEN000000000000CN01', registered: true }],
        callbackRef: 'r',
      });
      await provider.close();
      expect(out.results[0]?.outcome).toBe('sent');
      expect(simulator.accepted).toEqual(['PLAYGROUNDTOKEN000000000000CN01']);
    } finally {
      await simulator.close();
    }
  });
});
