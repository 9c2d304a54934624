import type { DeliveryTarget, OutgoingMessage } from '../types.js';
import { vivoConfigSchema, type VivoConfig } from './vivo.config.js';
import {
  buildVivoAuthRequest,
  buildVivoPayload,
  buildVivoPushToListRequest,
  buildVivoSaveListPayloadRequest,
  buildVivoSendRequest,
  resolveVivoClass,
  truncateVivoText,
  vivoAppIdValue,
  vivoHeaders,
  vivoListRequestId,
  vivoNotifyId,
  vivoOverridesSchema,
  vivoPayloadRequestId,
  vivoQuotaClass,
  vivoSign,
  vivoSingleRequestId,
  vivoTextWidth,
  type VivoPayloadResult,
} from './vivo.request.js';
import { vivoTokenSchema } from './vivo.token.js';
import type { VivoMessagePayload } from './vivo.wire.js';

const NOW = Date.UTC(2025, 2, 10, 4, 0, 0);
const config: VivoConfig = vivoConfigSchema.parse({ appId: '10004', appKey: 'key', appSecret: 'secret' });

function message(over: Partial<OutgoingMessage> = {}, options: Partial<OutgoingMessage['options']> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    notification: { title: 'Hello', body: 'You have a new message' },
    data: {},
    options: { priority: 'normal', ...options },
    createdAt: NOW,
    ...over,
  };
}

function payloadOf(r: VivoPayloadResult): VivoMessagePayload {
  if (!r.ok) throw new Error(`expected a payload, got: ${r.reason}`);
  return r.payload;
}

const single = { now: NOW, list: false };

describe('vivo config and token schemas', () => {
  it('defaults the endpoint to vivo production and pushMode to formal', () => {
    expect(config.endpoint).toBe('https://api-push.vivo.com.cn');
    expect(config.pushMode).toBe(0);
  });

  it('accepts a numeric appId from YAML and reports unknown keys', () => {
    expect(vivoConfigSchema.parse({ appId: 10004, appKey: 'k', appSecret: 's' }).appId).toBe('10004');
    expect(vivoConfigSchema.safeParse({ appId: '1', appKey: 'k', appSecret: 's', appsecret: 'x' }).success).toBe(false);
    expect(vivoConfigSchema.safeParse({ appId: '1', appKey: 'k', appSecret: 's', pushMode: 2 }).success).toBe(false);
  });

  it('accepts historic 23-digit regIds and longer opaque ones, refuses junk', () => {
    expect(vivoTokenSchema.safeParse('15638535410301000000001').success).toBe(true);
    expect(vivoTokenSchema.safeParse('v2_AbCdEf0123456789-xyz.0123456789').success).toBe(true);
    for (const junk of ['', 'null', '12345', 'has space in it 123456', 'x'.repeat(129), '中文中文中文中文中文中文中文中文']) {
      expect(vivoTokenSchema.safeParse(junk).success).toBe(false);
    }
  });
});

describe('vivo auth request', () => {
  it('signs md5(appId + appKey + timestamp + appSecret) in lowercase hex', () => {
    expect(vivoSign('10004', '25509283-3767-4b9e-83fe-b6e55ac6b123', 1501484120000, 'scrt')).toBe('3540390f953e56474a00aa8885246320');
  });

  it('sends appId as a number when numeric, the ms timestamp and the sign', () => {
    const body = buildVivoAuthRequest(config, 1501484120000);
    expect(body).toEqual({ appId: 10004, appKey: 'key', timestamp: 1501484120000, sign: vivoSign('10004', 'key', 1501484120000, 'secret') });
    expect(vivoAppIdValue('app-x')).toBe('app-x');
    expect(vivoAppIdValue('007')).toBe('007');
  });

  it('puts the authToken in a header of every other call', () => {
    expect(vivoHeaders('tok')).toEqual({ authToken: 'tok', 'content-type': 'application/json' });
  });
});

