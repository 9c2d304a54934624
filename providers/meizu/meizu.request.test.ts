import type { OutgoingMessage } from '../types.js';
import { meizuConfigSchema } from './meizu.config.js';
import { buildMeizuMessage, buildMeizuRequest, encodeMeizuForm, meizuNotifyKey, meizuOverridesSchema, meizuPushTimeInfo, MeizuRequestError } from './meizu.request.js';
import { MeizuSigner, meizuSign } from './meizu.signer.js';

const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);
const config = meizuConfigSchema.parse({ appId: '100999', appSecret: 'sec' });
const signer = new MeizuSigner('100999', 'sec');

function message(over: Partial<OutgoingMessage> = {}, options: Partial<OutgoingMessage['options']> = {}): OutgoingMessage {
  return {
    id: 'msg_1',
    notification: { title: 'Order shipped', body: 'Your parcel is on its way' },
    data: { orderId: '42' },
    options: { priority: 'normal', category: 'order', ...options },
    createdAt: T0,
    ...over,
  };
}

describe('buildMeizuRequest', () => {
  it('builds the signed form for varnished/pushByPushId, field by field', () => {
    const r = buildMeizuRequest(message(), ['J0476035d625e6c64567f71487e040e7d017f0558675b', 'RA50c6348036344485d01776773577c64740465480a6b'], config, signer, T0);
    expect(r.path).toBe('/garcia/api/server/push/varnished/pushByPushId');
    expect(r.callbackDropped).toBe(false);
    expect(Object.keys(r.form).sort()).toEqual(['appId', 'messageJson', 'pushIds', 'sign']);
    expect(r.form.appId).toBe('100999');
    expect(r.form.pushIds).toBe('J0476035d625e6c64567f71487e040e7d017f0558675b,RA50c6348036344485d01776773577c64740465480a6b');
    expect(JSON.parse(r.form.messageJson)).toEqual({
      noticeBarInfo: { noticeMsgType: 1, noticeBarType: 0, title: 'Order shipped', content: 'Your parcel is on its way' },
      clickTypeInfo: { clickType: 0, parameters: { orderId: '42' } },
      pushTimeInfo: { offLine: 1, validTime: 24 },
    });
    const { sign, ...rest } = r.form;
    expect(sign).toBe(meizuSign(rest, 'sec'));
  });

  it('signs restrictedPackageNames too when configured', () => {
    const withPkgs = meizuConfigSchema.parse({ appId: '100999', appSecret: 'sec', restrictedPackageNames: ['com.acme.a', 'com.acme.b'] });
    const r = buildMeizuRequest(message(), ['J0476035d625e6c64567f71487e040e7d017f0558675b'], withPkgs, signer, T0);
    expect(r.form.restrictedPackageNames).toBe('com.acme.a,com.acme.b');
    const { sign, ...rest } = r.form;
    expect(sign).toBe(meizuSign(rest, 'sec'));
  });

  it('encodes the raw values in the body (URL-encoded), sign included', () => {
    const r = buildMeizuRequest(message(), ['J0476035d625e6c64567f71487e040e7d017f0558675b'], config, signer, T0);
    const back = new URLSearchParams(encodeMeizuForm(r.form));
    expect(Object.fromEntries(back)).toEqual(r.form);
  });
});

