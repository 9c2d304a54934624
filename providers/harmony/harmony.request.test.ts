import { MESSAGE_CATEGORIES } from '../categories.js';
import type { OutgoingMessage } from '../types.js';
import {
  buildHarmonyHeaders,
  buildHarmonyRevokeRequest,
  buildHarmonySendRequest,
  HARMONY_CATEGORY_MAP,
  harmonyCategoryOf,
  harmonyClickAction,
  harmonyCollapseKey,
  harmonyNotifyIdOf,
  harmonyOverridesSchema,
  harmonyPushTypeOf,
  harmonyQuotaClassOf,
  harmonyRevokePath,
  harmonySendPath,
} from './harmony.request.js';
import { HARMONY_CATEGORIES } from './harmony.wire.js';

const CREATED = Date.UTC(2025, 5, 1, 8, 0, 0);
function message(over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { id: 'msg_1', notification: { title: 'Hi', body: 'New message' }, data: {}, options: { priority: 'high', category: 'im' }, createdAt: CREATED, ...over };
}

describe('harmony category table', () => {
  it('maps every pushgate category, and only to categories Huawei lists today', () => {
    expect(Object.keys(HARMONY_CATEGORY_MAP).sort()).toEqual([...MESSAGE_CATEGORIES].sort());
    for (const c of Object.values(HARMONY_CATEGORY_MAP)) expect(HARMONY_CATEGORIES).toContain(c);
  });

  it('sends MARKETING without a category (category is required) and puts it in the marketing quota class', () => {
    expect(harmonyCategoryOf(undefined)).toBe('MARKETING');
    expect(harmonyCategoryOf('legacy-name')).toBe('MARKETING');
    expect(harmonyQuotaClassOf(undefined)).toBe('marketing');
    expect(harmonyQuotaClassOf('promotion')).toBe('marketing');
    expect(harmonyQuotaClassOf('im')).toBe('service');
    expect(harmonyQuotaClassOf('reminder')).toBe('service');
    expect(harmonyCategoryOf('reminder')).toBe('WORK');
  });
});

describe('buildHarmonySendRequest', () => {
  it('builds a push-type 0 notification field by field', () => {
    const msg = message({
      notification: { title: 'Order shipped', body: 'Arrives Friday', image: 'https://cdn.example.com/a.png', sound: 'ding', badge: 3, clickAction: { type: 'intent', value: 'com.acme.ORDER' } },
      data: { order: '42' },
      options: { priority: 'normal', category: 'order', ttlSeconds: 3600, collapseKey: 'order-42' },
    });
    const body = buildHarmonySendRequest(msg, ['tokA', 'tokB'], { receiptId: 'RCP1' }, 'msg_1', CREATED + 100_400);
    expect(body).toEqual({
      payload: {
        notification: {
          category: 'EXPRESS',
          title: 'Order shipped',
          body: 'Arrives Friday',
          clickAction: { actionType: 1, action: 'com.acme.ORDER', data: { order: '42' } },
          notifyId: harmonyNotifyIdOf(msg),
          image: 'https://cdn.example.com/a.png',
          sound: 'ding',
          badge: { setNum: 3 },
        },
      },
      target: { token: ['tokA', 'tokB'] },
      pushOptions: { ttl: 3499, collapseKey: harmonyCollapseKey('order-42'), biTag: 'msg_1', receiptId: 'RCP1' },
    });
    expect(harmonyPushTypeOf(msg)).toBe(0);
  });

  it('sends a data-only message as a push-type 6 background message with the data as extraData', () => {
    const msg = message({ notification: undefined, data: { k: 'v' }, options: { priority: 'high', collapseKey: 'x' } });
    expect(harmonyPushTypeOf(msg)).toBe(6);
    expect(buildHarmonySendRequest(msg, ['t'], {}, 'ref', CREATED)).toEqual({ payload: { extraData: '{"k":"v"}' }, target: { token: ['t'] }, pushOptions: { biTag: 'ref' } });
  });

  it('counts the ttl from acceptance, caps it at 15 days and never sends 0', () => {
    const ttl = (ttlSeconds: number, at: number) => buildHarmonySendRequest(message({ options: { priority: 'high', ttlSeconds } }), ['t'], {}, 'r', at).pushOptions?.ttl;
    expect(ttl(86_400, CREATED + 60_000)).toBe(86_340);
    expect(ttl(30 * 86_400, CREATED)).toBe(1_296_000);
    expect(ttl(0, CREATED)).toBe(1);
    expect(buildHarmonySendRequest(message(), ['t'], {}, 'r', CREATED).pushOptions).not.toHaveProperty('ttl');
  });

  it('leaves out a non-HTTPS image, the default sound and a biTag over 64 bytes', () => {
    const msg = message({ notification: { title: 't', body: 'b', image: 'http://x/a.png', sound: 'default' } });
    const body = buildHarmonySendRequest(msg, ['t'], {}, 'r'.repeat(65), CREATED);
    expect(body.payload).toEqual({ notification: { category: 'IM', title: 't', body: 'b', clickAction: { actionType: 0 }, notifyId: harmonyNotifyIdOf(msg) } });
    expect(body.pushOptions).toEqual({});
  });

  it('applies its own overrides slice (other vendors never reach it: test/core/overrides-isolation.test.ts)', () => {
    const overrides = harmonyOverridesSchema.parse({ notifyId: 77, style: 3, inboxContent: ['a', 'b'], appMessageId: 'app-1', profileId: 'p', badgeAddNum: 2, foregroundShow: false, testMessage: true, receiptId: 'RCP2' });
    const body = buildHarmonySendRequest(message({ options: { priority: 'high' } }), ['t'], { receiptId: 'RCP1' }, 'r', CREATED, overrides);
    expect(body.payload).toEqual({
      notification: { category: 'MARKETING', title: 'Hi', body: 'New message', clickAction: { actionType: 0 }, notifyId: 77, badge: { addNum: 2 }, style: 3, inboxContent: ['a', 'b'], appMessageId: 'app-1', profileId: 'p', foregroundShow: false },
    });
    expect(body.pushOptions).toEqual({ biTag: 'r', receiptId: 'RCP2', testMessage: true });
  });

  it('validates overrides: unknown keys, ranges, style 3 without inboxContent', () => {
    expect(harmonyOverridesSchema.safeParse({ notifyId: 5 }).success).toBe(true);
    expect(harmonyOverridesSchema.safeParse({ title: 'x' }).success).toBe(false);
    expect(harmonyOverridesSchema.safeParse({ badgeAddNum: 100 }).success).toBe(false);
    expect(harmonyOverridesSchema.safeParse({ style: 3 }).success).toBe(false);
  });
});