describe('vivo text counted the vivo way', () => {
  it('counts a CJK character as 2 and an emoji as 1', () => {
    expect(vivoTextWidth('abc')).toBe(3);
    expect(vivoTextWidth('你好')).toBe(4);
    expect(vivoTextWidth('，')).toBe(2);
    expect(vivoTextWidth('😀')).toBe(1);
  });

  it('cuts an over-long Chinese title to 40 with an ellipsis, at a character boundary', () => {
    const t = truncateVivoText('通'.repeat(30), 40);
    expect(t).toBe(`${'通'.repeat(19)}…`);
    expect(vivoTextWidth(t)).toBeLessThanOrEqual(40);
  });

  it('never splits an emoji sequence and leaves text within the limit untouched', () => {
    const family = '👨‍👩‍👧';
    const t = truncateVivoText(`${'a'.repeat(36)}${family}tail`, 40);
    expect(t).toBe(`${'a'.repeat(36)}…`);
    expect(truncateVivoText('short', 40)).toBe('short');
  });
});

describe('vivo category → classification', () => {
  it.each([
    ['im', 1, 'IM'],
    ['account', 1, 'ACCOUNT'],
    ['order', 1, 'ORDER'],
    ['reminder', 1, 'TODO'],
    ['subscription', 1, 'SUBSCRIPTION'],
    ['news', 0, 'NEWS'],
    ['marketing', 0, 'MARKETING'],
    ['social', 0, 'SOCIAL'],
  ])('maps %s to classification %i and category %s', (category, classification, vivo) => {
    expect(resolveVivoClass(category, config)).toEqual({ classification, category: vivo });
  });

  it('sends an absent or unknown category as an operations message without a category', () => {
    expect(resolveVivoClass(undefined, config)).toEqual({ classification: 0 });
    expect(resolveVivoClass('weather', config)).toEqual({ classification: 0 });
  });

  it('lets the tenant re-map pushgate categories (not add new ones)', () => {
    const c = vivoConfigSchema.parse({ appId: '1', appKey: 'k', appSecret: 's', categories: { work: 'TODO', im: 'SOCIAL' } });
    expect(resolveVivoClass('work', c)).toEqual({ classification: 1, category: 'TODO' });
    expect(resolveVivoClass('im', c)).toEqual({ classification: 0, category: 'SOCIAL' });
    expect(vivoQuotaClass('work', c)).toBe('system');
    expect(vivoConfigSchema.safeParse({ appId: '1', appKey: 'k', appSecret: 's', categories: { weather: 'TODO' } }).success).toBe(false);
    expect(vivoQuotaClass('im', c)).toBe('operation');
  });
});

