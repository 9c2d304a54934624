/**
 * Issue 9 regression: overrides for other providers never reach a vendor's request body, and a
 * provider id an adapter does not know never makes it refuse. For each vendor of the table: the
 * sender's overrides for all providers are parsed as accept parses them, the stored message is read
 * back as the dispatcher reads it (new payload, and 0.1's raw map with an unknown id), and the
 * vendor's own pure builder makes the body from the slice it is handed. Each section carries a
 * sentinel: the vendor's body must hold its own and no other.
 */
import { buildApnsHeaders, buildApnsPayload } from '../../providers/apns/apns.request.js';
import { buildFcmMessage } from '../../providers/fcm/fcm.request.js';
import { buildHarmonySendRequest } from '../../providers/harmony/harmony.request.js';
import { buildHonorSendRequest } from '../../providers/honor/honor.request.js';
import { huaweiConfigSchema } from '../../providers/huawei/huawei.config.js';
import { buildHuaweiSendRequest } from '../../providers/huawei/huawei.request.js';
import { meizuConfigSchema } from '../../providers/meizu/meizu.config.js';
import { buildMeizuRequest } from '../../providers/meizu/meizu.request.js';
import { MeizuSigner } from '../../providers/meizu/meizu.signer.js';
import { oppoConfigSchema } from '../../providers/oppo/oppo.config.js';
import { buildOppoSend } from '../../providers/oppo/oppo.request.js';
import { providers } from '../../providers/registry.js';
import { rongcloudConfigSchema } from '../../providers/rongcloud/rongcloud.config.js';
import { buildPushUserRequest } from '../../providers/rongcloud/rongcloud.request.js';
import type { AnyProviderDefinition, OutgoingMessage } from '../../providers/types.js';
import { vivoConfigSchema } from '../../providers/vivo/vivo.config.js';
import { buildVivoPayload } from '../../providers/vivo/vivo.request.js';
import { xiaomiConfigSchema } from '../../providers/xiaomi/xiaomi.config.js';
import { buildXiaomiRequest } from '../../providers/xiaomi/xiaomi.request.js';
import { readStoredMessage } from '../../src/core/payload.js';

const NOW = 1_764_000_000_000;
const mark = (id: string) => `zz${id}mark`;
const message: OutgoingMessage = { id: 'msg_1', createdAt: NOW, notification: { title: 'Hi', body: 'There' }, data: { k: 'v' }, options: { priority: 'high', category: 'im' } };

/** Per vendor: a valid override section carrying its sentinel, and the vendor's own builder fed the slice (as `unknown`: each builder takes its typed O). */
const VENDORS: Record<string, { section: Record<string, unknown>; body(slice: unknown): unknown }> = {
  xiaomi: {
    section: { extra: { jobkey: mark('xiaomi') } },
    body: (o) => buildXiaomiRequest(message, ['regid'], xiaomiConfigSchema.parse({ appSecret: 's', packageName: 'com.example.app' }), NOW, undefined, o as never).form,
  },
  huawei: {
    section: { tag: mark('huawei') },
    body: (o) => buildHuaweiSendRequest(message, ['tok'], huaweiConfigSchema.parse({ appId: '10001', clientSecret: 's' }), 'ref', NOW, o as never),
  },
  harmony: {
    section: { appMessageId: mark('harmony') },
    body: (o) => buildHarmonySendRequest(message, ['tok'], {}, 'ref', NOW, o as never),
  },
  vivo: {
    section: { profileId: mark('vivo') },
    body: (o) => buildVivoPayload(message, vivoConfigSchema.parse({ appId: '1', appKey: 'k', appSecret: 's' }), { now: NOW, list: false, overrides: o as never }),
  },
  oppo: {
    section: { channel_id: mark('oppo') },
    body: (o) => buildOppoSend(message, [{ deliveryId: 'd1', token: 'OPPO_CN_tok' }], oppoConfigSchema.parse({ appKey: 'k', masterSecret: 's' }), NOW, {}, o as never),
  },
  rongcloud: {
    section: { ios: { 'thread-id': mark('rongcloud') } },
    body: (o) => buildPushUserRequest(message, ['user-1'], rongcloudConfigSchema.parse({ appKey: 'k', appSecret: 's' }), o as never),
  },
  fcm: {
    section: { android: { notification: { tag: mark('fcm') } } },
    body: (o) => buildFcmMessage(message, 'ios', { channels: {} }, NOW, 'com.example.app', o as never),
  },
  meizu: {
    // noticeExpandContent is the one free-text field of overrides.meizu (notifyKey is ≤ 8 characters).
    section: { noticeExpandInfo: { noticeExpandType: 1, noticeExpandContent: mark('meizu') } },
    body: (o) => buildMeizuRequest(message, ['J0476035d625e6c64567f71487e040e7d017f0558675b'], meizuConfigSchema.parse({ appId: '1', appSecret: 's' }), new MeizuSigner('1', 's'), NOW, undefined, o as never).form,
  },
  apns: {
    section: { aps: { 'thread-id': mark('apns') } },
    body: (o) => ({
      payload: buildApnsPayload(message, {}, o as never),
      headers: buildApnsHeaders(message, { deliveryId: 'd1', token: 'a'.repeat(64), registered: false }, { topic: 'com.example.app' }, o as never),
    }),
  },
  honor: {
    section: { tag: mark('honor') },
    body: (o) => buildHonorSendRequest(message, ['tok'], 'ref', NOW, o as never),
  },
};