describe('click actions, ids, paths and headers', () => {
  it('opens the app (0), an ability by action or a declared uri (1)', () => {
    expect(harmonyClickAction(undefined, {})).toEqual({ actionType: 0 });
    expect(harmonyClickAction({ type: 'app' }, { a: '1' })).toEqual({ actionType: 0, data: { a: '1' } });
    expect(harmonyClickAction({ type: 'url', value: 'https://acme.example/o/1' }, {})).toEqual({ actionType: 1, uri: 'https://acme.example/o/1' });
    expect(harmonyClickAction({ type: 'url' }, {})).toEqual({ actionType: 0 });
  });

  it('derives a stable 31-bit notifyId from the message id, the same for send and revoke', () => {
    const a = harmonyNotifyIdOf(message({ id: 'msg_abc' }));
    expect(a).toBe(harmonyNotifyIdOf(message({ id: 'msg_abc' })));
    expect(a).not.toBe(harmonyNotifyIdOf(message({ id: 'msg_abd' })));
    expect(a).toBeGreaterThan(0);
    expect(a).toBeLessThanOrEqual(0x7fffffff);
    expect(buildHarmonyRevokeRequest(message({ id: 'msg_abc' }), ['t1', 't2'])).toEqual({ notifyId: a, token: ['t1', 't2'] });
    expect(harmonyNotifyIdOf(message({ id: 'msg_abc' }), { notifyId: 9 })).toBe(9);
    expect(buildHarmonyRevokeRequest(message({ id: 'msg_abc' }), ['t1'], { notifyId: 9 })).toEqual({ notifyId: 9, token: ['t1'] });
  });

  it('hashes collapseKey onto 0..100', () => {
    for (const k of ['a', 'order-42', '长']) {
      const v = harmonyCollapseKey(k);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(100);
      expect(harmonyCollapseKey(k)).toBe(v);
    }
  });

  it('sends to /v3/{projectId}/messages:send and revokes at /v1/{clientId}/messages:revoke with push-type', () => {
    expect(harmonySendPath('3158882000052863')).toBe('/v3/3158882000052863/messages:send');
    expect(harmonyRevokePath('110000001')).toBe('/v1/110000001/messages:revoke');
    expect(buildHarmonyHeaders('j.w.t', 6)).toEqual({ authorization: 'Bearer j.w.t', 'content-type': 'application/json', 'push-type': '6' });
  });
});