describe('vivo message payload', () => {
  it('builds a plain notification field by field', () => {
    const r = buildVivoPayload(message(), config, single);
    expect(r).toEqual({
      ok: true,
      warnings: [],
      payload: { notifyType: 1, title: 'Hello', content: 'You have a new message', skipType: 1, classification: 0, pushMode: 0 },
    });
  });

  it('maps category, data, click URL, ttl and collapse key', () => {
    const p = payloadOf(
      buildVivoPayload(
        message(
          { notification: { title: 'T', body: 'B', sound: 'default', clickAction: { type: 'url', value: 'https://example.com/x' } }, data: { k: 'v' }, createdAt: NOW - 10_000 },
          { category: 'im', priority: 'high', ttlSeconds: 3600, collapseKey: 'chat-7' },
        ),
        config,
        single,
      ),
    );
    expect(p).toEqual({
      notifyType: 4,
      title: 'T',
      content: 'B',
      skipType: 2,
      skipContent: 'https://example.com/x',
      classification: 1,
      category: 'IM',
      pushMode: 0,
      timeToLive: 3590,
      clientCustomMap: { k: 'v' },
      notifyId: vivoNotifyId('chat-7'),
    });
  });

  it('derives notifyType from sound and priority', () => {
    const nt = (sound: string | undefined, priority: 'high' | 'normal') =>
      payloadOf(buildVivoPayload(message({ notification: { title: 'a', body: 'b', sound } }, { priority }), config, single)).notifyType;
    expect([nt(undefined, 'normal'), nt('default', 'normal'), nt(undefined, 'high'), nt('default', 'high')]).toEqual([1, 2, 3, 4]);
  });

  it('opens an in-app page with skipType 4 for an intent click action', () => {
    const p = payloadOf(buildVivoPayload(message({ notification: { title: 'a', body: 'b', clickAction: { type: 'intent', value: 'intent://x#Intent;end' } } }), config, single));
    expect([p.skipType, p.skipContent]).toEqual([4, 'intent://x#Intent;end']);
  });

  it('truncates an over-long title and body the vivo way and says so', () => {
    const r = buildVivoPayload(message({ notification: { title: '标'.repeat(25), body: '内'.repeat(60) } }), config, single);
    const p = payloadOf(r);
    expect(vivoTextWidth(p.title)).toBeLessThanOrEqual(40);
    expect(vivoTextWidth(p.content)).toBeLessThanOrEqual(100);
    expect(r.ok && r.warnings).toEqual(['title truncated to vivo limit', 'body truncated to vivo limit']);
  });

  it('a later attempt carries only the ttl left: whole seconds for a single push, whole minutes for a list push', () => {
    const m = message({ createdAt: NOW - 100_000 }, { ttlSeconds: 3600 });
    expect(payloadOf(buildVivoPayload(m, config, single)).timeToLive).toBe(3500);
    // A list payload is saved once per minute of ttl at most (its taskId is reused by the message's batches).
    expect(payloadOf(buildVivoPayload(m, config, { now: NOW, list: true })).timeToLive).toBe(3480);
    expect(payloadOf(buildVivoPayload(m, config, { now: NOW + 19_000, list: true })).timeToLive).toBe(3480);
  });

  it('clamps the remaining ttl to 60 s for a single push, 900 s for a list push, 7 days at most', () => {
    const ttl = (ttlSeconds: number, list: boolean) => payloadOf(buildVivoPayload(message({}, { ttlSeconds }), config, { now: NOW, list })).timeToLive;
    expect(ttl(30, false)).toBe(60);
    expect(ttl(30, true)).toBe(900);
    expect(ttl(30 * 86400, false)).toBe(604800);
  });

  it('asks for receipts at the callback URL with the callbackRef as callback.param', () => {
    const p = payloadOf(buildVivoPayload(message(), config, { ...single, callbackUrl: 'https://gw.example.com/v1/receipts/vivo/acme?s=x', callbackRef: 'ref-1' }));
    expect(p.extra).toEqual({ callback: 'https://gw.example.com/v1/receipts/vivo/acme?s=x', 'callback.param': 'ref-1' });
  });

  it('uses the console receipt id when configured and skips a callback URL over 128 characters', () => {
    const c = vivoConfigSchema.parse({ appId: '1', appKey: 'k', appSecret: 's', callbackId: '321' });
    const r = buildVivoPayload(message(), c, { ...single, callbackUrl: `https://x.example.com/${'a'.repeat(120)}`, callbackRef: 'ref-1' });
    expect(payloadOf(r).extra).toEqual({ 'callback.id': '321', 'callback.param': 'ref-1' });
    expect(r.ok && r.warnings[0]).toMatch(/longer than 128/);
    expect(payloadOf(buildVivoPayload(message(), config, { ...single, callbackRef: 'ref-1' })).extra).toBeUndefined();
  });

  it('merges the parsed vivo overrides', () => {
    const overrides = vivoOverridesSchema.parse({ notifyType: 2, networkType: 1, foregroundShow: false, timedDisplay: { overtimeDisplay: true, showStartTime: 1741600000000, showEndTime: '1741603600000' } });
    const p = payloadOf(buildVivoPayload(message(), config, { ...single, overrides }));
    expect(p).toMatchObject({ notifyType: 2, networkType: 1, foregroundShow: false, timedDisplay: { overtimeDisplay: true, showStartTime: '1741600000000', showEndTime: '1741603600000' } });
  });

  it('vivoOverridesSchema refuses bad values and classification (it follows options.category)', () => {
    expect(vivoOverridesSchema.safeParse({ notifyType: 9 }).success).toBe(false);
    const r = vivoOverridesSchema.safeParse({ classification: 1 });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => ('keys' in i ? i.keys : [])).flat()).toContain('classification');
  });

  it('rejects what cannot be cut safely: data-only, empty title, long URL, too much data', () => {
    const reasons = [
      buildVivoPayload(message({ notification: undefined, data: { a: 'b' } }), config, single),
      buildVivoPayload(message({ notification: { title: ' ', body: 'b' } }), config, single),
      buildVivoPayload(message({ notification: { title: 'a', body: 'b', clickAction: { type: 'url', value: `https://x/${'a'.repeat(1000)}` } } }), config, single),
      buildVivoPayload(message({ data: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) }), config, single),
      buildVivoPayload(message({ data: { k: 'v'.repeat(1024) } }), config, single),
    ].map((r) => (r.ok ? 'ok' : r.reason));
    expect(reasons[0]).toMatch(/notification messages only/);
    expect(reasons[1]).toMatch(/non-empty/);
    expect(reasons[2]).toMatch(/limit is 1000/);
    expect(reasons[3]).toMatch(/at most 10 data pairs/);
    expect(reasons[4]).toMatch(/limit is 1024/);
  });
});

