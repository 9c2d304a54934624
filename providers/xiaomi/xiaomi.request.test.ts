import { xiaomiBaseUrl, xiaomiConfigSchema, xiaomiQuotaClassOf, type XiaomiConfig } from './xiaomi.config.js';
import { xiaomiOutcomeOf, xiaomiHttpOutcomeOf } from './xiaomi.errors.js';
import {
  XIAOMI_CALLBACK_TYPE,
  buildXiaomiRequest,
  encodeXiaomiForm,
  xiaomiNotifyId,
  xiaomiOverridesSchema,
} from './xiaomi.request.js';
import { xiaomiTokenSchema } from './xiaomi.token.js';
import type { OutgoingMessage } from '../types.js';

const config: XiaomiConfig = xiaomiConfigSchema.parse({
  appSecret: 'sekret==',
  packageName: 'com.acme.app',
  channels: { im: '123', marketing: '456' },
});

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    notification: { title: 'Hello', body: 'You have a new message' },
    data: {},
    options: { priority: 'high' },
    createdAt: 0,
    ...overrides,
  };
}

const NOW = 0; // = createdAt of message(): the whole ttl is left
const REG_A = 'd//igwEhgBGCI2TG6lWqlKIP7DtBc2pAfZ8tCNa5vJDQKUAd8RflUJ9n8Q9DH1Zk';
const REG_B = 'Zmvv9Kf3bZ0Hq4Ewk6b5NEAjc1lKr9O6ojqVb+0s1cQ=';

