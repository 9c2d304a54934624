import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DeliveryTarget, OutgoingMessage } from '../types.js';
import { apnsConfigSchema, type ApnsConfig } from './apns.config.js';
import { apnsOutcome } from './apns.errors.js';
import {
  apnsIdFor,
  apnsOverridesSchema,
  apnsPayloadLimit,
  buildApnsHeaders,
  buildApnsPayload,
  collapseIdOf,
  environmentOf,
} from './apns.request.js';
import { apnsDeviceFieldsSchema, apnsTokenSchema, type ApnsDeviceExtras } from './apns.token.js';

const NOW = 1_700_000_000_000;
const TOKEN = 'a'.repeat(64);
const P8 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function config(extra: Record<string, unknown> = {}): ApnsConfig {
  return apnsConfigSchema.parse({ auth: { token: { key: P8, keyId: 'ABC123DEFG', teamId: 'TEAM123456' } }, topic: 'com.example.app', ...extra });
}

function message(extra: Partial<OutgoingMessage> = {}, options: Partial<OutgoingMessage['options']> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    notification: { title: 'Hello', body: 'World' },
    data: { orderId: '42' },
    options: { priority: 'high', ...options },
    createdAt: NOW,
    ...extra,
  };
}

type Target = DeliveryTarget<ApnsDeviceExtras>;
const target = (extra: Partial<Target> = {}): Target => ({ deliveryId: 'del-1', token: TOKEN, registered: false, ...extra });

describe('APNs payload', () => {
  test('a notification becomes aps.alert with title and body, the data map becomes custom keys', () => {
    expect(buildApnsPayload(message(), config())).toEqual({ orderId: '42', aps: { alert: { title: 'Hello', body: 'World' } } });
  });

  test('sound and badge go into aps when given', () => {
    const m = message({ notification: { title: 'T', body: 'B', sound: 'default', badge: 3 } });
    expect(buildApnsPayload(m, config()).aps).toEqual({ alert: { title: 'T', body: 'B' }, sound: 'default', badge: 3 });
  });

  test('an image sets mutable-content and travels in the custom key image for the service extension', () => {
    const p = buildApnsPayload(message({ notification: { title: 'T', body: 'B', image: 'https://x.test/i.png' } }), config());
    expect(p.aps['mutable-content']).toBe(1);
    expect(p.image).toBe('https://x.test/i.png');
  });

  test('a data-only message is a background push: content-available and no alert', () => {
    const p = buildApnsPayload(message({ notification: undefined, data: { k: 'v' } }), config());
    expect(p).toEqual({ k: 'v', aps: { 'content-available': 1 } });
  });

  test('a data key named aps cannot replace the aps dictionary', () => {
    const p = buildApnsPayload(message({ data: { aps: 'x', a: 'b' } }), config());
    expect(p).toEqual({ a: 'b', aps: { alert: { title: 'Hello', body: 'World' } } });
  });

  test('click actions: url as the custom key url, intent as aps.category', () => {
    const url = buildApnsPayload(message({ notification: { title: 'T', body: 'B', clickAction: { type: 'url', value: 'https://x.test' } } }), config());
    expect(url.url).toBe('https://x.test');
    const intent = buildApnsPayload(message({ notification: { title: 'T', body: 'B', clickAction: { type: 'intent', value: 'REPLY' } } }), config());
    expect(intent.aps.category).toBe('REPLY');
  });

  test('the message category maps to aps.interruption-level through the tenant table', () => {
    const c = config({ interruptionLevels: { marketing: 'passive', account: 'time-sensitive' } });
    expect(buildApnsPayload(message({}, { category: 'marketing' }), c).aps['interruption-level']).toBe('passive');
    expect(buildApnsPayload(message({}, { category: 'im' }), c).aps['interruption-level']).toBeUndefined();
  });

  test('overrides.apns.aps and .payload are merged last', () => {
    const o = apnsOverridesSchema.parse({ aps: { 'thread-id': 'chat-1', sound: { critical: 1, name: 'a.caf', volume: 1 } }, payload: { extra: { n: 1 } } });
    const p = buildApnsPayload(message(), config(), o);
    expect(p.aps['thread-id']).toBe('chat-1');
    expect(p.aps.sound).toEqual({ critical: 1, name: 'a.caf', volume: 1 });
    expect(p.extra).toEqual({ n: 1 });
  });

  test('payload limit is 4096 bytes, 5120 for VoIP', () => {
    expect(apnsPayloadLimit('alert')).toBe(4096);
    expect(apnsPayloadLimit('voip')).toBe(5120);
  });
});

