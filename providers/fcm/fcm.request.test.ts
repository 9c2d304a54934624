/**
 * The pure FCM builders, the outcome table, and the config/token schemas, tested as data.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OutgoingMessage } from '../types.js';
import { fcmConfigSchema } from './fcm.config.js';
import { fcmBatchResults, fcmErrorCodeOf, fcmOutcomeOf, type FcmAnswer } from './fcm.errors.js';
import {
  apnsCollapseId,
  buildFcmMessage,
  buildFcmRequestHead,
  buildFcmSendRequest,
  fcmBodyFor,
  fcmOverridesSchema,
  fcmPlatformOf,
} from './fcm.request.js';
import { fcmTokenSchema } from './fcm.token.js';
import { fcmDeviceFieldsSchema } from './index.js';

const CREATED = 1_700_000_000_000; // epoch seconds 1_700_000_000

function message(over: Partial<OutgoingMessage> = {}, options: Partial<OutgoingMessage['options']> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    notification: { title: 'Order shipped', body: 'Your order 42 is on its way' },
    data: { orderId: '42' },
    options: { priority: 'high', ...options },
    createdAt: CREATED,
    ...over,
  };
}

const config = { channels: { im: 'chat', default: 'general' } };

describe('buildFcmMessage', () => {
  test('a notification message for Android: notification, data, HIGH priority, ttl, collapse key and the category channel', () => {
    const m = buildFcmMessage(message({}, { ttlSeconds: 3600, collapseKey: 'order-42', category: 'im' }), 'android', config, CREATED);
    expect(m).toEqual({
      notification: { title: 'Order shipped', body: 'Your order 42 is on its way' },
      data: { orderId: '42' },
      android: { priority: 'HIGH', ttl: '3600s', collapse_key: 'order-42', notification: { channel_id: 'chat' } },
    });
  });

  test('a data-only message has no notification block, NORMAL priority when asked, and no android.notification', () => {
    const m = buildFcmMessage(message({ notification: undefined }, { priority: 'normal' }), 'android', config, CREATED);
    expect(m).toEqual({ data: { orderId: '42' }, android: { priority: 'NORMAL' } });
  });

  test('an unmapped category falls back to the `default` channel; no channels map means no channel_id', () => {
    expect(buildFcmMessage(message({}, { category: 'news' }), 'android', config, CREATED).android?.notification).toEqual({ channel_id: 'general' });
    expect(buildFcmMessage(message({}, { category: 'news' }), 'android', { channels: {} }, CREATED).android?.notification).toBeUndefined();
  });

  test('an empty data map is omitted; ttl 0 is kept ("0s") and ttl is capped at 4 weeks', () => {
    expect(buildFcmMessage(message({ data: {} }), 'android', config, CREATED).data).toBeUndefined();
    expect(buildFcmMessage(message({}, { ttlSeconds: 0 }), 'android', config, CREATED).android?.ttl).toBe('0s');
    expect(buildFcmMessage(message({}, { ttlSeconds: 10_000_000 }), 'android', config, CREATED).android?.ttl).toBe('2419200s');
  });

  test('a later attempt carries the ttl left on Android and the unchanged expiry on iOS; ttl 0 is apns-expiration 0', () => {
    const m = message({}, { ttlSeconds: 3600 });
    expect(buildFcmMessage(m, 'android', config, CREATED + 100_000).android?.ttl).toBe('3500s');
    expect(buildFcmMessage(m, 'ios', config, CREATED + 100_000).apns?.headers?.['apns-expiration']).toBe('1700003600');
    expect(buildFcmMessage(message({}, { ttlSeconds: 0 }), 'ios', config, CREATED + 5000).apns?.headers?.['apns-expiration']).toBe('0');
  });

  test('image, sound, badge and an intent click action', () => {
    const m = buildFcmMessage(
      message({ notification: { title: 'T', body: 'B', image: 'https://img.example/x.png', sound: 'ding', badge: 3, clickAction: { type: 'intent', value: 'OPEN_ORDER' } } }),
      'android',
      { channels: {} },
      CREATED,
    );
    expect(m.notification).toEqual({ title: 'T', body: 'B', image: 'https://img.example/x.png' });
    expect(m.android?.notification).toEqual({ click_action: 'OPEN_ORDER', sound: 'ding', notification_count: 3 });
    expect(m.webpush).toBeUndefined();
  });

  test('a url click action becomes webpush.fcm_options.link; an app click action adds nothing', () => {
    const url = buildFcmMessage(message({ notification: { title: 'T', body: 'B', clickAction: { type: 'url', value: 'https://example.com/o/42' } } }), 'android', { channels: {} }, CREATED);
    expect(url.webpush).toEqual({ fcm_options: { link: 'https://example.com/o/42' } });
    expect(url.android?.notification).toBeUndefined();
    const app = buildFcmMessage(message({ notification: { title: 'T', body: 'B', clickAction: { type: 'app' } } }), 'android', { channels: {} }, CREATED);
    expect(app.webpush).toBeUndefined();
  });

  test('an iOS token gets the apns block: alert push type, priority 10, expiration from createdAt + ttl, collapse id, topic', () => {
    const m = buildFcmMessage(
      message({ notification: { title: 'T', body: 'B', sound: 'ding', badge: 2, clickAction: { type: 'intent', value: 'ORDER' } } }, { ttlSeconds: 600, collapseKey: 'c1' }),
      'ios',
      { channels: {} },
      CREATED,
      'com.example.app',
    );
    expect(m.apns).toEqual({
      headers: { 'apns-priority': '10', 'apns-push-type': 'alert', 'apns-expiration': '1700000600', 'apns-collapse-id': 'c1', 'apns-topic': 'com.example.app' },
      payload: { aps: { sound: 'ding', badge: 2, category: 'ORDER' } },
    });
    expect(m.android?.priority).toBe('HIGH'); // FCM ignores it for iOS; kept so one template shape serves both
  });

  test('a data-only iOS message is a background push: priority 5 and content-available', () => {
    const m = buildFcmMessage(message({ notification: undefined }, { priority: 'high' }), 'ios', { channels: {} }, CREATED);
    expect(m.apns).toEqual({ headers: { 'apns-priority': '5', 'apns-push-type': 'background' }, payload: { aps: { 'content-available': 1 } } });
  });

  test('an iOS notification with an image asks for mutable-content and passes the image in apns.fcm_options', () => {
    const m = buildFcmMessage(message({ notification: { title: 'T', body: 'B', image: 'https://img.example/x.png' } }, { priority: 'normal' }), 'ios', { channels: {} }, CREATED);
    expect(m.apns).toEqual({
      headers: { 'apns-priority': '5', 'apns-push-type': 'alert' },
      payload: { aps: { 'mutable-content': 1 } },
      fcm_options: { image: 'https://img.example/x.png' },
    });
  });

  test('a collapse key longer than 64 bytes becomes its SHA-256 hex for apns-collapse-id', () => {
    const long = 'k'.repeat(65);
    expect(apnsCollapseId('short')).toBe('short');
    expect(apnsCollapseId(long)).toMatch(/^[0-9a-f]{64}$/);
  });

  test('overrides.fcm are deep-merged last, and null removes a key', () => {
    const m = buildFcmMessage(
      message(),
      'android',
      config,
      CREATED,
      undefined,
      fcmOverridesSchema.parse({ android: { priority: 'normal', notification: { color: '#ff0000' } }, apns: { headers: { 'apns-priority': '5' } }, fcm_options: { analytics_label: 'x' } }),
    );
    expect(m.android).toEqual({ priority: 'normal', notification: { channel_id: 'general', color: '#ff0000' } });
    expect(m.apns).toEqual({ headers: { 'apns-priority': '5' } });
    expect(m.fcm_options).toEqual({ analytics_label: 'x' });
    const removed = buildFcmMessage(message({}, { collapseKey: 'c' }), 'android', config, CREATED, undefined, fcmOverridesSchema.parse({ android: { collapse_key: null } }));
    expect(removed.android?.collapse_key).toBeUndefined();
    const noHeader = buildFcmMessage(message({}, { collapseKey: 'c' }), 'ios', config, CREATED, undefined, fcmOverridesSchema.parse({ apns: { headers: { 'apns-collapse-id': null } } }));
    expect(noHeader.apns?.headers).toEqual({ 'apns-priority': '10', 'apns-push-type': 'alert' });
  });

  test('fcmOverridesSchema refuses a bad value or an unknown block, naming it', () => {
    expect(fcmOverridesSchema.safeParse({ android: { ttl: '1 hour' } }).error?.issues[0]?.path).toEqual(['android', 'ttl']);
    expect(JSON.stringify(fcmOverridesSchema.safeParse({ andriod: {} }).error?.issues)).toMatch(/andriod/);
    expect(fcmOverridesSchema.safeParse({ apns: { headers: { 'apns-priority': 10 } } }).success).toBe(false);
  });

  test('the platform is iOS exactly when the target carries apns in its extras', () => {
    expect(fcmPlatformOf({ extras: { apns: { environment: 'production' } } })).toBe('ios');
    expect(fcmPlatformOf({ extras: {} })).toBe('android');
    expect(fcmPlatformOf({ extras: undefined })).toBe('android');
  });
});

describe('request body and head', () => {
  test('fcmBodyFor splices the token into the template and equals JSON of buildFcmSendRequest', () => {
    const template = buildFcmMessage(message({}, { ttlSeconds: 60 }), 'ios', config, CREATED);
    const body = fcmBodyFor(template)('tok:APA91b"x');
    expect(JSON.parse(body)).toEqual(buildFcmSendRequest(template, 'tok:APA91b"x'));
    expect(body).toBe(JSON.stringify(buildFcmSendRequest(template, 'tok:APA91b"x')));
    expect(fcmBodyFor({})('t')).toBe('{"message":{"token":"t"}}');
  });

  test('the head is the v1 send path of the project (under an optional base path) with the bearer token and JSON content type', () => {
    expect(buildFcmRequestHead('my-proj', 'ya29.abc')).toEqual({
      path: '/v1/projects/my-proj/messages:send',
      headers: { authorization: 'Bearer ya29.abc', 'content-type': 'application/json; charset=utf-8' },
    });
    expect(buildFcmRequestHead('my-proj', 't', '/fcm-proxy').path).toBe('/fcm-proxy/v1/projects/my-proj/messages:send');
  });
});

describe('outcome table (fcm.errors.ts)', () => {
  const details = (code: string) => ({ error: { code: 400, message: 'm', status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: code }] } });

  test('the code is FcmError.errorCode when present, else error.status', () => {
    expect(fcmErrorCodeOf(details('UNREGISTERED'))).toBe('UNREGISTERED');
    expect(fcmErrorCodeOf({ error: { code: 401, message: 'm', status: 'UNAUTHENTICATED' } })).toBe('UNAUTHENTICATED');
    expect(fcmErrorCodeOf({ error: { code: 400, message: 'm', status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest' }] } })).toBe('INVALID_ARGUMENT');
    expect(fcmErrorCodeOf('<html>')).toBeUndefined();
  });

  test.each<[FcmAnswer, string, number | undefined]>([
    [{ status: 200 }, 'sent', undefined],
    [{ status: 404, code: 'UNREGISTERED' }, 'invalid_token', undefined],
    [{ status: 404, code: 'NOT_FOUND' }, 'invalid_token', undefined],
    [{ status: 403, code: 'SENDER_ID_MISMATCH' }, 'invalid_token', undefined],
    [{ status: 400, code: 'INVALID_ARGUMENT' }, 'rejected', undefined],
    [{ status: 429, code: 'QUOTA_EXCEEDED', retryAfterMs: 90_000 }, 'rate_limited', 90_000],
    [{ status: 429, code: 'RESOURCE_EXHAUSTED' }, 'rate_limited', 60_000],
    [{ status: 429 }, 'rate_limited', 60_000],
    [{ status: 503, code: 'UNAVAILABLE', retryAfterMs: 2000 }, 'retry', 2000],
    [{ status: 500, code: 'INTERNAL' }, 'retry', undefined],
    [{ status: 502 }, 'retry', undefined],
    [{ status: 401, code: 'UNAUTHENTICATED' }, 'auth_error', undefined],
    [{ status: 401, code: 'THIRD_PARTY_AUTH_ERROR' }, 'auth_error', undefined],
    [{ status: 403, code: 'PERMISSION_DENIED' }, 'auth_error', undefined],
    [{ status: 403 }, 'auth_error', undefined],
    [{ status: 400, code: 'UNSPECIFIED_ERROR' }, 'rejected', undefined],
    [{ code: 'refused_stream' }, 'retry', undefined],
  ])('%j → %s', (answer, outcome, retryAfterMs) => {
    const r = fcmOutcomeOf(answer);
    expect(r.outcome).toBe(outcome);
    expect(r.retryAfterMs).toBe(retryAfterMs);
  });

  test('SENDER_ID_MISMATCH on every target (even a batch of one) is auth_error; on some, invalid_token', () => {
    const mismatch: FcmAnswer = { status: 403, code: 'SENDER_ID_MISMATCH' };
    expect(fcmBatchResults([{ deliveryId: 'a', payloadKey: 'android', answer: mismatch }]).map((r) => r.outcome)).toEqual(['auth_error']);
    expect(
      fcmBatchResults([
        { deliveryId: 'a', payloadKey: 'android', answer: mismatch },
        { deliveryId: 'b', payloadKey: 'android', answer: { status: 200, name: 'n' } },
      ]).map((r) => r.outcome),
    ).toEqual(['invalid_token', 'sent']);
  });

  test('INVALID_ARGUMENT prunes only when the same payload key succeeded for another target', () => {
    const bad: FcmAnswer = { status: 400, code: 'INVALID_ARGUMENT', message: 'The registration token is not a valid FCM registration token' };
    const out = fcmBatchResults([
      { deliveryId: 'a', payloadKey: 'android', answer: bad },
      { deliveryId: 'b', payloadKey: 'android', answer: { status: 200, name: 'projects/p/messages/1' } },
      { deliveryId: 'c', payloadKey: 'ios:', answer: bad },
    ]);
    expect(out).toEqual([
      { deliveryId: 'a', outcome: 'invalid_token', vendorCode: 'INVALID_ARGUMENT', vendorMessage: bad.message },
      { deliveryId: 'b', outcome: 'sent', vendorMessageId: 'projects/p/messages/1' },
      { deliveryId: 'c', outcome: 'rejected', vendorCode: 'INVALID_ARGUMENT', vendorMessage: bad.message },
    ]);
  });
});

describe('config, token and device schemas', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const sa = { type: 'service_account', project_id: 'acme-prod', private_key: privateKey, client_email: 'fcm@acme-prod.iam.gserviceaccount.com' };

  test('an inline service account (object or JSON text) is accepted with the production defaults', () => {
    const fromObject = fcmConfigSchema.parse({ credential: { serviceAccount: sa } });
    expect(fromObject).toMatchObject({ endpoint: 'https://fcm.googleapis.com', timeoutMs: 15_000, maxConcurrentStreams: 1000, channels: {} });
    const fromText = fcmConfigSchema.parse({ credential: { serviceAccount: JSON.stringify(sa) } });
    expect(fromText.credential).toEqual(fromObject.credential);
  });

  test('firebase-admin camelCase service accounts are renamed to the key-file spelling', () => {
    const c = fcmConfigSchema.parse({ credential: { serviceAccount: { projectId: 'acme-prod', clientEmail: sa.client_email, privateKey } } });
    expect(c.credential).toEqual({ serviceAccount: { project_id: 'acme-prod', client_email: sa.client_email, private_key: privateKey } });
  });

  test('oauthEndpoint with an inline service account is refused (firebase-admin would ignore the agent)', () => {
    const r = fcmConfigSchema.safeParse({ credential: { serviceAccount: sa }, oauthEndpoint: '127.0.0.1:8443' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/serviceAccountFile/);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'pushgate-fcm-cfg-')), 'sa.json');
    writeFileSync(file, JSON.stringify(sa));
    expect(fcmConfigSchema.safeParse({ credential: { serviceAccountFile: file }, oauthEndpoint: '127.0.0.1:8443' }).success).toBe(true);
  });

  test('application default credentials need a projectId; typos, http endpoints and malformed values are refused', () => {
    expect(fcmConfigSchema.safeParse({ credential: { applicationDefault: true } }).success).toBe(false);
    expect(fcmConfigSchema.safeParse({ credential: { applicationDefault: true }, projectId: 'acme-prod' }).success).toBe(true);
    expect(fcmConfigSchema.safeParse({ credential: { serviceAccount: sa }, endpiont: 'https://x' }).success).toBe(false);
    expect(fcmConfigSchema.safeParse({ credential: { serviceAccount: sa }, endpoint: 'http://fcm.googleapis.com' }).success).toBe(false);
    expect(fcmConfigSchema.safeParse({ credential: { serviceAccount: '{not json' } }).success).toBe(false);
    expect(fcmConfigSchema.safeParse({ credential: { serviceAccount: { ...sa, private_key: 'secret' } } }).success).toBe(false);
    expect(fcmConfigSchema.safeParse({ credential: { serviceAccountFile: '/x.json' }, oauthEndpoint: 'https://127.0.0.1' }).success).toBe(false);
    expect(fcmConfigSchema.safeParse({ credential: { serviceAccountFile: '/x.json' }, projectId: 'Bad_Project' }).success).toBe(false);
  });

  test('the token schema accepts real FCM token forms and rejects junk', () => {
    const real = 'cXp5bGx2R0tQbmc6APA91bHqL3r9TmVZ0lF1_example-Token_WkV5n8K2vQ0yX3jR7sD1fG4hJ6kL9mN2pQ5rS8tU1vW4xY7zA0bC3dE6fG9hI2jK5lM8nO1pQ4rS7tU0vW3xY6zA9bC2dE5fG8';
    expect(fcmTokenSchema.safeParse(real).success).toBe(true);
    expect(fcmTokenSchema.safeParse('APA91bH-oldStyleGcmRegistrationIdWithDashes_and_underscores0123456789').success).toBe(true);
    for (const junk of ['test', 'null', 'a'.repeat(4097), 'has spaces in it but is long enough to pass the min', '{"token":"abcdefghijklmnopqrstuvwxyz0123"}']) {
      expect(fcmTokenSchema.safeParse(junk).success).toBe(false);
    }
  });

  test('an FCM device may say it is iOS with `apns: {}`; the environment defaults to production', () => {
    expect(fcmDeviceFieldsSchema.parse({ apns: {} })).toEqual({ apns: { environment: 'production' } });
    expect(fcmDeviceFieldsSchema.parse({})).toEqual({});
    expect(fcmDeviceFieldsSchema.safeParse({ apns: { environment: 'production', model: 'iPhone' } }).success).toBe(false);
  });
});
