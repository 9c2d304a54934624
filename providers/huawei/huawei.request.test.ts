import { huaweiConfigSchema } from './huawei.config.js';
import {
  buildHuaweiSendHeaders,
  buildHuaweiSendRequest,
  buildHuaweiTokenRequest,
  huaweiCategoryOf,
  huaweiClickAction,
  huaweiCollapseKey,
  huaweiOverridesSchema,
  huaweiQuotaClassOf,
  huaweiSendPath,
  huaweiTtl,
} from './huawei.request.js';
import { huaweiTokenSchema } from './huawei.token.js';
import type { OutgoingMessage } from '../types.js';

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    notification: { title: 'Hello', body: 'You have a new message' },
    data: {},
    options: { priority: 'normal' },
    createdAt: 0,
    ...overrides,
  };
}

const config = { receiptId: undefined, channels: undefined };
/** = createdAt of message(): the whole ttl is left. */
const NOW = 0;

describe('buildHuaweiSendRequest', () => {
  it('puts a plain notification into android.notification with an open-app click action and no data', () => {
    const body = buildHuaweiSendRequest(message(), ['tokA', 'tokB'], config, 'ref-1', NOW);
    expect(body).toEqual({
      validate_only: false,
      message: {
        android: {
          urgency: 'NORMAL',
          bi_tag: 'ref-1',
          notification: { title: 'Hello', body: 'You have a new message', click_action: { type: 3 } },
        },
        token: ['tokA', 'tokB'],
      },
    });
  });

  it('maps priority, ttl, collapseKey, category and the receipt id into android', () => {
    const body = buildHuaweiSendRequest(
      message({ options: { priority: 'high', ttlSeconds: 600, collapseKey: 'chat-42', category: 'im' } }),
      ['tok'],
      { receiptId: 'RCP1', channels: undefined },
      'ref-2',
      NOW,
    );
    const android = body.message.android!;
    expect(android.urgency).toBe('HIGH');
    expect(android.ttl).toBe('600s');
    expect(android.collapse_key).toBe(huaweiCollapseKey('chat-42'));
    expect(android.category).toBe('IM');
    expect(android.receipt_id).toBe('RCP1');
    expect(android.bi_tag).toBe('ref-2');
  });

  it('a later attempt asks Huawei to keep the message only for the ttl left', () => {
    const created = Date.UTC(2025, 2, 10, 4, 0, 0);
    const m = message({ createdAt: created, options: { priority: 'high', ttlSeconds: 3600 } });
    expect(buildHuaweiSendRequest(m, ['tok'], config, 'r', created + 100_000).message.android?.ttl).toBe('3500s');
  });

  it('sends the data map as a JSON string in message.data next to a notification', () => {
    const body = buildHuaweiSendRequest(message({ data: { chatId: '7', from: 'ann' } }), ['tok'], config, 'r', NOW);
    expect(body.message.data).toBe('{"chatId":"7","from":"ann"}');
    expect(body.message.android?.notification?.title).toBe('Hello');
  });

  it('sends a data-only message with no notification anywhere and the data as a string', () => {
    const body = buildHuaweiSendRequest(message({ notification: undefined, data: { k: 'v' } }), ['tok'], config, 'r', NOW);
    expect(body.message.data).toBe('{"k":"v"}');
    expect(body.message.notification).toBeUndefined();
    expect(body.message.android?.notification).toBeUndefined();
  });

  it('sends an empty data-only message as "{}" so the message still has content', () => {
    const body = buildHuaweiSendRequest(message({ notification: undefined }), ['tok'], config, 'r', NOW);
    expect(body.message.data).toBe('{}');
  });

  it('maps image, sound and the channel configured for the category', () => {
    const body = buildHuaweiSendRequest(
      message({
        notification: { title: 't', body: 'b', image: 'https://img.example/a.png', sound: '/raw/ding' },
        options: { priority: 'normal', category: 'order' },
      }),
      ['tok'],
      { receiptId: undefined, channels: { order: 'orders-channel' } },
      'r',
      NOW,
    );
    expect(body.message.android?.notification).toEqual({
      title: 't',
      body: 'b',
      image: 'https://img.example/a.png',
      sound: '/raw/ding',
      default_sound: false,
      channel_id: 'orders-channel',
      click_action: { type: 3 },
    });
    expect(body.message.android?.category).toBe('EXPRESS');
  });

  it('uses the default sound for sound "default"', () => {
    const body = buildHuaweiSendRequest(message({ notification: { title: 't', body: 'b', sound: 'default' } }), ['tok'], config, 'r', NOW);
    expect(body.message.android?.notification?.default_sound).toBe(true);
    expect(body.message.android?.notification?.sound).toBeUndefined();
  });

  it('merges validated overrides: notification fields into android.notification, others into android', () => {
    const overrides = huaweiOverridesSchema.parse({ importance: 'HIGH', notify_id: 12, tag: 't1', target_user_type: 1 });
    const body = buildHuaweiSendRequest(message({ options: { priority: 'normal' } }), ['tok'], config, 'r', NOW, overrides);
    expect(body.message.android?.notification).toMatchObject({ importance: 'HIGH', notify_id: 12, tag: 't1' });
    expect(body.message.android?.target_user_type).toBe(1);
    expect(body.message.android?.notification?.['target_user_type']).toBeUndefined();
  });

  it('drops notification overrides on a data-only message', () => {
    const overrides = huaweiOverridesSchema.parse({ importance: 'HIGH' });
    const body = buildHuaweiSendRequest(message({ notification: undefined, options: { priority: 'normal' } }), ['tok'], config, 'r', NOW, overrides);
    expect(body.message.android?.notification).toBeUndefined();
    expect(body.message.android?.['importance']).toBeUndefined();
  });

  it('puts the message badge number into a badge override that names the launcher class', () => {
    const overrides = huaweiOverridesSchema.parse({ badge: { class: 'com.acme.Main' } });
    const body = buildHuaweiSendRequest(
      message({ notification: { title: 't', body: 'b', badge: 3 }, options: { priority: 'normal' } }),
      ['tok'],
      config,
      'r',
      NOW,
      overrides,
    );
    expect(body.message.android?.notification?.badge).toEqual({ class: 'com.acme.Main', set_num: 3 });
  });
});

