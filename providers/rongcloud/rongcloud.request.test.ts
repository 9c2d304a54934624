import { MESSAGE_CATEGORIES } from '../categories.js';
import { OUTCOMES, type OutgoingMessage } from '../types.js';
import { resolveHosts, rongcloudConfigSchema } from './rongcloud.config.js';
import { classifyRongCloud, TRANSPORT_FAILURE } from './rongcloud.errors.js';
import {
  buildAuthHeaders,
  buildPushUserRequest,
  makeNonce,
  RONGCLOUD_CATEGORIES,
  rongcloudOverridesSchema,
  rongcloudSignature,
} from './rongcloud.request.js';
import { rongcloudTokenSchema } from './rongcloud.token.js';

function message(overrides: Partial<OutgoingMessage> = {}, options: Partial<OutgoingMessage['options']> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    notification: { title: 'New message', body: 'Alice: are you there?' },
    data: {},
    createdAt: 0,
    ...overrides,
    options: { priority: 'high', ...options },
  };
}

const noConfig = {};

describe('buildPushUserRequest', () => {
  it('maps a plain notification to userIds, title and pushContent only', () => {
    expect(buildPushUserRequest(message(), ['u1', 'u2'], noConfig)).toEqual({
      userIds: ['u1', 'u2'],
      notification: { title: 'New message', pushContent: 'Alice: are you there?' },
    });
  });

  it('maps badge, collapse key, data, https image, IM category and the Xiaomi channel field by field', () => {
    const body = buildPushUserRequest(
      message(
        { notification: { title: 'T', body: 'B', badge: 3, image: 'https://cdn.example.com/a.png', sound: 'ding' }, data: { convId: 'c42', kind: 'chat' } },
        { category: 'im', collapseKey: 'conv-c42' },
      ),
      ['u1'],
      { miChannels: { im: 'mi-im-channel' } },
    );
    expect(body.userIds).toEqual(['u1']);
    expect(body.notification.title).toBe('T');
    expect(body.notification.pushContent).toBe('B');
    expect(body.notification.ios).toEqual({ badge: 3, 'apns-collapse-id': 'conv-c42', extras: { convId: 'c42', kind: 'chat' } });
    expect(body.notification.android?.hw).toEqual({ category: 'IM', importance: 'NORMAL', image: 'https://cdn.example.com/a.png' });
    expect(body.notification.android?.oppo).toEqual({ category: 'IM', notify_level: 16 });
    expect(body.notification.android?.vivo).toEqual({ classification: '1', category: 'IM' });
    expect(body.notification.android?.mi).toEqual({ channelId: 'mi-im-channel' });
    expect(body.notification.android?.extras).toEqual({ convId: 'c42', kind: 'chat' });
    // sound has no push/user field: nothing else is sent.
    expect(Object.keys(body.notification).sort()).toEqual(['android', 'ios', 'pushContent', 'title']);
  });

  it.each([
    ['im', { category: 'IM', importance: 'NORMAL' }, { category: 'IM', notify_level: 16 }, { classification: '1', category: 'IM' }],
    ['voip', { category: 'VOIP', importance: 'NORMAL' }, { category: 'IM', notify_level: 16 }, { classification: '1', category: 'IM' }],
    ['account', { category: 'ACCOUNT', importance: 'NORMAL' }, { category: 'ACCOUNT' }, { classification: '1', category: 'ACCOUNT' }],
    ['order', { category: 'EXPRESS', importance: 'NORMAL' }, { category: 'ORDER' }, { classification: '1', category: 'ORDER' }],
    ['reminder', { category: 'SYSTEM_REMINDER', importance: 'NORMAL' }, { category: 'TODO' }, { classification: '1', category: 'TODO' }],
    ['device_reminder', { category: 'DEVICE_REMINDER', importance: 'NORMAL' }, { category: 'DEVICE_REMINDER' }, { classification: '1', category: 'DEVICE_REMINDER' }],
    ['subscription', { category: 'SUBSCRIPTION', importance: 'NORMAL' }, { category: 'SUBSCRIPTION' }, { classification: '1', category: 'SUBSCRIPTION' }],
    ['news', { importance: 'LOW' }, { category: 'NEWS' }, { classification: '0', category: 'NEWS' }],
    ['content', { importance: 'LOW' }, { category: 'CONTENT' }, { classification: '0', category: 'CONTENT' }],
    ['social', { importance: 'LOW' }, { category: 'SOCIAL' }, { classification: '0', category: 'SOCIAL' }],
    ['marketing', { category: 'MARKETING', importance: 'LOW' }, { category: 'MARKETING' }, { classification: '0', category: 'MARKETING' }],
    ['payment', { category: 'FINANCE', importance: 'NORMAL' }, { category: 'ORDER' }, { classification: '1', category: 'ORDER' }],
    ['chat', { category: 'IM', importance: 'NORMAL' }, { category: 'IM', notify_level: 16 }, { classification: '1', category: 'IM' }],
  ])('maps category %s into the hw, oppo and vivo sub-objects', (category, hw, oppo, vivo) => {
    const android = buildPushUserRequest(message({}, { category }), ['u1'], noConfig).notification.android;
    expect(android).toEqual({ hw, oppo, vivo });
  });

  it('maps every pushgate category, travel/health/work/mail to no vendor block (OPPO and vivo have no such class)', () => {
    expect(Object.keys(RONGCLOUD_CATEGORIES).sort()).toEqual([...MESSAGE_CATEGORIES].sort());
    expect(buildPushUserRequest(message({}, { category: 'travel' }), ['u1'], noConfig).notification.android).toBeUndefined();
  });

  it('sends no vendor classification for an unknown category but uses the default Xiaomi channel', () => {
    const body = buildPushUserRequest(message({}, { category: 'weather' }), ['u1'], { miChannels: { im: 'x', default: 'mi-default' } });
    expect(body.notification.android).toEqual({ mi: { channelId: 'mi-default' } });
  });

  it('cuts a long title to 50 UTF-16 units without splitting a surrogate pair', () => {
    const long = 'a'.repeat(60);
    expect(buildPushUserRequest(message({ notification: { title: long, body: 'b' } }), ['u'], noConfig).notification.title).toBe('a'.repeat(50));
    const emoji = 'a'.repeat(49) + '😀' + 'tail';
    expect(buildPushUserRequest(message({ notification: { title: emoji, body: 'b' } }), ['u'], noConfig).notification.title).toBe('a'.repeat(49));
  });

  it('uses the title as pushContent when the body is empty, and omits an empty title', () => {
    expect(buildPushUserRequest(message({ notification: { title: 'Only title', body: '' } }), ['u'], noConfig).notification).toEqual({
      title: 'Only title',
      pushContent: 'Only title',
    });
    expect(buildPushUserRequest(message({ notification: { title: '', body: 'Only body' } }), ['u'], noConfig).notification).toEqual({
      pushContent: 'Only body',
    });
  });

  it('leaves out a collapse key over 64 bytes and a non-https image', () => {
    const n = buildPushUserRequest(
      message({ notification: { title: 't', body: 'b', image: 'http://insecure.example.com/a.png' } }, { collapseKey: 'k'.repeat(65) }),
      ['u'],
      noConfig,
    ).notification;
    expect(n.ios).toBeUndefined();
    expect(n.android).toBeUndefined();
  });

  it('deep-merges overrides.rongcloud over the built notification', () => {
    const overrides = rongcloudOverridesSchema.parse({
      ios: { 'thread-id': 'conv-1', extras: { extra: 'yes' } },
      android: { hw: { channelId: 'hw-chan' }, oppo: { notify_level: 2 } },
    });
    const n = buildPushUserRequest(message({ data: { a: '1' } }, { category: 'im' }), ['u'], noConfig, overrides).notification;
    expect(n.ios).toEqual({ 'thread-id': 'conv-1', extras: { a: '1', extra: 'yes' } });
    expect(n.android?.hw).toEqual({ category: 'IM', importance: 'NORMAL', channelId: 'hw-chan' });
    expect(n.android?.oppo).toEqual({ category: 'IM', notify_level: 2 });
  });

  it('refuses a data-only message (the provider rejects it before building)', () => {
    expect(() => buildPushUserRequest(message({ notification: undefined }), ['u'], noConfig)).toThrow(/notification/);
  });
});