describe('buildMeizuMessage', () => {
  const json = (m: OutgoingMessage, c = config, now = T0, cb?: { url: string; ref: string }) => buildMeizuMessage(m, c, now, cb).json as unknown as Record<string, Record<string, unknown>>;

  it('maps the category to noticeMsgType: private 1, public 0, none public', () => {
    expect(json(message({}, { category: 'im' })).noticeBarInfo?.noticeMsgType).toBe(1);
    expect(json(message({}, { category: 'marketing' })).noticeBarInfo?.noticeMsgType).toBe(0);
    expect(json(message({}, { category: undefined })).noticeBarInfo?.noticeMsgType).toBe(0);
  });

  it('cuts title to 32 and content to 100 characters with an ellipsis', () => {
    const m = message({ notification: { title: '标'.repeat(40), body: 'b'.repeat(150) } });
    const bar = json(m).noticeBarInfo as { title: string; content: string };
    expect(Array.from(bar.title)).toHaveLength(32);
    expect(bar.title.endsWith('…')).toBe(true);
    expect(bar.content).toBe(`${'b'.repeat(99)}…`);
  });

  it('maps click actions: app 0, class name → activity 1, url and other intents → uri 2', () => {
    const click = (clickAction: NonNullable<OutgoingMessage['notification']>['clickAction']) => json(message({ notification: { title: 't', body: 'b', clickAction }, data: {} })).clickTypeInfo;
    expect(click(undefined)).toEqual({ clickType: 0 });
    expect(click({ type: 'app' })).toEqual({ clickType: 0 });
    expect(click({ type: 'intent', value: 'com.acme.app.OrderActivity' })).toEqual({ clickType: 1, activity: 'com.acme.app.OrderActivity' });
    expect(click({ type: 'intent', value: 'acme://order/42' })).toEqual({ clickType: 2, url: 'acme://order/42' });
    expect(click({ type: 'url', value: 'https://acme.example/o/42' })).toEqual({ clickType: 2, url: 'https://acme.example/o/42' });
    expect(click({ type: 'url' })).toEqual({ clickType: 0 });
  });

  it('turns collapseKey into notifyKey (as is when Meizu takes it, else an 8-character hash)', () => {
    expect(json(message({}, { collapseKey: 'order-42' })).advanceInfo).toEqual({ notifyKey: 'order-42' });
    const hashed = meizuNotifyKey('a collapse key that is long');
    expect(hashed).toMatch(/^[0-9A-Za-z_-]{8}$/);
    expect(meizuNotifyKey('a collapse key that is long')).toBe(hashed);
    expect(json(message()).advanceInfo).toBeUndefined();
  });

  it('adds extra.callback, callback.param and callback.type 1 when a receipt URL is given', () => {
    const url = 'https://push.example.com/v1/receipts/meizu/acme?secret=s3cret';
    const m = buildMeizuMessage(message(), config, T0, { url, ref: 'msg_1' });
    expect(m.callbackDropped).toBe(false);
    expect((m.json as { extra?: unknown }).extra).toEqual({ callback: url, 'callback.param': 'msg_1', 'callback.type': '1' });
  });

  it('drops a receipt URL over 128 bytes, and a ref over 64 bytes', () => {
    const long = `https://push.example.com/${'x'.repeat(120)}`;
    const m = buildMeizuMessage(message(), config, T0, { url: long, ref: 'msg_1' });
    expect(m.callbackDropped).toBe(true);
    expect((m.json as { extra?: unknown }).extra).toBeUndefined();
    expect(json(message(), config, T0, { url: 'https://p.example/r', ref: 'r'.repeat(65) }).extra).toEqual({ callback: 'https://p.example/r', 'callback.type': '1' });
  });

  it('merges its overrides slice (overrides.meizu, parsed at accept) last', () => {
    const overrides = meizuOverridesSchema.parse({ noticeBarType: 2, advanceInfo: { suspend: 0, notifyKey: 'k2' }, noticeExpandInfo: { noticeExpandType: 1, noticeExpandContent: 'long text' }, callbackType: 3 });
    const j = buildMeizuMessage(message({}, { collapseKey: 'k1' }), config, T0, { url: 'https://p.example/r', ref: 'msg_1' }, overrides).json as unknown as Record<string, Record<string, unknown>>;
    expect(j.noticeBarInfo?.noticeBarType).toBe(2);
    expect(j.advanceInfo).toEqual({ notifyKey: 'k2', suspend: 0 });
    expect(j.noticeExpandInfo).toEqual({ noticeExpandType: 1, noticeExpandContent: 'long text' });
    expect(j.extra?.['callback.type']).toBe('3');
  });

  it('has an overrides schema that refuses undocumented values and typos (a 400 at accept)', () => {
    expect(meizuOverridesSchema.safeParse({ noticeBarType: 1 }).success).toBe(false);
    expect(meizuOverridesSchema.safeParse({ advanceInfo: { notifyKey: 'longer-than-8' } }).success).toBe(false);
    expect(meizuOverridesSchema.safeParse({ noticeBarTyp: 0 }).success).toBe(false);
    expect(meizuOverridesSchema.safeParse({ noticeExpandInfo: { noticeExpandType: 1 } }).success).toBe(false);
  });

  it('sends data-only messages as pass-through only when enabled', () => {
    const dataOnly = message({ notification: undefined, data: { k: 'v' } }, { ttlSeconds: 7200 });
    expect(() => buildMeizuMessage(dataOnly, config, T0)).toThrow(MeizuRequestError);
    const pt = buildMeizuMessage(dataOnly, meizuConfigSchema.parse({ appId: '1', appSecret: 's', passThrough: true }), T0);
    expect(pt.path).toBe('/garcia/api/server/push/unvarnished/pushByPushId');
    expect(pt.json).toEqual({ content: '{"k":"v"}', pushTimeInfo: { offLine: 1, validTime: 2 } });
  });
});

describe('meizuPushTimeInfo', () => {
  const at = (ttlSeconds: number | undefined, elapsedMs = 0) => meizuPushTimeInfo({ createdAt: T0, options: { priority: 'normal', ttlSeconds } }, T0 + elapsedMs);

  it('uses Meizu’s default 24 h without a TTL and offLine 0 for "now or never"', () => {
    expect(at(undefined)).toEqual({ offLine: 1, validTime: 24 });
    expect(at(0)).toEqual({ offLine: 0 });
  });

  it('sends the time left in whole hours, at least 1, at most 72', () => {
    expect(at(3 * 3600)).toEqual({ offLine: 1, validTime: 3 });
    expect(at(3 * 3600, 30 * 60_000)).toEqual({ offLine: 1, validTime: 2 });
    expect(at(600)).toEqual({ offLine: 1, validTime: 1 });
    expect(at(30 * 86_400)).toEqual({ offLine: 1, validTime: 72 });
  });
});
