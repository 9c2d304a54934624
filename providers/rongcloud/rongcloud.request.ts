/**
 * Pure builders for RongCloud `POST /push/user.json`: (message, userIds, config) → exact body, and
 * (appKey, appSecret, clock, randomness) → exact auth headers. Transport lives in rongcloud.provider.ts.
 *
 * How pushgate's message maps onto the request (docs/vendors/rongcloud.md#request; RC-go v4 `rongcloud/push.go`;
 * RC-java `PushUserMessage.java` / `PlatformNotification.java`):
 *
 * | pushgate                   | RongCloud                                                              |
 * |----------------------------|------------------------------------------------------------------------|
 * | notification.title         | notification.title, cut to 50 UTF-16 units (never splitting a pair)    |
 * | notification.body          | notification.pushContent (the title when the body is empty)           |
 * | notification.badge         | notification.ios.badge                                                 |
 * | notification.image (https) | notification.android.hw.image                                          |
 * | data                       | notification.ios.extras and notification.android.extras (string map)  |
 * | options.collapseKey        | notification.ios["apns-collapse-id"] when ≤64 bytes (APNs' limit)      |
 * | options.category           | android.hw / oppo / vivo classification (table below), android.mi.channelId from config.miChannels |
 * | options.overrides.rongcloud| deep-merged last (validated by rongcloudOverridesSchema)               |
 *
 * Not carried, because `/push/user.json` has no such field: sound, clickAction (the RongCloud client
 * SDK opens the app; put a deep link in `data` instead), priority, ttlSeconds, callbackUrl/callbackRef
 * (RongCloud has no per-device receipt for this API), and no idempotency id exists (a resend after a
 * lost answer pushes twice: at-least-once).
 *
 * Data map: the push/user doc page's table does not list `extras`, but both official SDKs send
 * `ios.extras` and `android.extras` (RC-go v4 PushUserNotificationIOS.Extras and PushAndroid.Extras;
 * RC-java PlatformNotification.extras `Map<String,String>`), so pushgate's data goes there. UNVERIFIED
 * against the live server. (`pushExt`/`pushData` belong to the message APIs, not to push/user.)
 *
 * Data-only (silent) messages are NOT supported: push/user requires `pushContent` and only ever shows a
 * notification; the provider answers `rejected` without calling RongCloud (see rongcloud.provider.ts).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isMessageCategory, type MessageCategory } from '../categories.js';
import { truncateUtf16 } from '../shared/text.js';
import type { NotificationContent, OutgoingMessage } from '../types.js';
import type { RongCloudConfig } from './rongcloud.config.js';
import {
  RC_MAX_NONCE_CHARS,
  RC_MAX_TITLE_CHARS,
  type RcAndroidNotification,
  type RcAuthHeaders,
  type RcImportance,
  type RcIosNotification,
  type RcOppoNotifyLevel,
  type RcPushUserNotification,
  type RcPushUserRequest,
} from './rongcloud.wire.js';

/**
 * options.category → each Android vendor's classification, as RongCloud forwards it.
 *
 * | pushgate                           | hw.category / importance | oppo.category / notify_level | vivo.classification / category |
 * |------------------------------------|--------------------------|------------------------------|--------------------------------|
 * | im, chat, message                  | IM / NORMAL              | IM / 16                      | 1 / IM                         |
 * | voip, call                         | VOIP / NORMAL            | IM / 16                      | 1 / IM                         |
 * | account, security                  | ACCOUNT / NORMAL         | ACCOUNT                      | 1 / ACCOUNT                    |
 * | finance                            | FINANCE / NORMAL         | ACCOUNT                      | 1 / ACCOUNT                    |
 * | order, logistics                   | EXPRESS / NORMAL         | ORDER                        | 1 / ORDER                      |
 * | payment                            | FINANCE / NORMAL         | ORDER                        | 1 / ORDER                      |
 * | reminder, todo, schedule, calendar | SYSTEM_REMINDER / NORMAL | TODO                         | 1 / TODO                       |
 * | device_reminder, device, alarm     | DEVICE_REMINDER / NORMAL | DEVICE_REMINDER              | 1 / DEVICE_REMINDER            |
 * | subscription                       | SUBSCRIPTION / NORMAL    | SUBSCRIPTION                 | 1 / SUBSCRIPTION               |
 * | news                               | — / LOW                  | NEWS                         | 0 / NEWS                       |
 * | content, recommendation            | — / LOW                  | CONTENT                      | 0 / CONTENT                    |
 * | social                             | — / LOW                  | SOCIAL                       | 0 / SOCIAL                     |
 * | marketing, promotion               | MARKETING / LOW          | MARKETING                    | 0 / MARKETING                  |
 * | travel, health, work, mail         | (no block: OPPO and vivo have no such class; console defaults)                           |
 *
 * Huawei: categories from docs/vendors/huawei.md#categories, no category = news & marketing, importance NORMAL for
 * service & communication and LOW for news & marketing (RC-go PushAndroidHW/PushAndroidHonor comments).
 * vivo/OPPO: the 2023/2024 category lists (docs/vendors/vivo.md#categories, docs/vendors/oppo.md#categories); OPPO notify_level 16 (banner + sound) only for
 * IM, where OPPO allows it; other categories keep OPPO's default level. An absent or unknown category
 * sends no hw/oppo/vivo block, so the defaults set in the RongCloud console apply.
 */