describe('rongcloudOverridesSchema', () => {
  it('refuses unknown fields, lowercase vendor categories and invalid OPPO levels', () => {
    expect(rongcloudOverridesSchema.safeParse({ alert: 'x' }).success).toBe(false);
    expect(rongcloudOverridesSchema.safeParse({ android: { hw: { category: 'im' } } }).success).toBe(false);
    expect(rongcloudOverridesSchema.safeParse({ android: { oppo: { notify_level: 3 } } }).success).toBe(false);
    expect(rongcloudOverridesSchema.safeParse({ android: { vivo: { classification: '1', category: 'IM' } } }).success).toBe(true);
  });
});

describe('request signing', () => {
  it('computes Signature as lowercase hex sha1(appSecret + nonce + timestamp)', () => {
    // Independent vector: printf '%s' 'appsecretnonce1234561700000000' | sha1sum
    expect(rongcloudSignature('appsecret', 'nonce123456', '1700000000')).toBe('917ad7d0f7d951896f714c18448c3d44eba2c580');
  });

  it('builds the four headers with a seconds Timestamp and a nonce from the injected randomness', () => {
    const headers = buildAuthHeaders('key1', 'appsecret', 1_700_000_000_999, () => 0.5);
    expect(headers).toEqual({
      'App-Key': 'key1',
      Nonce: 'iiiiiiiiiiiiiiii',
      Timestamp: '1700000000',
      Signature: rongcloudSignature('appsecret', 'iiiiiiiiiiiiiiii', '1700000000'),
    });
  });

  it('never makes a nonce longer than 18 characters', () => {
    expect(makeNonce(() => 0.99, 40)).toHaveLength(18);
    expect(makeNonce(() => 0)).toBe('0'.repeat(16));
  });
});

