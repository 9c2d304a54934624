/**
 * Accept-time vendor checks: a message a target vendor cannot take (data-only to vivo/OPPO/RongCloud,
 * over a vendor's size limit) is never stored only to fail later.
 */
import { z } from 'zod';
import { defineProvider, type MessageCheckFailure, type OutgoingMessage, type AnyProviderDefinition } from '../../providers/types.js';
import { hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

let t: TestGateway;
afterEach(async () => {
  await t.close();
});

const send = (body: unknown) => t.server('post', '/v1/messages').send(body as object);
const hello = { notification: { title: 'Hello', body: 'You have a new message' } };
const vivoToken = (n: number) => `1234567890123456789${String(n).padStart(4, '0')}`;
const oppoToken = (n: number) => `CN_${n.toString(16).padStart(32, '0')}`;
const tokens = (provider: string, make: (n: number) => string, count: number) => Array.from({ length: count }, (_, i) => ({ provider, token: make(i) }));

async function providersOf(messageId: string): Promise<Record<string, unknown>> {
  return (await t.server('get', `/v1/messages/${messageId}`).expect(200)).body.providers;
}

describe('a message some target vendors cannot take', () => {
  beforeEach(async () => {
    t = await testGateway({ acmeProviders: { vivo: { simulator: true }, oppo: { simulator: true } } });
  });

  it('accepts a data-only message for Huawei and lists the vivo and OPPO targets as skipped with the reason', async () => {
    const to = { tokens: [...tokens('huawei', hwToken, 2), ...tokens('vivo', vivoToken, 2), ...tokens('oppo', oppoToken, 1)] };
    const res = await send({ to, data: { chat: '7' } }).expect(202);
    expect(res.body.targets).toBe(2);
    expect(res.body.skipped).toEqual([
      { provider: 'vivo', count: 2, reason: 'data_only_unsupported', message: expect.stringContaining('add notification {title, body}') },
      { provider: 'oppo', count: 1, reason: 'data_only_unsupported', message: expect.stringContaining('add notification {title, body}') },
    ]);
    expect(Object.keys(await providersOf(res.body.id))).toEqual(['huawei']);
  });

  it('answers 400 message_not_deliverable when no target vendor can take it, and stores nothing', async () => {
    const res = await send({ to: { tokens: [...tokens('vivo', vivoToken, 2), ...tokens('oppo', oppoToken, 1)] }, data: { chat: '7' } }).expect(400);
    expect(res.body.error.code).toBe('message_not_deliverable');
    expect(res.body.error.message).toMatch(/vivo: .*oppo: /);
    expect(res.body.error.details).toEqual([
      { field: 'notification', provider: 'vivo', reason: 'data_only_unsupported', message: expect.any(String) },
      { field: 'notification', provider: 'oppo', reason: 'data_only_unsupported', message: expect.any(String) },
    ]);
    expect(await t.gw.store.pendingCount('acme')).toBe(0);
  });

  it('sends the same message with a notification to every vendor', async () => {
    const res = await send({ to: { tokens: [...tokens('huawei', hwToken, 1), ...tokens('vivo', vivoToken, 1), ...tokens('oppo', oppoToken, 1)] }, ...hello, data: { chat: '7' } }).expect(202);
    expect(res.body).toMatchObject({ targets: 3 });
    expect(res.body.skipped).toBeUndefined();
  });

  it('skips vivo when the data is over its 10 entries, keeping the vendors that take it', async () => {
    const data = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    const res = await send({ to: { tokens: [...tokens('huawei', hwToken, 1), ...tokens('vivo', vivoToken, 1)] }, ...hello, data }).expect(202);
    expect(res.body.skipped).toEqual([{ provider: 'vivo', count: 1, reason: 'payload_too_large', message: expect.stringContaining('at most 10 data') }]);
  });
});

describe('a message over a vendor size limit', () => {
  beforeEach(async () => {
    t = await testGateway();
  });

  it("refuses data that Huawei would answer 80300008, naming Huawei's limit", async () => {
    const res = await send({ to: { tokens: tokens('huawei', hwToken, 1) }, data: { blob: 'x'.repeat(5000) } }).expect(400);
    expect(res.body.error.code).toBe('message_not_deliverable');
    expect(res.body.error.details).toEqual([{ provider: 'huawei', reason: 'payload_too_large', message: expect.stringContaining('at most 4096 bytes') }]);
    expect(await t.gw.store.pendingCount('acme')).toBe(0);
  });

  it('counts options.overrides.huawei in the measured body', async () => {
    const body = { to: { tokens: tokens('huawei', hwToken, 1) }, ...hello, data: { blob: 'x'.repeat(3700) } };
    await send(body).expect(202);
    const res = await send({ ...body, options: { overrides: { huawei: { notify_summary: 'y'.repeat(400) } } } }).expect(400);
    expect(res.body.error.details[0]).toMatchObject({ provider: 'huawei', reason: 'payload_too_large' });
  });
});

describe('the check runs once per provider, not per target', () => {
  const calls: OutgoingMessage[] = [];
  const counted = defineProvider<Record<string, never>>({
    id: 'counted',
    configSchema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
    tokenSchema: z.string().min(3),
    limits: { maxTargetsPerRequest: 1000, defaultRate: { perSecond: 1, concurrency: 1 } },
    secretFields: [],
    checkMessage(message): MessageCheckFailure | undefined {
      calls.push(message);
      return undefined;
    },
    create: () => ({ send: async (batch) => ({ results: batch.targets.map((x) => ({ deliveryId: x.deliveryId, outcome: 'sent' as const })) }), close: async () => {} }),
  }) as AnyProviderDefinition;

  beforeEach(async () => {
    calls.length = 0;
    t = await testGateway({ extraProviders: [counted], acmeProviders: { counted: {} } });
  });

  it('asks the provider once for a message to 5,000 of its targets, with the message as stored', async () => {
    const res = await send({ to: { tokens: tokens('counted', (n) => `tok-${n}`, 5000) }, ...hello, options: { category: 'im' } }).expect(202);
    expect(res.body.targets).toBe(5000);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ id: res.body.id, notification: hello.notification, options: { category: 'im', priority: 'high' } });
  });
});