export interface RcCategoryMapping {
  hw: { category?: string; importance: RcImportance };
  oppo: { category: string; notify_level?: RcOppoNotifyLevel };
  vivo: { classification: '0' | '1'; category: string };
}

const service = (hw: string, oppo: string, vivo: string, notifyLevel?: RcOppoNotifyLevel): RcCategoryMapping => ({
  hw: { category: hw, importance: 'NORMAL' },
  oppo: notifyLevel === undefined ? { category: oppo } : { category: oppo, notify_level: notifyLevel },
  vivo: { classification: '1', category: vivo },
});
const operations = (name: string, hwCategory?: string): RcCategoryMapping => ({
  hw: hwCategory === undefined ? { importance: 'LOW' } : { category: hwCategory, importance: 'LOW' },
  oppo: { category: name },
  vivo: { classification: '0', category: name },
});

export const RONGCLOUD_CATEGORIES: Readonly<Record<MessageCategory, RcCategoryMapping | undefined>> = {
  im: service('IM', 'IM', 'IM', 16),
  chat: service('IM', 'IM', 'IM', 16),
  message: service('IM', 'IM', 'IM', 16),
  voip: service('VOIP', 'IM', 'IM', 16),
  call: service('VOIP', 'IM', 'IM', 16),
  account: service('ACCOUNT', 'ACCOUNT', 'ACCOUNT'),
  security: service('ACCOUNT', 'ACCOUNT', 'ACCOUNT'),
  finance: service('FINANCE', 'ACCOUNT', 'ACCOUNT'),
  order: service('EXPRESS', 'ORDER', 'ORDER'),
  logistics: service('EXPRESS', 'ORDER', 'ORDER'),
  payment: service('FINANCE', 'ORDER', 'ORDER'),
  reminder: service('SYSTEM_REMINDER', 'TODO', 'TODO'),
  todo: service('SYSTEM_REMINDER', 'TODO', 'TODO'),
  schedule: service('SYSTEM_REMINDER', 'TODO', 'TODO'),
  calendar: service('SYSTEM_REMINDER', 'TODO', 'TODO'),
  device_reminder: service('DEVICE_REMINDER', 'DEVICE_REMINDER', 'DEVICE_REMINDER'),
  device: service('DEVICE_REMINDER', 'DEVICE_REMINDER', 'DEVICE_REMINDER'),
  alarm: service('DEVICE_REMINDER', 'DEVICE_REMINDER', 'DEVICE_REMINDER'),
  subscription: service('SUBSCRIPTION', 'SUBSCRIPTION', 'SUBSCRIPTION'),
  // One mapping carries all three vendors, and OPPO/vivo have no such class: no block, as before.
  travel: undefined,
  health: undefined,
  work: undefined,
  mail: undefined,
  news: operations('NEWS'),
  content: operations('CONTENT'),
  recommendation: operations('CONTENT'),
  social: operations('SOCIAL'),
  marketing: operations('MARKETING', 'MARKETING'),
  promotion: operations('MARKETING', 'MARKETING'),
};

const stringMap = z.record(z.string(), z.string());
const upperCategory = z.string().regex(/^[A-Z][A-Z_]*$/, 'vendor categories are uppercase, e.g. IM');