describe('Huawei field mappings', () => {
  it.each([
    ['im', 'IM'],
    ['voip', 'VOIP'],
    ['account', 'ACCOUNT'],
    ['order', 'EXPRESS'],
    ['finance', 'FINANCE'],
    ['reminder', 'SYSTEM_REMINDER'],
    ['device_reminder', 'DEVICE_REMINDER'],
    ['subscription', 'SUBSCRIPTION'],
    ['travel', 'TRAVEL'],
    ['health', 'HEALTH'],
    ['work', 'WORK'],
    ['mail', 'MAIL'],
    ['news', 'MARKETING'],
    ['marketing', 'MARKETING'],
  ])('maps category %s to android.category %s', (category, expected) => {
    expect(huaweiCategoryOf(category)).toBe(expected);
  });

  it('omits android.category for an unknown or absent category', () => {
    expect(huaweiCategoryOf('promo')).toBeUndefined();
    expect(huaweiCategoryOf(undefined)).toBeUndefined();
    expect(buildHuaweiSendRequest(message({ options: { priority: 'normal', category: 'promo' } }), ['t'], config, 'r', NOW).message.android).not.toHaveProperty(
      'category',
    );
  });

  it('classes news, marketing, absent and unmapped categories as marketing and the rest as service', () => {
    expect(huaweiQuotaClassOf('news')).toBe('marketing');
    expect(huaweiQuotaClassOf('marketing')).toBe('marketing');
    expect(huaweiQuotaClassOf(undefined)).toBe('marketing');
    expect(huaweiQuotaClassOf('promo')).toBe('marketing');
    expect(huaweiQuotaClassOf('im')).toBe('service');
    expect(huaweiQuotaClassOf('order')).toBe('service');
  });

  it('hashes collapse keys stably into 0..100', () => {
    expect(huaweiCollapseKey('chat-42')).toBe(huaweiCollapseKey('chat-42'));
    // FNV-1a 32 of "a" is 0xe40c292c = 3826002220, and 3826002220 % 101 = 10.
    expect(huaweiCollapseKey('a')).toBe(10);
    for (const key of ['', 'x', 'order-1', '会话', 'a'.repeat(500)]) {
      const v = huaweiCollapseKey(key);
      expect(Number.isInteger(v) && v >= 0 && v <= 100).toBe(true);
    }
  });

  it('writes ttl as whole seconds with an s suffix, capped at 15 days', () => {
    expect(huaweiTtl(86400)).toBe('86400s');
    expect(huaweiTtl(1.7)).toBe('1s');
    expect(huaweiTtl(10_000_000)).toBe('1296000s');
  });

  it('maps click actions to Huawei types 1 (intent or action), 2 (url) and 3 (app)', () => {
    expect(huaweiClickAction({ type: 'intent', value: 'intent://chat/7#Intent;scheme=acme;end' })).toEqual({
      type: 1,
      intent: 'intent://chat/7#Intent;scheme=acme;end',
    });
    expect(huaweiClickAction({ type: 'intent', value: 'com.acme.OPEN_CHAT' })).toEqual({ type: 1, action: 'com.acme.OPEN_CHAT' });
    expect(huaweiClickAction({ type: 'url', value: 'https://acme.example' })).toEqual({ type: 2, url: 'https://acme.example' });
    expect(huaweiClickAction({ type: 'app' })).toEqual({ type: 3 });
    expect(huaweiClickAction({ type: 'url' })).toEqual({ type: 3 });
    expect(huaweiClickAction(undefined)).toEqual({ type: 3 });
  });

  it('refuses unknown override keys and bad values', () => {
    expect(huaweiOverridesSchema.safeParse({ imei: '1' }).success).toBe(false);
    expect(huaweiOverridesSchema.safeParse({ bi_tag: 'x' }).success).toBe(false);
    expect(huaweiOverridesSchema.safeParse({ importance: 'URGENT' }).success).toBe(false);
    expect(huaweiOverridesSchema.safeParse({ style: 1 }).success).toBe(false);
    expect(huaweiOverridesSchema.safeParse({ group: 'g', notify_id: 1 }).success).toBe(false);
    expect(huaweiOverridesSchema.safeParse({ style: 1, big_title: 'T', big_body: 'B', visibility: 'PUBLIC', foreground_show: false }).success).toBe(true);
  });
});

