/**
 * Pure request builders for Huawei Push Kit v1 (docs/vendors/huawei.md#authentication, #request):
 * (message, tokens, config, callbackRef, clock reading) → the exact body and headers. No I/O here.
 */
import { z } from 'zod';
import { remainingTtlSeconds } from '../shared/ttl.js';
import { isMessageCategory, type MessageCategory } from '../categories.js';
import type { ClickAction, OutgoingMessage } from '../types.js';
import { huaweiClientId, HUAWEI_TOKEN_PATH, type HuaweiConfig } from './huawei.config.js';
import type {
  HuaweiAndroidConfig,
  HuaweiAndroidNotification,
  HuaweiCategory,
  HuaweiClickAction,
  HuaweiSendRequest,
} from './huawei.wire.js';

/**
 * Cross-vendor `options.category` → Huawei `android.category` (docs/vendors/huawei.md#categories,
 * https://developer.huawei.com/consumer/cn/doc/HMSCore-References/https-send-api-0000001050986197).
 * Every pushgate category is listed (the table is keyed by `MessageCategory`); content & marketing
 * categories map to MARKETING, which is what Huawei assumes when `android.category` is absent.
 */
export const HUAWEI_CATEGORY_MAP: Readonly<Record<MessageCategory, HuaweiCategory>> = {
  im: 'IM',
  chat: 'IM',
  message: 'IM',
  call: 'VOIP',
  voip: 'VOIP',
  account: 'ACCOUNT',
  security: 'ACCOUNT',
  order: 'EXPRESS',
  logistics: 'EXPRESS',
  payment: 'FINANCE',
  finance: 'FINANCE',
  reminder: 'SYSTEM_REMINDER',
  todo: 'SYSTEM_REMINDER',
  schedule: 'SYSTEM_REMINDER',
  calendar: 'SYSTEM_REMINDER',
  device: 'DEVICE_REMINDER',
  device_reminder: 'DEVICE_REMINDER',
  alarm: 'DEVICE_REMINDER',
  subscription: 'SUBSCRIPTION',
  travel: 'TRAVEL',
  health: 'HEALTH',
  work: 'WORK',
  mail: 'MAIL',
  news: 'MARKETING',
  content: 'MARKETING',
  recommendation: 'MARKETING',
  social: 'MARKETING',
  marketing: 'MARKETING',
  promotion: 'MARKETING',
};

/** Undefined for no category, or one stored before the list was closed. */
export function huaweiCategoryOf(category: string | undefined): HuaweiCategory | undefined {
  return isMessageCategory(category) ? HUAWEI_CATEGORY_MAP[category] : undefined;
}

/**
 * Huawei's quota class: news & marketing messages (no category or MARKETING) are capped per device
 * per day since 2023-01-05; service & communication categories are not (docs/vendors/huawei.md#rate-limits-and-quotas).
 * A category pushgate cannot map is sent without `android.category`, which Huawei counts as
 * marketing, so it is 'marketing' here too.
 */
export function huaweiQuotaClassOf(category: string | undefined): 'marketing' | 'service' {
  const mapped = huaweiCategoryOf(category);
  return mapped === undefined || mapped === 'MARKETING' ? 'marketing' : 'service';
}

/**
 * `android.collapse_key` is an int in −1..100 (−1 = keep every offline message), while pushgate's
 * collapseKey is a string. It is hashed with 32-bit FNV-1a onto 0..100: stable across processes
 * and releases, so the same collapseKey always lands in the same Huawei group. Two different keys
 * may share a group (101 buckets), which only means one may replace the other's offline copy.
 */
