import type { MessageOptions, OutgoingMessage } from '../types.js';
import type { OppoConfig } from './oppo.config.js';
import { oppoBaseUrl, oppoConfigSchema } from './oppo.config.js';
import { oppoOutcome, oppoOutcomeTable, parseOppoCode } from './oppo.errors.js';
import {
  appMessageIdFor,
  buildOppoAuthForm,
  buildOppoNotification,
  buildOppoSend,
  encodeOppoSendForm,
  notifyIdFor,
  oppoCategoryOf,
  oppoOverridesSchema,
  oppoQuotaClass,
} from './oppo.request.js';
import { oppoTokenSchema } from './oppo.token.js';

const config: OppoConfig = { appKey: 'k-demo', masterSecret: 's-demo', region: 'china' };
/** = createdAt of msg(): the whole ttl is left. */
const NOW = 0;

function msg(opts: Partial<MessageOptions> = {}, over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { id: 'm1', notification: { title: 'Hi', body: 'Hello' }, data: {}, options: { priority: 'normal', ...opts }, createdAt: 0, ...over };
}

function notification(m: OutgoingMessage, cfg: OppoConfig = config, cb = {}) {
  const built = buildOppoNotification(m, cfg, NOW, cb);
  if (!built.ok) throw new Error(built.reason);
  return built.notification;
}

const REG = 'CN_0123456789abcdef0123456789abcdef';
const REG2 = 'OPPO_CN_fedcba9876543210fedcba9876543210';

