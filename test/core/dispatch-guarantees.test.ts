/**
 * What the dispatcher guarantees every adapter (providers/types.ts SendBatch): 1..maxTargetsPerRequest
 * targets per call, distinct tokens, one message, and only the provider's own parsed overrides slice
 * and device extras, also for messages stored by 0.1 (raw overrides map inside options). Driven
 * through the API and lane runs against a provider that records every batch it is handed. Beside
 * dispatcher.test.ts, which is about outcomes, to keep both files readable.
 */
import { z } from 'zod';
import { defineProvider, type AnyProviderDefinition, type SendBatch } from '../../providers/types.js';
import { keyBytes } from '../../src/config/schema.js';
import { TokenCipher } from '../../src/privacy/token-cipher.js';
import { ENCRYPTION_KEY, hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

const LIMIT = 1000;
const overridesSchema = z.object({ tag: z.string().min(1) }).strict();
const deviceFieldsSchema = z.object({ platform: z.enum(['ios', 'android']).optional() }).strict();
type RecorderOverrides = z.output<typeof overridesSchema>;
type RecorderExtras = z.output<typeof deviceFieldsSchema>;

/** A provider that answers `sent` and keeps a copy of every batch the dispatcher hands it. */
function recorder(batches: Array<SendBatch<RecorderOverrides, RecorderExtras>>): AnyProviderDefinition {
  return defineProvider<Record<string, never>, RecorderOverrides, RecorderExtras>({
    id: 'recorder',
    configSchema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
    tokenSchema: z.string().min(3),
    overridesSchema,
    deviceFieldsSchema,
    limits: { maxTargetsPerRequest: LIMIT, defaultRate: { perSecond: 10, concurrency: 1 } },
    secretFields: [],
    create: () => ({
      async send(batch) {
        batches.push(structuredClone(batch));
        return { results: batch.targets.map((x) => ({ deliveryId: x.deliveryId, outcome: 'sent' as const })) };
      },
      async close() {},
    }),
  });
}

const lane = { tenant: 'acme', provider: 'recorder' };
const hello = { notification: { title: 'Hi', body: 'There' } };
const cipher = new TokenCipher(keyBytes(ENCRYPTION_KEY));
let t: TestGateway;
let batches: Array<SendBatch<RecorderOverrides, RecorderExtras>>;

beforeEach(async () => {
  batches = [];
  t = await testGateway({ extraProviders: [recorder(batches)], acmeProviders: { recorder: {} } });
});
afterEach(async () => {
  await t.close();
});

async function drain(): Promise<void> {
  while ((await t.gw.dispatcher.runLane(lane)).kind === 'more');
}

/** A message written as 0.1 stored it (the raw overrides map inside options), with one delivery per token. */
async function storeLegacyMessage(id: string, tokens: string[], overrides: Record<string, unknown>): Promise<void> {
  const now = t.clock.now();
  const payload = JSON.stringify({ ...hello, data: {}, options: { priority: 'high', overrides } });
  const deliveries = tokens.map((token, i) => ({
    id: `${id}_d${i}`,
    provider: 'recorder',
    deviceId: null,
    tokenEnc: cipher.encrypt(token),
    tokenHash: cipher.hash('recorder', token),
    extras: null,
    quotaClass: 'default',
    registered: false,
  }));
  await t.gw.store.insertMessage({ id, tenant: 'acme', idempotencyKey: null, payload, createdAt: now, expiresAt: null }, deliveries, null);
}

describe('what the dispatcher hands an adapter', () => {
  it('2,500 raw tokens with one repeated: calls of at most the limit, distinct tokens, one message; the repeat is one delivery', async () => {
    const tokens = Array.from({ length: 2500 }, (_, i) => ({ provider: 'recorder', token: `tok-${i % 2498}` }));
    const { body } = await t.server('post', '/v1/messages').send({ to: { tokens }, ...hello }).expect(202);
    // Accept already makes one delivery per (provider, token) of a message.
    expect(body.targets).toBe(2498);
    await drain();

    expect(batches.length).toBe(3);
    for (const b of batches) {
      expect(b.targets.length).toBeGreaterThanOrEqual(1);
      expect(b.targets.length).toBeLessThanOrEqual(LIMIT);
      expect(new Set(b.targets.map((x) => x.token)).size).toBe(b.targets.length);
      expect(b.message.id).toBe(body.id);
      expect(b.callbackRef).toBe(body.id);
    }
    expect(new Set(batches.flatMap((b) => b.targets.map((x) => x.token))).size).toBe(2498);
    const rows = await t.gw.store.listDeliveries('acme', body.id, null, 10_000);
    expect(rows.every((r) => r.state === 'sent')).toBe(true);
  });

  it('two deliveries of one message to the same token (devices merged since) become one target, and both record its result', async () => {
    await storeLegacyMessage('msg_twins', ['tok-a', 'tok-b', 'tok-a'], {});
    await drain();
    expect(batches.map((b) => b.targets.map((x) => x.token))).toEqual([['tok-a', 'tok-b']]);
    const rows = await t.gw.store.listDeliveries('acme', 'msg_twins', null, 10);
    expect(rows.map((r) => [r.id, r.state])).toEqual([
      ['msg_twins_d0', 'sent'],
      ['msg_twins_d1', 'sent'],
      ['msg_twins_d2', 'sent'],
    ]);
  });

  it('only its own parsed overrides slice, never another provider’s section, and no options.overrides', async () => {
    const overrides = { recorder: { tag: 'mine' }, huawei: { importance: 'HIGH' }, apns: { pushType: 'alert' } };
    await t.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'recorder', token: 'tok-1' }] }, ...hello, options: { overrides } }).expect(202);
    await drain();
    expect(batches).toHaveLength(1);
    expect(batches[0]?.overrides).toEqual({ tag: 'mine' });
    expect(batches[0]?.message.options).not.toHaveProperty('overrides');
    expect(JSON.stringify(batches[0])).not.toMatch(/importance|pushType/);
  });

  it('no overrides at all when the sender gave none for this provider', async () => {
    await t.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'recorder', token: 'tok-1' }] }, ...hello, options: { overrides: { huawei: { importance: 'HIGH' } } } }).expect(202);
    await drain();
    expect(batches[0]?.overrides).toBeUndefined();
  });

  it('a 0.1 message (raw overrides map with an unknown provider id) is parsed per provider: the adapter gets its slice and sends', async () => {
    await storeLegacyMessage('msg_old', ['tok-1'], { recorder: { tag: 'old' }, honor: { anything: 1 }, huawei: { importance: 'HIGH' } });
    await drain();
    expect(batches.map((b) => b.overrides)).toEqual([{ tag: 'old' }]);
    expect(batches[0]?.message.options).toEqual({ priority: 'high' });
    expect((await t.gw.store.listDeliveries('acme', 'msg_old', null, 10))[0]?.state).toBe('sent');
  });

  it('a 0.1 message whose slice no longer validates is rejected, never handed over', async () => {
    await storeLegacyMessage('msg_bad', ['tok-1'], { recorder: { tag: '' } });
    await drain();
    expect(batches).toHaveLength(0);
    const [row] = await t.gw.store.listDeliveries('acme', 'msg_bad', null, 10);
    expect(row).toMatchObject({ state: 'failed', lastError: { code: 'rejected', vendorCode: 'invalid_overrides' } });
  });

  it('the device extras its own deviceFieldsSchema produced, for a registered device and a raw token', async () => {
    await t.server('post', '/v1/devices').send({ provider: 'recorder', token: 'tok-dev', userId: 'u1', platform: 'ios' }).expect(201);
    const to = { userIds: ['u1'], tokens: [{ provider: 'recorder', token: 'tok-raw', platform: 'android' }, { provider: 'recorder', token: 'tok-plain' }] };
    await t.server('post', '/v1/messages').send({ to, ...hello }).expect(202);
    await drain();
    const extras = Object.fromEntries(batches.flatMap((b) => b.targets.map((x) => [x.token, x.extras])));
    expect(extras).toEqual({ 'tok-dev': { platform: 'ios' }, 'tok-raw': { platform: 'android' }, 'tok-plain': undefined });
  });

  it('refuses at accept, by name, a raw-token field another provider declares, or a bad value of its own', async () => {
    const foreign = await t.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'recorder', token: 'tok-1', apns: { environment: 'sandbox' } }] }, ...hello }).expect(400);
    expect(foreign.body.error).toMatchObject({ code: 'field_not_allowed', details: [{ field: 'to.tokens[0].apns' }] });
    const bad = await t.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'recorder', token: 'tok-1', platform: 'web' }] }, ...hello }).expect(400);
    expect(bad.body.error.details[0].field).toBe('to.tokens[0].platform');
    const unknown = await t.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'recorder', token: 'tok-1', imei: '1' }] }, ...hello }).expect(400);
    expect(unknown.body.error.details[0].field).toMatch(/imei/);
    // Huawei, a real vendor, is unaffected by the extra fields others declare.
    await t.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'huawei', token: hwToken(1) }] }, ...hello }).expect(202);
  });
});