export function huaweiCollapseKey(collapseKey: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(collapseKey, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 101;
}

/** Huawei keeps offline messages at most 15 days (UNVERIFIED, docs/vendors/huawei.md#request): longer TTLs are capped. */
export const HUAWEI_MAX_TTL_SECONDS = 1_296_000;

/** `ttl` is seconds as a string with an `s` suffix, e.g. "86400s". */
export function huaweiTtl(ttlSeconds: number): string {
  const s = Math.min(Math.max(0, Math.floor(ttlSeconds)), HUAWEI_MAX_TTL_SECONDS);
  return `${s}s`;
}

/**
 * `click_action` is mandatory in an Android notification (HMS-node message-validator.ts).
 * intent → type 1 (`intent` when the value is an intent URI, else an `action` name);
 * url → type 2; app or absent → type 3 (open the app). An intent/url without a value opens the app.
 */
export function huaweiClickAction(click: ClickAction | undefined): HuaweiClickAction {
  if (click?.type === 'url' && click.value) return { type: 2, url: click.value };
  if (click?.type === 'intent' && click.value) {
    return /^(intent:|#Intent;)/i.test(click.value) ? { type: 1, intent: click.value } : { type: 1, action: click.value };
  }
  return { type: 3 };
}

/** Fields of `options.overrides.huawei` that go into `android.notification` (HMS-java AndroidNotification.java). */
const notificationOverrideShape = {
  importance: z.enum(['LOW', 'NORMAL', 'HIGH']).optional(),
  tag: z.string().max(256).optional(),
  notify_id: z.int().min(0).max(2_147_483_647).optional(),
  group: z.string().max(256).optional(),
  /** 0 default, 1 big text, 3 inbox. */
  style: z.union([z.literal(0), z.literal(1), z.literal(3)]).optional(),
  big_title: z.string().optional(),
  big_body: z.string().optional(),
  inbox_content: z.array(z.string()).max(5).optional(),
  notify_summary: z.string().optional(),
  visibility: z.enum(['VISIBILITY_UNSPECIFIED', 'PRIVATE', 'PUBLIC', 'SECRET']).optional(),
  foreground_show: z.boolean().optional(),
  icon: z.string().optional(),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour in the form #RRGGBB').optional(),
  default_sound: z.boolean().optional(),
  auto_clear: z.int().min(0).optional(),
  auto_cancel: z.boolean().optional(),
  when: z.string().optional(),
  channel_id: z.string().min(1).optional(),
  /** Huawei's badge needs the app's launcher Activity class. */
  badge: z
    .strictObject({
      add_num: z.int().min(1).max(99).optional(),
      set_num: z.int().min(0).max(99).optional(),
      class: z.string().min(1),
    })
    .optional(),
};
/** Fields of `options.overrides.huawei` that go into `android` (HMS-java AndroidConfig.java). */
const androidOverrideShape = {
  /** 1 = test (fast app dev), 2 = production. */
  fast_app_target: z.union([z.literal(1), z.literal(2)]).optional(),
  /** 1 = test message (needs a test device in AGC). */
  target_user_type: z.union([z.literal(0), z.literal(1)]).optional(),
  /** Another receipt configuration than the tenant's `receiptId`. */
  receipt_id: z.string().min(1).optional(),
};
const NOTIFICATION_OVERRIDE_KEYS: ReadonlySet<string> = new Set(Object.keys(notificationOverrideShape));

/**
 * `options.overrides.huawei`: known Huawei `android` / `android.notification` fields, flat; unknown
 * keys are refused. Fields pushgate derives from the message (title, body, click_action, urgency,
 * category, ttl, collapse_key, bi_tag) are not overridable, so receipts and quota classes stay right.
 * Notification fields are ignored for a data-only message (there is no notification to style).
 */
export const huaweiOverridesSchema = z
  .strictObject({ ...notificationOverrideShape, ...androidOverrideShape })
  .refine((o) => o.group === undefined || o.notify_id === undefined, {
    message: 'Huawei refuses notify_id together with group',
    path: ['notify_id'],
  })
  .refine((o) => o.style !== 1 || (o.big_title !== undefined && o.big_body !== undefined), {
    message: 'style 1 (big text) needs big_title and big_body',
    path: ['style'],
  });
export type HuaweiOverrides = z.output<typeof huaweiOverridesSchema>;

export function huaweiSendPath(appId: string): string {
  return `/v1/${encodeURIComponent(appId)}/messages:send`;
}

export function buildHuaweiSendHeaders(accessToken: string): Record<string, string> {
  return { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json;charset=UTF-8' };
}

/** The OAuth client-credentials request (docs/vendors/huawei.md#authentication). */
export function buildHuaweiTokenRequest(config: Pick<HuaweiConfig, 'appId' | 'clientId' | 'clientSecret'>): {
  path: string;
  body: string;
  headers: Record<string, string>;
} {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: huaweiClientId(config),
    client_secret: config.clientSecret,
  });
  return { path: HUAWEI_TOKEN_PATH, body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

/**
 * The `messages:send` body for one batch.
 * - Notification: title/body/image/click_action (+ channel_id from `config.channels[category]`,
 *   sound) in `android.notification`, the Android-specific block (HMS-node send_notify_message.js);
 *   no duplicate top-level `message.notification`, which would only eat into the 4096-byte limit.
 *   Huawei documents no per-field title/body length: the 4096-byte body limit (80300008) governs.
 * - Data: the data map JSON-encoded in `message.data` (omitted when empty on a notification);
 *   a data-only message has no notification at all, and `message.data` is at least "{}"
 *   (HMS-node send_data_message.js).
 * - `bi_tag` = callbackRef (echoed in receipts as biTag). Huawei's receipt URL is configured in
 *   AGC, not per message, so `batch.callbackUrl` has no field here; `receipt_id` picks the config.
 */
export function buildHuaweiSendRequest(
  message: OutgoingMessage,
  tokens: readonly string[],
  config: Pick<HuaweiConfig, 'receiptId' | 'channels'>,
  callbackRef: string,
  nowMs: number,
  overrides: HuaweiOverrides = {},
): HuaweiSendRequest {
  const { notification, options } = message;
  const android: HuaweiAndroidConfig = {};
  if (options.collapseKey !== undefined) android.collapse_key = huaweiCollapseKey(options.collapseKey);
  android.urgency = options.priority === 'high' ? 'HIGH' : 'NORMAL';
  const category = huaweiCategoryOf(options.category);
  if (category) android.category = category;
  // The time left of the ttl at this attempt: a retry does not restart it.
  const ttl = remainingTtlSeconds(message, nowMs, { max: HUAWEI_MAX_TTL_SECONDS });
  if (ttl !== undefined) android.ttl = huaweiTtl(ttl);
  android.bi_tag = callbackRef;
  if (config.receiptId) android.receipt_id = config.receiptId;

  const notificationExtras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (NOTIFICATION_OVERRIDE_KEYS.has(key)) notificationExtras[key] = value;
    else android[key] = value;
  }

  const hasData = Object.keys(message.data).length > 0;
  const out: HuaweiSendRequest = { validate_only: false, message: {} };
  if (hasData || !notification) out.message.data = JSON.stringify(message.data);

  if (notification) {
    const n: HuaweiAndroidNotification = {
      title: notification.title,
      body: notification.body,
      click_action: huaweiClickAction(notification.clickAction),
    };
    if (notification.image) n.image = notification.image;
    if (notification.sound) {
      if (notification.sound === 'default') n.default_sound = true;
      else {
        n.sound = notification.sound;
        n.default_sound = false;
      }
    }
    const channel = options.category !== undefined ? config.channels?.[options.category] : undefined;
    if (channel) n.channel_id = channel;
    Object.assign(n, notificationExtras);
    // Huawei's badge needs the launcher Activity class, which only the override can supply.
    const badge = notificationExtras['badge'] as { add_num?: number; set_num?: number; class: string } | undefined;
    if (badge && notification.badge !== undefined && badge.add_num === undefined && badge.set_num === undefined) {
      n.badge = { ...badge, set_num: notification.badge };
    }
    android.notification = n;
  }
  out.message.android = android;
  out.message.token = [...tokens];
  return out;
}