describe('buildXiaomiRequest', () => {
  test('a notification becomes a form POST to /v3/message/regid with the static key header', () => {
    const req = buildXiaomiRequest(message(), [REG_A, REG_B], config, NOW);
    expect(req.path).toBe('/v3/message/regid');
    expect(req.headers).toEqual({
      Authorization: 'key=sekret==',
      'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
    });
    expect(req.form).toEqual({
      registration_id: `${REG_A},${REG_B}`,
      restricted_package_name: 'com.acme.app',
      pass_through: '0',
      title: 'Hello',
      description: 'You have a new message',
      notify_type: '-1',
      notify_id: String(xiaomiNotifyId('msg-1')),
    });
  });

  test('a data-only message is pass-through with the data map as JSON payload and no title', () => {
    const req = buildXiaomiRequest(message({ notification: undefined, data: { a: '1', b: 'x,y' } }), [REG_A], config, NOW);
    expect(req.form).toEqual({
      registration_id: REG_A,
      restricted_package_name: 'com.acme.app',
      pass_through: '1',
      payload: '{"a":"1","b":"x,y"}',
    });
  });

  test('a data-only message without data still carries a payload, which pass-through requires', () => {
    expect(buildXiaomiRequest(message({ notification: undefined }), [REG_A], config, NOW).form.payload).toBe('{}');
  });

  test('data of a notification goes into payload only, never duplicated as extra keys', () => {
    const form = buildXiaomiRequest(message({ data: { chatId: '42' } }), [REG_A], config, NOW).form;
    expect(form.payload).toBe('{"chatId":"42"}');
    expect(Object.keys(form).filter((k) => k.startsWith('extra.'))).toEqual([]);
  });

  test('the title is cut to 49 and the description to 127 characters, ending with an ellipsis', () => {
    const title = '标'.repeat(60);
    const body = 'b'.repeat(200);
    const form = buildXiaomiRequest(message({ notification: { title, body } }), [REG_A], config, NOW).form;
    expect(Array.from(form.title ?? '')).toHaveLength(49);
    expect(form.title).toBe('标'.repeat(48) + '…');
    expect(form.description).toBe('b'.repeat(126) + '…');
  });

  test('collapseKey becomes a stable notify_id within 0..2147483647', () => {
    const a = buildXiaomiRequest(message({ id: 'm1', options: { priority: 'normal', collapseKey: 'chat-7' } }), [REG_A], config, NOW);
    const b = buildXiaomiRequest(message({ id: 'm2', options: { priority: 'normal', collapseKey: 'chat-7' } }), [REG_A], config, NOW);
    expect(a.form.notify_id).toBe(b.form.notify_id);
    const id = Number(a.form.notify_id);
    expect(Number.isInteger(id) && id >= 0 && id <= 2147483647).toBe(true);
    expect(xiaomiNotifyId('chat-7')).not.toBe(xiaomiNotifyId('chat-8'));
  });

  test('without collapseKey two messages get different notify_ids so neither replaces the other', () => {
    const a = buildXiaomiRequest(message({ id: 'm1' }), [REG_A], config, NOW).form.notify_id;
    const b = buildXiaomiRequest(message({ id: 'm2' }), [REG_A], config, NOW).form.notify_id;
    expect(a).not.toBe(b);
  });

  test('ttlSeconds becomes time_to_live in milliseconds', () => {
    expect(buildXiaomiRequest(message({ options: { priority: 'high', ttlSeconds: 3600 } }), [REG_A], config, NOW).form.time_to_live).toBe('3600000');
    expect(buildXiaomiRequest(message({ options: { priority: 'high', ttlSeconds: 0 } }), [REG_A], config, NOW).form.time_to_live).toBe('1000');
    expect(buildXiaomiRequest(message(), [REG_A], config, NOW).form.time_to_live).toBeUndefined();
  });

  test('a later attempt carries only the time left of the ttl, never below 1 s', () => {
    const created = Date.UTC(2025, 2, 10, 4, 0, 0);
    const m = message({ createdAt: created, options: { priority: 'high', ttlSeconds: 3600 } });
    expect(buildXiaomiRequest(m, [REG_A], config, created + 100_000).form.time_to_live).toBe('3500000');
    expect(buildXiaomiRequest(m, [REG_A], config, created + 3_599_900).form.time_to_live).toBe('1000');
  });

  test.each([
    [{ type: 'app' as const }, { 'extra.notify_effect': '1' }],
    [{ type: 'intent' as const, value: 'intent:#Intent;component=com.acme.app/.Chat;end' }, { 'extra.notify_effect': '2', 'extra.intent_uri': 'intent:#Intent;component=com.acme.app/.Chat;end' }],
    [{ type: 'url' as const, value: 'https://acme.example/x' }, { 'extra.notify_effect': '3', 'extra.web_uri': 'https://acme.example/x' }],
    [{ type: 'url' as const }, { 'extra.notify_effect': '1' }],
  ])('click action %j maps to %j', (clickAction, expected) => {
    const form = buildXiaomiRequest(message({ notification: { title: 't', body: 'b', clickAction } }), [REG_A], config, NOW).form;
    const extras = Object.fromEntries(Object.entries(form).filter(([k]) => k.startsWith('extra.')));
    expect(extras).toEqual(expected);
  });

  test('the category picks extra.channel_id from the tenant map, falling back to channels.default', () => {
    expect(buildXiaomiRequest(message({ options: { priority: 'high', category: 'im' } }), [REG_A], config, NOW).form['extra.channel_id']).toBe('123');
    expect(buildXiaomiRequest(message({ options: { priority: 'high', category: 'news' } }), [REG_A], config, NOW).form['extra.channel_id']).toBeUndefined();
    const withDefault = { ...config, channels: { ...config.channels, default: '999' } };
    expect(buildXiaomiRequest(message({ options: { priority: 'high', category: 'news' } }), [REG_A], withDefault, NOW).form['extra.channel_id']).toBe('999');
  });

  test('a callback URL adds extra.callback, the callbackRef as callback.param and the 1|16|128 type bitmask', () => {
    const form = buildXiaomiRequest(message(), [REG_A], config, NOW, { url: 'https://gw.example/v1/receipts/xiaomi/acme?s=1', ref: 'ref-9' }).form;
    expect(XIAOMI_CALLBACK_TYPE).toBe(145);
    expect(form['extra.callback']).toBe('https://gw.example/v1/receipts/xiaomi/acme?s=1');
    expect(form['extra.callback.param']).toBe('ref-9');
    expect(form['extra.callback.type']).toBe('145');
  });

  test('overrides.xiaomi are merged last and may replace the channel and the notify type', () => {
    const overrides = xiaomiOverridesSchema.parse({ notify_type: 3, time_to_send: 1767225600000, extra: { channel_id: '777', jobkey: 'daily-1', notify_foreground: '0' } });
    const form = buildXiaomiRequest(message({ options: { priority: 'high', category: 'im' } }), [REG_A], config, NOW, undefined, overrides).form;
    expect(form.notify_type).toBe('3');
    expect(form.time_to_send).toBe('1767225600000');
    expect(form['extra.channel_id']).toBe('777');
    expect(form['extra.jobkey']).toBe('daily-1');
    expect(form['extra.notify_foreground']).toBe('0');
  });

  test('xiaomiOverridesSchema refuses fields pushgate sets itself or Xiaomi does not document', () => {
    expect(xiaomiOverridesSchema.safeParse({ extra: { callback: 'https://evil.example' } }).success).toBe(false);
    expect(xiaomiOverridesSchema.safeParse({ notify_type: 9 }).success).toBe(false);
    expect(xiaomiOverridesSchema.safeParse({ title: 'x' }).success).toBe(false);
    expect(xiaomiOverridesSchema.safeParse({ extra: { notify_effect: '2', intent_uri: 'intent:x' } }).success).toBe(true);
  });

  test('the form is URL-encoded as Xiaomi expects, commas and UTF-8 included', () => {
    const body = encodeXiaomiForm({ registration_id: 'a,b', restricted_package_name: 'com.acme.app', pass_through: '0', title: '你好 & hi' });
    expect(body).toBe('registration_id=a%2Cb&restricted_package_name=com.acme.app&pass_through=0&title=%E4%BD%A0%E5%A5%BD+%26+hi');
    expect(new URLSearchParams(body).get('title')).toBe('你好 & hi');
  });
});