describe('APNs headers', () => {
  test('a high-priority notification is an alert with priority 10, the tenant topic and an apns-id from the delivery id', () => {
    expect(buildApnsHeaders(message(), target(), config())).toEqual({
      'apns-push-type': 'alert',
      'apns-priority': 10,
      'apns-topic': 'com.example.app',
      'apns-id': apnsIdFor('del-1'),
    });
  });

  test('normal priority is 5; a background push is always 5', () => {
    expect(buildApnsHeaders(message({}, { priority: 'normal' }), target(), config())['apns-priority']).toBe(5);
    const bg = buildApnsHeaders(message({ notification: undefined }, { priority: 'high' }), target(), config());
    expect(bg['apns-push-type']).toBe('background');
    expect(bg['apns-priority']).toBe(5);
  });

  test('ttlSeconds becomes apns-expiration = createdAt + ttl in epoch seconds; ttl 0 means deliver once', () => {
    expect(buildApnsHeaders(message({}, { ttlSeconds: 3600 }), target(), config())['apns-expiration']).toBe(1_700_003_600);
    // A retry 100 s later keeps the same expiry: APNs stores it for the 3500 s left, not a whole ttl again.
    expect(buildApnsHeaders(message({ createdAt: NOW - 100_000 }, { ttlSeconds: 3600 }), target(), config())['apns-expiration']).toBe(1_700_003_500);
    expect(buildApnsHeaders(message({}, { ttlSeconds: 0 }), target(), config())['apns-expiration']).toBe(0);
    expect(buildApnsHeaders(message(), target(), config())).not.toHaveProperty('apns-expiration');
  });

  test('collapseKey becomes apns-collapse-id; one over 64 bytes is hashed so equal keys still collapse', () => {
    expect(buildApnsHeaders(message({}, { collapseKey: 'order-42' }), target(), config())['apns-collapse-id']).toBe('order-42');
    const long = 'k'.repeat(100);
    expect(collapseIdOf(long)).toHaveLength(64);
    expect(collapseIdOf(long)).toBe(collapseIdOf(long));
    expect(collapseIdOf(long)).not.toBe(collapseIdOf('j'.repeat(100)));
  });

  test('the topic comes from overrides, then the device, then the tenant', () => {
    const device = target({ extras: { apns: { environment: 'production', topic: 'com.example.other' } } });
    expect(buildApnsHeaders(message(), device, config())['apns-topic']).toBe('com.example.other');
    const o = apnsOverridesSchema.parse({ topic: 'com.example.app.voip', pushType: 'voip', priority: 10, expiration: 0, collapseId: 'c' });
    expect(buildApnsHeaders(message(), device, config(), o)).toEqual({
      'apns-push-type': 'voip',
      'apns-priority': 10,
      'apns-topic': 'com.example.app.voip',
      'apns-id': apnsIdFor('del-1'),
      'apns-expiration': 0,
      'apns-collapse-id': 'c',
    });
  });

  test('apns-id is a canonical UUID, the same for the same delivery and different for another', () => {
    const id = apnsIdFor('del-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(apnsIdFor('del-1')).toBe(id);
    expect(apnsIdFor('del-2')).not.toBe(id);
    // Pinned (UUIDv5 of the namespace and the id): a delivery resent by a newer release carries the same apns-id.
    expect(id).toBe('56f28061-4e36-5147-9bc1-0982cb629639');
  });

  test('the environment is the device’s, else the tenant’s default', () => {
    expect(environmentOf(target({ extras: { apns: { environment: 'sandbox' } } }), config())).toBe('sandbox');
    expect(environmentOf(target(), config())).toBe('production');
    expect(environmentOf(target(), config({ production: false }))).toBe('sandbox');
  });
});

describe('APNs overrides', () => {
  test('invalid overrides are refused with the path of each problem', () => {
    const o = apnsOverridesSchema.safeParse({ priority: 7, unknown: 1 });
    expect(o.success).toBe(false);
    expect(JSON.stringify(o.error?.issues)).toMatch(/priority/);
    expect(apnsOverridesSchema.safeParse({ payload: { aps: {} } }).success).toBe(false);
    expect(apnsOverridesSchema.safeParse({ collapseId: 'x'.repeat(65) }).success).toBe(false);
  });
});

describe('APNs token, device fields and config schemas', () => {
  test('accepts 64 hex digits and longer even-length tokens up to 200, either case', () => {
    expect(apnsTokenSchema.safeParse('a'.repeat(64)).success).toBe(true);
    expect(apnsTokenSchema.safeParse('AB'.repeat(32)).success).toBe(true);
    expect(apnsTokenSchema.safeParse('0f'.repeat(100)).success).toBe(true);
  });

  test('refuses short, long, odd-length, spaced, bracketed and base64 tokens', () => {
    for (const bad of ['a'.repeat(62), 'a'.repeat(202), 'a'.repeat(65), `<${'a'.repeat(64)}>`, `${'a'.repeat(32)} ${'a'.repeat(32)}`, 'g'.repeat(64), Buffer.alloc(48, 1).toString('base64')]) {
      expect(apnsTokenSchema.safeParse(bad).success).toBe(false);
    }
  });

  test('device fields: apns.environment is required inside apns, and nothing else is allowed', () => {
    expect(apnsDeviceFieldsSchema.safeParse({ apns: { environment: 'sandbox', topic: 'com.example.app' } }).success).toBe(true);
    expect(apnsDeviceFieldsSchema.safeParse({}).success).toBe(true);
    expect(apnsDeviceFieldsSchema.safeParse({ apns: { topic: 'x' } }).success).toBe(false);
    expect(apnsDeviceFieldsSchema.safeParse({ apns: { environment: 'dev' } }).success).toBe(false);
    expect(apnsDeviceFieldsSchema.safeParse({ apns: { environment: 'sandbox', model: 'iPhone' } }).success).toBe(false);
    expect(apnsDeviceFieldsSchema.safeParse({ imei: '1' }).success).toBe(false);
  });

  test('config: token or certificate auth, defaults documented, typos refused', () => {
    const c = config();
    expect(c).toMatchObject({ production: true, maxStreamsPerSession: 1000, requestTimeoutMs: 5000 });
    // Certificate and key as file paths: the files must exist and hold PEM, which the config then carries.
    const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-apns-cfg-'));
    const pem = (name: string, text: string) => (writeFileSync(path.join(dir, name), text), path.join(dir, name));
    const cert = pem('apns.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const fromFiles = apnsConfigSchema.safeParse({ auth: { cert: { cert, key: pem('apns.key', P8) } }, topic: 'com.example.app' });
    expect(fromFiles.success && 'cert' in fromFiles.data.auth && fromFiles.data.auth.cert.key).toBe(P8);
    expect(apnsConfigSchema.safeParse({ auth: { cert: { cert, key: path.join(dir, 'missing.key') } }, topic: 'com.example.app' }).success).toBe(false);
    expect(apnsConfigSchema.safeParse({ auth: { token: { key: P8, keyId: 'short', teamId: 'TEAM123456' } }, topic: 'a' }).success).toBe(false);
    expect(apnsConfigSchema.safeParse({ auth: { token: { key: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----', keyId: 'ABC123DEFG', teamId: 'TEAM123456' } }, topic: 'a' }).success).toBe(false);
    expect(apnsConfigSchema.safeParse({ auth: { token: { key: P8, keyId: 'ABC123DEFG', teamId: 'TEAM123456' } }, topic: 'a', adress: 'x' }).success).toBe(false);
    expect(apnsConfigSchema.safeParse({ auth: { password: 'x' }, topic: 'a' }).success).toBe(false);
  });
});

describe('APNs outcome table', () => {
  const certain = { environmentCertain: true };
  const unsure = { environmentCertain: false };
  test.each([
    [{ status: 410, reason: 'Unregistered' }, unsure, 'invalid_token'],
    [{ status: 410, reason: 'ExpiredToken' }, unsure, 'invalid_token'],
    [{ status: 400, reason: 'DeviceTokenNotForTopic' }, unsure, 'invalid_token'],
    [{ status: 400, reason: 'BadDeviceToken' }, certain, 'invalid_token'],
    [{ status: 400, reason: 'BadDeviceToken' }, unsure, 'rejected'],
    [{ status: 400, reason: 'BadTopic' }, certain, 'rejected'],
    [{ status: 400, reason: 'MissingTopic' }, certain, 'rejected'],
    [{ status: 404, reason: 'BadPath' }, certain, 'rejected'],
    [{ status: 413, reason: 'PayloadTooLarge' }, certain, 'rejected'],
    [{ status: 403, reason: 'InvalidProviderToken' }, certain, 'auth_error'],
    [{ status: 403, reason: 'ExpiredProviderToken' }, certain, 'auth_error'],
    [{ status: 403, reason: 'BadCertificate' }, certain, 'auth_error'],
    [{ status: 403, reason: 'SomethingNew' }, certain, 'auth_error'],
    [{ status: 429, reason: 'TooManyRequests' }, certain, 'retry'],
    [{ status: 429 }, certain, 'rate_limited'],
    [{ status: 429, reason: 'TooManyProviderTokenUpdates' }, certain, 'rate_limited'],
    [{ status: 500, reason: 'InternalServerError' }, certain, 'retry'],
    [{ status: 503, reason: 'ServiceUnavailable' }, certain, 'retry'],
    [{ status: 500 }, certain, 'retry'],
    [{ errorMessage: 'apn write failed: NGHTTP2_REFUSED_STREAM' }, certain, 'retry'],
  ] as const)('%j (%j) → %s', (failure, ctx, outcome) => {
    expect(apnsOutcome(failure, ctx).outcome).toBe(outcome);
  });

  test('a BadDeviceToken on a raw token says the environment may be wrong', () => {
    expect(apnsOutcome({ status: 400, reason: 'BadDeviceToken' }, unsure).vendorMessage).toMatch(/environment/);
  });
});
