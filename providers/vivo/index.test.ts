import pino from 'pino';
import type { DeliveryTarget, PushProvider } from '../types.js';
import { vivoProvider } from './index.js';
import { vivoConfigSchema } from './vivo.config.js';

const token = (i: number) => `1563853541030${String(i).padStart(10, '0')}`;
const deps = () => ({ now: Date.now, random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} });
const targets = (n: number): DeliveryTarget[] => Array.from({ length: n }, (_, i) => ({ deliveryId: `dlv-${i}`, token: token(i), registered: true }));
const hello = { id: 'msg-1', notification: { title: 'New message', body: 'Alice: are you there?' }, data: {}, options: { priority: 'high' as const, category: 'im' }, createdAt: Date.now() };

describe('vivo provider definition', () => {
  const config = vivoConfigSchema.parse({ appId: '1', appKey: 'k', appSecret: 's' });

  it('splits quota classes into system (classification 1) and operation (marketing, news, none)', () => {
    const classOf = vivoProvider.quotaClassOf as NonNullable<typeof vivoProvider.quotaClassOf>;
    expect(['im', 'account', 'order', 'reminder'].map((c) => classOf(c, config))).toEqual(['system', 'system', 'system', 'system']);
    expect(['news', 'marketing', undefined].map((c) => classOf(c, config))).toEqual(['operation', 'operation', 'operation']);
  });

  it('holds operations messages outside 07:00–23:00 Beijing time and declares vivo limits', () => {
    const windowOf = vivoProvider.sendWindow as NonNullable<typeof vivoProvider.sendWindow>;
    expect(windowOf('operation')).toEqual({ fromHour: 7, toHour: 23, timeZone: 'Asia/Shanghai' });
    expect(windowOf('system')).toBeUndefined();
    expect(vivoProvider.limits).toEqual({ maxTargetsPerRequest: 1000, defaultRate: { perSecond: 50, concurrency: 8 } });
    expect(vivoProvider.secretFields).toEqual(['appKey', 'appSecret']);
  });

  it('starts a playground simulator and a config that sends through it', async () => {
    const play = vivoProvider.playground as NonNullable<typeof vivoProvider.playground>;
    const { simulator, config: pc } = await play();
    const p: PushProvider = vivoProvider.create(pc, deps());
    const out = await p.send({ message: hello, targets: targets(2), callbackRef: 'ref-1' });
    await p.close();
    await simulator.close();
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    expect(simulator.accepted).toEqual([token(0), token(1)]);
  });
});