/** `options.overrides.rongcloud`: any push/user notification field, deep-merged over what pushgate built. */
export const rongcloudOverridesSchema = z
  .object({
    /** Passed as given (not cut): RongCloud answers 1005 when it is over 50 characters. */
    title: z.string().optional(),
    pushContent: z.string().min(1).optional(),
    ios: z
      .object({
        badge: z.number().int().max(9999).optional(),
        'thread-id': z.string().min(1).optional(),
        'apns-collapse-id': z.string().min(1).max(64).optional(),
        category: z.string().min(1).optional(),
        richMediaUri: z.url().optional(),
        'interruption-level': z.enum(['passive', 'active', 'time-sensitive', 'critical']).optional(),
        contentAvailable: z.union([z.literal(0), z.literal(1)]).optional(),
        extras: stringMap.optional(),
      })
      .strict()
      .optional(),
    android: z
      .object({
        hw: z
          .object({ channelId: z.string().min(1).optional(), importance: z.enum(['NORMAL', 'LOW']).optional(), image: z.url().optional(), category: upperCategory.optional() })
          .strict()
          .optional(),
        honor: z.object({ importance: z.enum(['NORMAL', 'LOW']).optional(), image: z.url().optional() }).strict().optional(),
        mi: z.object({ channelId: z.string().min(1).optional(), large_icon_uri: z.url().optional() }).strict().optional(),
        oppo: z
          .object({
            channelId: z.string().min(1).optional(),
            category: upperCategory.optional(),
            notify_level: z.union([z.literal(1), z.literal(2), z.literal(16)]).optional(),
          })
          .strict()
          .optional(),
        vivo: z.object({ classification: z.enum(['0', '1']).optional(), category: upperCategory.optional() }).strict().optional(),
        fcm: z
          .object({ channelId: z.string().min(1).optional(), collapse_key: z.string().min(1).optional(), imageUrl: z.url().optional() })
          .strict()
          .optional(),
        extras: stringMap.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type RongCloudOverrides = z.output<typeof rongcloudOverridesSchema>;

/** The `/push/user.json` body for one batch. The caller guarantees a notification (see module doc). */
export function buildPushUserRequest(
  message: OutgoingMessage,
  userIds: string[],
  config: Pick<RongCloudConfig, 'miChannels'>,
  overrides?: RongCloudOverrides,
): RcPushUserRequest {
  const n: NotificationContent | undefined = message.notification;
  if (!n) throw new TypeError('RongCloud push/user needs a notification (data-only messages are rejected before building)');

  const notification: RcPushUserNotification = { pushContent: n.body !== '' ? n.body : n.title };
  const title = truncateUtf16(n.title, RC_MAX_TITLE_CHARS);
  if (title !== '') notification.title = title;

  const hasData = Object.keys(message.data).length > 0;

  const ios: RcIosNotification = {};
  if (n.badge !== undefined) ios.badge = n.badge;
  const collapseKey = message.options.collapseKey;
  if (collapseKey && Buffer.byteLength(collapseKey, 'utf8') <= 64) ios['apns-collapse-id'] = collapseKey;
  if (hasData) ios.extras = { ...message.data };
  if (Object.keys(ios).length > 0) notification.ios = ios;

  const android: RcAndroidNotification = {};
  const category = message.options.category;
  const mapping = isMessageCategory(category) ? RONGCLOUD_CATEGORIES[category] : undefined;
  if (mapping) {
    android.hw = { ...mapping.hw };
    android.oppo = { ...mapping.oppo };
    android.vivo = { ...mapping.vivo };
  }
  if (n.image && n.image.startsWith('https://')) android.hw = { ...android.hw, image: n.image };
  const miChannel = (category === undefined ? undefined : config.miChannels?.[category]) ?? config.miChannels?.['default'];
  if (miChannel) android.mi = { channelId: miChannel };
  if (hasData) android.extras = { ...message.data };
  if (Object.keys(android).length > 0) notification.android = android;

  const merged = overrides ? deepMerge(notification, overrides) : notification;
  return { userIds: [...userIds], notification: merged };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Overrides win; nested objects merge key by key; `undefined` in the override leaves the base value. */
export function deepMerge<T extends object>(base: T, override: object): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out as T;
}

/** `Signature = sha1(AppSecret + Nonce + Timestamp)` in lowercase hex (docs/vendors/rongcloud.md#authentication). */
export function rongcloudSignature(appSecret: string, nonce: string, timestamp: string): string {
  return createHash('sha1').update(appSecret + nonce + timestamp, 'utf8').digest('hex');
}

const NONCE_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A random `Nonce` of `length` (≤18) characters from the injected randomness. */
export function makeNonce(random: () => number, length = 16): string {
  const n = Math.min(Math.max(1, length), RC_MAX_NONCE_CHARS);
  let out = '';
  for (let i = 0; i < n; i++) out += NONCE_ALPHABET[Math.floor(random() * NONCE_ALPHABET.length) % NONCE_ALPHABET.length];
  return out;
}

/**
 * The four auth headers for one request. `Timestamp` is in SECONDS, as the official Go and Java SDKs
 * send it; the doc page describes milliseconds and the server accepts both (docs/vendors/rongcloud.md#authentication).
 */
export function buildAuthHeaders(appKey: string, appSecret: string, nowMs: number, random: () => number): RcAuthHeaders {
  const nonce = makeNonce(random);
  const timestamp = String(Math.floor(nowMs / 1000));
  return { 'App-Key': appKey, Nonce: nonce, Timestamp: timestamp, Signature: rongcloudSignature(appSecret, nonce, timestamp) };
}
