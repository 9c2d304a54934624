import pino from 'pino';
import { honorProvider } from './index.js';

describe('honorProvider definition', () => {
  it('declares Honor limits, secrets, token schema and quota classes', () => {
    expect(honorProvider.id).toBe('honor');
    expect(honorProvider.limits).toEqual({ maxTargetsPerRequest: 1000, defaultRate: { perSecond: 100, concurrency: 8 } });
    expect(honorProvider.secretFields).toEqual(['clientSecret']);
    const config = honorProvider.configSchema.parse({ appId: '1', clientId: 'c', clientSecret: 's' });
    expect(honorProvider.quotaClassOf?.('im', config)).toBe('service');
    expect(honorProvider.quotaClassOf?.('promotion', config)).toBe('marketing');
    expect(honorProvider.tokenSchema.safeParse('short').success).toBe(false);
    expect(honorProvider.tokenSchema.safeParse('has space in it 0123456789').success).toBe(false);
    expect(honorProvider.tokenSchema.parse('AbC-_+/=.:0123456789xyz')).toBe('AbC-_+/=.:0123456789xyz');
  });

  it('starts a playground whose config validates and sends through its simulator', async () => {
    const { simulator, config } = await honorProvider.playground!();
    try {
      expect(honorProvider.configSchema.parse(config)).toEqual(config);
      const deps = { now: () => Date.now(), random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} };
      const provider = honorProvider.create(config, deps);
      const send = () =>
        provider.send({
          message: { id: 'm', notification: { title: 't', body: 'b' }, data: {}, options: { priority: 'normal', category: 'news' }, createdAt: Date.now() },
          targets: [{ deliveryId: 'd', token: 'PLAYGROUNDHONORTOKEN0001', registered: true }],
          callbackRef: 'r',
        });
      expect((await send()).results[0]?.outcome).toBe('sent');
      simulator.quotaExhausted = true;
      expect((await send()).results[0]).toMatchObject({ outcome: 'quota_exceeded', quotaClass: 'marketing' });
      await provider.close();
      expect(simulator.accepted).toEqual(['PLAYGROUNDHONORTOKEN0001']);
    } finally {
      await simulator.close();
    }
  });
});