describe('Huawei auth and path builders', () => {
  it('builds the client-credentials form with the client id defaulting to the app id', () => {
    const req = buildHuaweiTokenRequest({ appId: '100200300', clientId: undefined, clientSecret: 's&cret' });
    expect(req.path).toBe('/oauth2/v3/token');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: '100200300',
      client_secret: 's&cret',
    });
    expect(new URLSearchParams(buildHuaweiTokenRequest({ appId: '1', clientId: '99', clientSecret: 'x' }).body).get('client_id')).toBe('99');
  });

  it('builds the send path and bearer headers', () => {
    expect(huaweiSendPath('100200300')).toBe('/v1/100200300/messages:send');
    expect(buildHuaweiSendHeaders('AT')).toEqual({ authorization: 'Bearer AT', 'content-type': 'application/json;charset=UTF-8' });
  });
});

describe('Huawei config and token schemas', () => {
  it('fills the production hosts and refuses unknown keys and a lone callback key', () => {
    const c = huaweiConfigSchema.parse({ appId: '100200300', clientSecret: 's' });
    expect(c.endpoint).toBe('https://push-api.cloud.huawei.com');
    expect(c.authEndpoint).toBe('https://oauth-login.cloud.huawei.com');
    expect(huaweiConfigSchema.safeParse({ appId: '1', clientSecret: 's', clientSecert: 'typo' }).success).toBe(false);
    expect(huaweiConfigSchema.safeParse({ appId: '1', clientSecret: 's', callbackKey: 'k' }).success).toBe(false);
    expect(huaweiConfigSchema.safeParse({ appId: '1/../x', clientSecret: 's' }).success).toBe(false);
  });

  it('accepts old and new push token forms and refuses junk', () => {
    expect(huaweiTokenSchema.safeParse('08660170356390640000002149000001CN01').success).toBe(true);
    expect(huaweiTokenSchema.safeParse(`IQAAAACy0T43AACuNQ_${'aB3-_'.repeat(25)}`).success).toBe(true);
    expect(huaweiTokenSchema.safeParse('AKsHh+kXu8B/pyJ2xq==').success).toBe(true);
    expect(huaweiTokenSchema.safeParse('test').success).toBe(false);
    expect(huaweiTokenSchema.safeParse('0866017035639064 0000002149000001CN01').success).toBe(false);
    expect(huaweiTokenSchema.safeParse('x'.repeat(513)).success).toBe(false);
  });
});