describe('rongcloudTokenSchema', () => {
  it('accepts 1–64 letters, digits and + | = - _', () => {
    for (const ok of ['u1', 'User_42', 'a+b=c-d_e|f', 'x'.repeat(64)]) expect(rongcloudTokenSchema.safeParse(ok).success).toBe(true);
  });
  it('refuses empty, over-long and other characters', () => {
    for (const bad of ['', 'x'.repeat(65), 'user@example.com', 'has space', '用户', 'a/b']) {
      expect(rongcloudTokenSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe('rongcloudConfigSchema and hosts', () => {
  it('maps each region to its primary and backup host', () => {
    const hosts = (region: string) => resolveHosts(rongcloudConfigSchema.parse({ appKey: 'k', appSecret: 's', region }));
    expect(hosts('china')).toEqual({ primary: 'https://api.rong-api.com', backup: 'https://api-b.rong-api.com' });
    expect(hosts('singapore')).toEqual({ primary: 'https://api.sg-light-api.com', backup: 'https://api-b.sg-light-api.com' });
    expect(hosts('singapore_b')).toEqual({ primary: 'https://api.sg-b-light-api.com', backup: 'https://api-b.sg-b-light-api.com' });
    expect(hosts('north_america')).toEqual({ primary: 'https://api.us-light-api.com', backup: 'https://api-b.us-light-api.com' });
    expect(hosts('saudi_arabia')).toEqual({ primary: 'https://api.sau-light-api.com', backup: 'https://api-b.sau-light-api.com' });
  });

  it('defaults to China and lets explicit endpoints win', () => {
    const c = rongcloudConfigSchema.parse({ appKey: 'k', appSecret: 's', endpoint: 'http://127.0.0.1:9/', backupEndpoint: 'http://127.0.0.1:10' });
    expect(c.region).toBe('china');
    expect(c.timeoutMs).toBe(10_000);
    expect(resolveHosts(c)).toEqual({ primary: 'http://127.0.0.1:9', backup: 'http://127.0.0.1:10' });
    expect(resolveHosts(rongcloudConfigSchema.parse({ appKey: 'k', appSecret: 's', endpoint: 'http://127.0.0.1:9' }))).toEqual({
      primary: 'http://127.0.0.1:9',
      backup: undefined,
    });
  });

  it('reports typos, unknown regions and missing secrets', () => {
    expect(rongcloudConfigSchema.safeParse({ appKey: 'k', appSecret: 's', regoin: 'china' }).success).toBe(false);
    expect(rongcloudConfigSchema.safeParse({ appKey: 'k', appSecret: 's', region: 'europe' }).success).toBe(false);
    expect(rongcloudConfigSchema.safeParse({ appKey: 'k' }).success).toBe(false);
  });
});

describe('classifyRongCloud', () => {
  it.each([
    [200, 200, 'sent', false],
    [500, 1000, 'retry', true],
    [504, 1050, 'retry', true],
    [401, 1001, 'auth_error', false],
    [401, 1004, 'auth_error', false],
    [401, 1006, 'auth_error', false],
    [401, 1007, 'auth_error', false],
    [429, 1008, 'rate_limited', false],
    [400, 1002, 'rejected', false],
    [400, 1003, 'rejected', false],
    [400, 1005, 'rejected', false],
    [430, 1009, 'rejected', false],
    [200, 2007, 'rejected', false],
    [429, undefined, 'rate_limited', false],
    [403, undefined, 'auth_error', false],
    [502, undefined, 'retry', true],
    [503, 200, 'retry', true],
    [200, undefined, 'retry', false],
    [404, undefined, 'rejected', false],
  ] as const)('HTTP %s with code %s → %s (failover %s)', (status, code, outcome, failover) => {
    const c = classifyRongCloud(status, code);
    expect(c.outcome).toBe(outcome);
    expect(c.failover).toBe(failover);
    expect(OUTCOMES).toContain(c.outcome);
  });

  it('treats transport failures as retry on the backup host', () => {
    expect(TRANSPORT_FAILURE).toMatchObject({ outcome: 'retry', failover: true });
  });
});