describe('OPPO request builders', () => {
  it('builds a unicast with the message JSON in the `message` form field for one target', () => {
    const built = buildOppoSend(msg(), [{ deliveryId: 'd1', token: REG }], config, NOW);
    expect(built).toEqual({
      ok: true,
      path: '/server/v1/message/notification/unicast',
      form: { message: expect.any(String) },
      messages: [expect.anything()],
    });
    if (!built.ok || !('message' in built.form)) throw new Error('unreachable');
    expect(JSON.parse(built.form.message)).toEqual({
      target_type: 2,
      target_value: REG,
      notification: { title: 'Hi', content: 'Hello', click_action_type: 0, off_line: true, app_message_id: 'd1' },
    });
  });

  it('builds one unicast_batch with a message per target and a per-delivery app_message_id for several targets', () => {
    const built = buildOppoSend(msg(), [{ deliveryId: 'd1', token: REG }, { deliveryId: 'd2', token: REG2 }], config, NOW);
    if (!built.ok || !('messages' in built.form)) throw new Error('expected unicast_batch');
    expect(built.path).toBe('/server/v1/message/notification/unicast_batch');
    const messages = JSON.parse(built.form.messages) as Array<{ target_value: string; notification: { app_message_id: string } }>;
    expect(messages.map((m) => [m.target_value, m.notification.app_message_id])).toEqual([
      [REG, 'd1'],
      [REG2, 'd2'],
    ]);
  });

  it('refuses more than 1000 targets and an empty target list', () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ deliveryId: `d${i}`, token: REG }));
    expect(buildOppoSend(msg(), many, config, NOW)).toEqual({ ok: false, reason: expect.stringContaining('1000') });
    expect(buildOppoSend(msg(), [], config, NOW).ok).toBe(false);
  });

  it('refuses a data-only message with a reason naming the missing pass-through', () => {
    const built = buildOppoSend(msg({}, { notification: undefined, data: { k: 'v' } }), [{ deliveryId: 'd1', token: REG }], config, NOW);
    expect(built).toEqual({ ok: false, reason: expect.stringContaining('no data-only (pass-through) messages') });
  });

  it('truncates the title to 50 and the content to 200 characters, counting CJK and emoji as one, and uses the long-text style above 50', () => {
    const n = notification(msg({}, { notification: { title: '标'.repeat(60), body: '😀'.repeat(250) } }));
    expect([...n.title]).toHaveLength(50);
    expect(n.title.endsWith('…')).toBe(true);
    expect([...n.content]).toHaveLength(200);
    expect(n.style).toBe(2);
    const short = notification(msg({}, { notification: { title: '标'.repeat(50), body: '😀'.repeat(50) } }));
    expect(short.title).toBe('标'.repeat(50));
    expect(short.content).toBe('😀'.repeat(50));
    expect(short.style).toBeUndefined();
  });

  it.each([
    ['im', 'IM', 16],
    ['account', 'ACCOUNT', 2],
    ['reminder', 'TODO', 2],
    ['device', 'DEVICE_REMINDER', 2],
    ['order', 'ORDER', 2],
    ['subscription', 'SUBSCRIPTION', 2],
    ['news', 'NEWS', 2],
    ['content', 'CONTENT', 2],
    ['social', 'SOCIAL', 2],
    ['marketing', 'MARKETING', 1],
    ['payment', 'ORDER', 2],
    ['recommendation', 'CONTENT', 2],
  ])('maps category %s to OPPO category %s with notify_level %i', (category, oppo, level) => {
    const n = notification(msg({ category }));
    expect([n.category, n.notify_level]).toEqual([oppo, level]);
  });

  it('sends neither category nor notify_level for an unknown or absent category', () => {
    for (const category of [undefined, 'weather']) {
      const n = notification(msg({ category }));
      expect([n.category, n.notify_level]).toEqual([undefined, undefined]);
    }
  });

  it('applies the tenant notifyLevel to non-IM categories but never 16 to content & marketing', () => {
    expect(notification(msg({ category: 'order' }), { ...config, notifyLevel: 1 }).notify_level).toBe(1);
    expect(notification(msg({ category: 'order' }), { ...config, notifyLevel: 16 }).notify_level).toBe(16);
    expect(notification(msg({ category: 'news' }), { ...config, notifyLevel: 16 }).notify_level).toBe(2);
    expect(notification(msg({ category: 'im' }), { ...config, notifyLevel: 1 }).notify_level).toBe(16);
  });

  it('classes communication & service categories as the service quota and everything else as marketing', () => {
    expect(['im', 'account', 'reminder', 'device', 'order', 'subscription'].map(oppoQuotaClass)).toEqual(Array(6).fill('service'));
    expect(['news', 'content', 'social', 'marketing', 'weather', undefined].map(oppoQuotaClass)).toEqual(Array(6).fill('marketing'));
    // OPPO's own names are not pushgate categories (the API refuses them): nothing to map.
    expect(oppoCategoryOf('IM')).toBeUndefined();
    expect(oppoCategoryOf('travel')).toBeUndefined();
  });

  it.each([
    [undefined, { click_action_type: 0 }],
    [{ type: 'app' as const }, { click_action_type: 0 }],
    [{ type: 'app' as const, value: 'com.acme.OPEN_CHAT' }, { click_action_type: 1, click_action_activity: 'com.acme.OPEN_CHAT' }],
    [{ type: 'url' as const, value: 'https://acme.example/x' }, { click_action_type: 2, click_action_url: 'https://acme.example/x' }],
    [{ type: 'intent' as const, value: 'intent://chat#Intent;scheme=acme;end' }, { click_action_type: 5, click_action_url: 'intent://chat#Intent;scheme=acme;end' }],
    [{ type: 'intent' as const, value: 'acme://chat/1' }, { click_action_type: 5, click_action_url: 'acme://chat/1' }],
    [{ type: 'intent' as const, value: 'com.acme.ChatActivity' }, { click_action_type: 4, click_action_activity: 'com.acme.ChatActivity' }],
  ])('maps clickAction %j to %j', (clickAction, expected) => {
    const n = notification(msg({}, { notification: { title: 't', body: 'b', clickAction } }));
    expect({ click_action_type: n.click_action_type, click_action_activity: n.click_action_activity, click_action_url: n.click_action_url }).toEqual({
      click_action_activity: undefined,
      click_action_url: undefined,
      ...expected,
    });
  });

  it('maps ttlSeconds to off_line_ttl capped at 10 days, and a zero TTL to no offline caching', () => {
    expect(notification(msg({ ttlSeconds: 3600 }))).toMatchObject({ off_line: true, off_line_ttl: 3600 });
    expect(notification(msg({ ttlSeconds: 30 * 86400 }))).toMatchObject({ off_line: true, off_line_ttl: 864000 });
    const zero = notification(msg({ ttlSeconds: 0 }));
    expect([zero.off_line, zero.off_line_ttl]).toEqual([false, undefined]);
  });

  it('a later attempt asks OPPO to keep the message offline only for the ttl left', () => {
    const m = msg({ ttlSeconds: 3600 }, { createdAt: Date.UTC(2025, 2, 10, 4, 0, 0) });
    const built = buildOppoNotification(m, config, m.createdAt + 100_000);
    expect(built.ok && [built.notification.off_line, built.notification.off_line_ttl]).toEqual([true, 3500]);
  });

  it('puts the data map into action_parameters as JSON and refuses one over 4000 characters', () => {
    expect(notification(msg({}, { data: { chat: '42', from: 'ann' } })).action_parameters).toBe('{"chat":"42","from":"ann"}');
    const big = buildOppoNotification(msg({}, { data: { k: 'x'.repeat(4000) } }), config, NOW);
    expect(big).toEqual({ ok: false, reason: expect.stringContaining('4000') });
  });

  it('maps callbackUrl and callbackRef to call_back_url and call_back_parameter within their limits', () => {
    const n = notification(msg(), config, { callbackUrl: 'https://gw.example/v1/receipts/oppo/acme?s=1', callbackRef: 'ref-1' });
    expect([n.call_back_url, n.call_back_parameter]).toEqual(['https://gw.example/v1/receipts/oppo/acme?s=1', 'ref-1']);
    const longRef = notification(msg(), config, { callbackUrl: 'https://gw.example/r', callbackRef: 'r'.repeat(101) });
    expect([longRef.call_back_url, longRef.call_back_parameter]).toEqual(['https://gw.example/r', undefined]);
    const longUrl = notification(msg(), config, { callbackUrl: `https://gw.example/${'u'.repeat(200)}`, callbackRef: 'ref' });
    expect([longUrl.call_back_url, longUrl.call_back_parameter]).toEqual([undefined, undefined]);
  });

  it('maps collapseKey to a stable integer notify_id', () => {
    expect(notification(msg({ collapseKey: '77' })).notify_id).toBe(77);
    const a = notification(msg({ collapseKey: 'chat-42' })).notify_id;
    expect(a).toBe(notifyIdFor('chat-42'));
    expect(Number.isInteger(a) && a! > 0 && a! <= 2 ** 31 - 1).toBe(true);
    expect(notifyIdFor('chat-43')).not.toBe(a);
  });

  it('chooses channel_id from the category channel map, then the tenant default', () => {
    const cfg = { ...config, channelId: 'default_ch', channels: { im: 'im_ch' } };
    expect(notification(msg({ category: 'im' }), cfg).channel_id).toBe('im_ch');
    expect(notification(msg({ category: 'news' }), cfg).channel_id).toBe('default_ch');
    expect(notification(msg(), config).channel_id).toBeUndefined();
  });

  it('merges validated overrides.oppo, recomputing notify_level for an overridden category', () => {
    const built = buildOppoSend(
      msg({ category: 'news' }),
      [{ deliveryId: 'd1', token: REG }],
      config,
      NOW,
      {},
      oppoOverridesSchema.parse({ category: 'ORDER', sub_title: '副标题', channel_id: 'ch', verify_registration_id: true, show_ttl: 600 }),
    );
    if (!built.ok) throw new Error(built.reason);
    const m = built.messages[0]!;
    expect(m.verify_registration_id).toBe(true);
    expect(m.notification).toMatchObject({ category: 'ORDER', notify_level: 2, sub_title: '副标题', channel_id: 'ch', show_ttl: 600 });
    expect(m.notification).not.toHaveProperty('verify_registration_id');
  });

  it('takes the parsed overrides.oppo, recomputing notify_level for an overridden category', () => {
    expect(buildOppoNotification(msg(), config, NOW, {}, oppoOverridesSchema.parse({ notify_level: 1, category: 'NEWS' }))).toMatchObject({ ok: true, notification: { category: 'NEWS', notify_level: 1 } });
  });

  it('oppoOverridesSchema refuses invalid fields, naming them', () => {
    const bad = oppoOverridesSchema.safeParse({ sub_title: '一二三四五六七八九十十一' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['sub_title']);
    expect(oppoOverridesSchema.safeParse({ imei: 'x' }).success).toBe(false);
  });

  it('derives app_message_id from the delivery id, hashing long ids stably', () => {
    expect(appMessageIdFor('0190a1b2-c3d4')).toBe('0190a1b2-c3d4');
    const long = 'd'.repeat(100);
    expect(appMessageIdFor(long)).toMatch(/^pg-[0-9a-f]{40}$/);
    expect(appMessageIdFor(long)).toBe(appMessageIdFor(long));
  });

  it('signs the auth form as sha256(app_key + timestamp + master_secret) in lowercase hex', () => {
    // printf '%s' 'k-demo1700000000000s-demo' | sha256sum
    expect(buildOppoAuthForm('k-demo', 's-demo', 1_700_000_000_000)).toEqual({
      app_key: 'k-demo',
      timestamp: '1700000000000',
      sign: '80f3c6a5542dcc6d820ad0ffdf625f76c1b728c5bf30b98872149727b61d9d42',
    });
  });

  it('encodes the send as a form with auth_token as a field', () => {
    const body = new URLSearchParams(encodeOppoSendForm({ message: '{"a":"b c"}' }, 'tok'));
    expect(Object.fromEntries(body)).toEqual({ message: '{"a":"b c"}', auth_token: 'tok' });
  });
});