describe('vivo idempotency ids and bodies', () => {
  const targets: DeliveryTarget[] = [
    { deliveryId: 'd-2', token: '15638535410301000000002', registered: true },
    { deliveryId: 'd-1', token: '15638535410301000000001', registered: true },
  ];

  it('uses the delivery id as requestId for a single push, hashed when it does not fit 64 characters', () => {
    expect(vivoSingleRequestId('d-1')).toBe('d-1');
    const long = vivoSingleRequestId('x'.repeat(80));
    expect(long).toHaveLength(64);
    expect(long).toBe(vivoSingleRequestId('x'.repeat(80)));
  });

  it('derives one stable list requestId from the batch delivery ids, whatever their order', () => {
    const id = vivoListRequestId(['d-1', 'd-2']);
    expect(id).toHaveLength(64);
    expect(vivoListRequestId(['d-2', 'd-1'])).toBe(id);
    expect(vivoListRequestId(['d-1', 'd-3'])).not.toBe(id);
  });

  it('derives the saveListPayload requestId from the message and its exact payload', () => {
    const p = payloadOf(buildVivoPayload(message(), config, { now: NOW, list: true }));
    expect(vivoPayloadRequestId('msg-1', p)).toBe(vivoPayloadRequestId('msg-1', { ...p }));
    expect(vivoPayloadRequestId('msg-1', p)).not.toBe(vivoPayloadRequestId('msg-2', p));
    expect(vivoPayloadRequestId('msg-1', p)).not.toBe(vivoPayloadRequestId('msg-1', { ...p, title: 'other' }));
  });

  it('builds the single, saveListPayload and pushToList bodies with appId in each', () => {
    const p = payloadOf(buildVivoPayload(message(), config, single));
    expect(buildVivoSendRequest(p, config, targets[1]!)).toEqual({ appId: 10004, regId: '15638535410301000000001', requestId: 'd-1', ...p });
    expect(buildVivoSaveListPayloadRequest(p, config, 'p-1')).toEqual({ appId: 10004, requestId: 'p-1', ...p });
    expect(buildVivoPushToListRequest(config, targets, '777')).toEqual({
      appId: 10004,
      regIds: ['15638535410301000000002', '15638535410301000000001'],
      taskId: '777',
      requestId: vivoListRequestId(['d-1', 'd-2']),
      pushMode: 0,
    });
  });
});