/** What MessageService.accept stores: each section parsed with its provider's overridesSchema. */
function acceptedPayload(sections: Record<string, Record<string, unknown>>): string {
  const parsed = Object.fromEntries(Object.entries(sections).map(([id, raw]) => [id, definition(id).overridesSchema?.parse(raw)]));
  return JSON.stringify({ notification: message.notification, data: message.data, options: message.options, overrides: parsed });
}

function definition(id: string): AnyProviderDefinition {
  const def = providers.find((p) => p.id === id);
  if (!def) throw new Error(`no provider ${id}`);
  return def;
}

const everySection = Object.fromEntries(Object.entries(VENDORS).map(([id, v]) => [id, v.section]));

// The seven vendors whose adapters once guessed which part of the whole map was theirs (the Huawei
// and vivo defects). A vendor added since cannot regress this way: OutgoingMessage has no overrides
// and SendBatch.overrides is the vendor's own parsed slice (test/core/dispatch-guarantees.test.ts),
// and the provider conformance suite checks every registered vendor's wire body for foreign keys.
test('every vendor of the table is registered', () => {
  for (const id of Object.keys(VENDORS)) expect(providers.map((p) => p.id)).toContain(id);
});

describe.each(Object.keys(VENDORS))('%s', (id) => {
  const vendor = VENDORS[id]!;
  const others = Object.keys(VENDORS).filter((x) => x !== id);

  it("its body carries its own overrides and no other provider's section", () => {
    const slice = readStoredMessage('msg_1', NOW, acceptedPayload(everySection)).overridesOf(definition(id));
    expect(slice.ok).toBe(true);
    const body = JSON.stringify(vendor.body(slice.ok ? slice.value : undefined));
    expect(body).toContain(mark(id));
    for (const other of others) expect(body).not.toContain(mark(other));
  });

  it("a 0.1 message's raw map, with a provider id nobody knows, gives it its slice and nothing else", () => {
    // The unknown id was 'honor' until Honor was registered; 'newcomer' stays unknown.
    const legacy = JSON.stringify({ ...message, id: undefined, createdAt: undefined, options: { ...message.options, overrides: { ...everySection, newcomer: { mark: mark('newcomer') } } } });
    const slice = readStoredMessage('msg_1', NOW, legacy).overridesOf(definition(id));
    expect(slice).toEqual({ ok: true, value: definition(id).overridesSchema?.parse(vendor.section) });
    const body = JSON.stringify(vendor.body(slice.ok ? slice.value : undefined));
    expect(body).toContain(mark(id));
    for (const other of [...others, 'newcomer']) expect(body).not.toContain(mark(other));
  });

  it('without overrides for it, its body is built as without any overrides', () => {
    const { [id]: _own, ...rest } = everySection;
    const slice = readStoredMessage('msg_1', NOW, acceptedPayload(rest)).overridesOf(definition(id));
    expect(slice).toEqual({ ok: true, value: undefined });
    expect(vendor.body(undefined)).toEqual(vendor.body(slice.ok ? slice.value : undefined));
  });
});