describe('OPPO config and token schemas', () => {
  it('defaults to the China host, selects the overseas host for region global, and lets endpoint win', () => {
    const base = oppoConfigSchema.parse({ appKey: 'a', masterSecret: 'b' });
    expect(oppoBaseUrl(base)).toBe('https://api.push.oppomobile.com');
    expect(oppoBaseUrl(oppoConfigSchema.parse({ appKey: 'a', masterSecret: 'b', region: 'global' }))).toBe('https://api-intl.push.oppomobile.com');
    expect(oppoBaseUrl(oppoConfigSchema.parse({ appKey: 'a', masterSecret: 'b', endpoint: 'http://127.0.0.1:9/' }))).toBe('http://127.0.0.1:9');
  });

  it('reports unknown config keys', () => {
    expect(oppoConfigSchema.safeParse({ appKey: 'a', masterSecret: 'b', appSecret: 'c' }).success).toBe(false);
  });

  it('accepts registration ids with and without a region prefix and refuses junk', () => {
    for (const ok of [REG, REG2, 'OPPO_SG_0123456789ABCDEF0123456789abcdef', '0123456789abcdef0123456789abcdef']) {
      expect(oppoTokenSchema.safeParse(ok).success).toBe(true);
    }
    for (const bad of ['', 'hello', 'CN_0123', 'CN_0123456789abcdef0123456789abcdeg', 'CN 0123456789abcdef0123456789abcdef', `${'A_'.repeat(60)}0123456789abcdef0123456789abcdef`]) {
      expect(oppoTokenSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe('OPPO code table', () => {
  it.each([
    [0, 'sent'],
    [-1, 'retry'],
    [-2, 'rate_limited'],
    [13, 'rate_limited'],
    [55, 'rate_limited'],
    [11, 'auth_error'],
    [14, 'auth_error'],
    [16, 'auth_error'],
    [19, 'auth_error'],
    [26, 'auth_error'],
    [29, 'auth_error'],
    [30, 'auth_error'],
    [12, 'rejected'],
    [25, 'rejected'],
    [31, 'rejected'],
    [32, 'rejected'],
    [33, 'quota_exceeded'],
    [40, 'rejected'],
    [41, 'rejected'],
    [67, 'rejected'],
    [10000, 'invalid_token'],
    [10001, 'invalid_token'],
    [10004, 'rejected'],
    [99999, 'rejected'],
    [-9, 'retry'],
  ])('maps code %i to %s', (code, outcome) => {
    expect(oppoOutcome(code).outcome).toBe(outcome);
  });

  it('reads codes sent as numbers or numeric strings and nothing else', () => {
    expect([parseOppoCode(33), parseOppoCode('10000'), parseOppoCode('-2'), parseOppoCode('x'), parseOppoCode(undefined)]).toEqual([33, 10000, -2, undefined, undefined]);
    expect(oppoOutcomeTable().length).toBeGreaterThan(30);
  });
});