describe('xiaomi config, token and tables', () => {
  test('the region selects the documented host and endpoint overrides it', () => {
    expect(xiaomiBaseUrl(config)).toBe('https://api.xmpush.xiaomi.com');
    const hosts = (['russia', 'india', 'europe', 'singapore', 'global'] as const).map((region) => xiaomiBaseUrl({ region }));
    expect(hosts).toEqual([
      'https://ru-api.xmpush.global.xiaomi.com',
      'https://idmb-api.xmpush.global.xiaomi.com',
      'https://fr-api.xmpush.global.xiaomi.com',
      'https://sgp-api.xmpush.global.xiaomi.com',
      'https://api.xmpush.global.xiaomi.com',
    ]);
    expect(xiaomiBaseUrl({ region: 'europe', endpoint: 'http://127.0.0.1:9999/' })).toBe('http://127.0.0.1:9999');
  });

  test('the config schema fills defaults and reports typos and bad values', () => {
    expect(config).toMatchObject({ region: 'china', notifyType: -1, privateCategories: ['im', 'account', 'order', 'reminder', 'subscription'] });
    expect(xiaomiConfigSchema.safeParse({ appSecret: 'x', packageName: 'com.a.b', chanels: {} }).success).toBe(false);
    expect(xiaomiConfigSchema.safeParse({ appSecret: 'x', packageName: 'com.a.b', region: 'mars' }).success).toBe(false);
    expect(xiaomiConfigSchema.safeParse({ appSecret: 'x', packageName: 'nodot' }).success).toBe(false);
    expect(xiaomiConfigSchema.safeParse({ appSecret: '', packageName: 'com.a.b' }).success).toBe(false);
  });

  test('communication and service categories are private, everything else public', () => {
    expect(['im', 'account', 'order', 'reminder', 'subscription'].map((c) => xiaomiQuotaClassOf(c, config))).toEqual(Array(5).fill('private'));
    expect(['news', 'marketing', undefined].map((c) => xiaomiQuotaClassOf(c, config))).toEqual(['public', 'public', 'public']);
    expect(xiaomiQuotaClassOf('news', { privateCategories: ['news'] })).toBe('private');
  });

  test('the token schema accepts real regId shapes and refuses junk', () => {
    expect(xiaomiTokenSchema.safeParse(REG_A).success).toBe(true);
    expect(xiaomiTokenSchema.safeParse(REG_B).success).toBe(true);
    for (const junk of ['', 'short', 'a,b'.repeat(10), 'has space in it 1234567', 'x'.repeat(257), '<script>alert(1)</script>']) {
      expect(xiaomiTokenSchema.safeParse(junk).success).toBe(false);
    }
  });

  test.each([
    [0, 'sent'],
    [20301, 'invalid_token'],
    [10022, 'rate_limited'],
    [10023, 'rate_limited'],
    [10027, 'rate_limited'],
    [200001, 'quota_exceeded'],
    [10034, 'quota_exceeded'],
    [21301, 'auth_error'],
    [21302, 'auth_error'],
    [-1, 'retry'],
    [10001, 'retry'],
    [10002, 'retry'],
    [10003, 'retry'],
    [10037, 'retry'],
    [10008, 'rejected'],
    [10016, 'rejected'],
    [10017, 'rejected'],
    [21305, 'rejected'],
    [22022, 'rejected'],
    [27001, 'rejected'],
    [65009, 'rejected'],
    [65036, 'rejected'],
    [65037, 'rejected'],
    [65038, 'rejected'],
    [10031, 'rejected'],
    [10029, 'rejected'],
    [99999, 'retry'],
  ])('Xiaomi code %i is %s', (code, outcome) => {
    expect(xiaomiOutcomeOf(code)).toBe(outcome);
  });

  test.each([
    [503, 'retry'],
    [408, 'retry'],
    [429, 'rate_limited'],
    [401, 'auth_error'],
    [404, 'rejected'],
    [200, 'retry'],
  ])('an HTTP %i without a Xiaomi body is %s', (status, outcome) => {
    expect(xiaomiHttpOutcomeOf(status)).toBe(outcome);
  });
});
