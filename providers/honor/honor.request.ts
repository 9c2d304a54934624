/**
 * Pure request builders for Honor Push (docs/vendors/honor.md#authentication, #request):
 * (message, tokens, config, callbackRef, clock reading) → the exact body and headers. No I/O here.
 */
import { z } from 'zod';
import { isMessageCategory, type MessageCategory } from '../categories.js';
import { remainingTtlSeconds } from '../shared/ttl.js';
import type { ClickAction, OutgoingMessage } from '../types.js';
import type { HonorConfig } from './honor.config.js';
import {
  HONOR_MAX_BUTTONS,
  HONOR_MAX_TTL_SECONDS,
  type HonorAndroidConfig,
  type HonorAndroidNotification,
  type HonorClickAction,
  type HonorImportance,
  type HonorSendRequest,
} from './honor.wire.js';

/**
 * Cross-vendor `options.category` → `android.notification.importance` (docs/vendors/honor.md#categories):
 * service & communication categories are NORMAL (服务与通讯, not capped; needs the self-classification
 * permission in the Honor console), news & marketing ones LOW (资讯营销, capped per device per day).
 * Keyed by `MessageCategory`, so a category cannot be forgotten.
 */
export const HONOR_IMPORTANCE_MAP: Readonly<Record<MessageCategory, HonorImportance>> = {
  im: 'NORMAL',
  chat: 'NORMAL',
  message: 'NORMAL',
  call: 'NORMAL',
  voip: 'NORMAL',
  account: 'NORMAL',
  security: 'NORMAL',
  order: 'NORMAL',
  logistics: 'NORMAL',
  payment: 'NORMAL',
  finance: 'NORMAL',
  reminder: 'NORMAL',
  todo: 'NORMAL',
  schedule: 'NORMAL',
  calendar: 'NORMAL',
  device: 'NORMAL',
  device_reminder: 'NORMAL',
  alarm: 'NORMAL',
  subscription: 'NORMAL',
  travel: 'NORMAL',
  health: 'NORMAL',
  work: 'NORMAL',
  mail: 'NORMAL',
  news: 'LOW',
  content: 'LOW',
  recommendation: 'LOW',
  social: 'LOW',
  marketing: 'LOW',
  promotion: 'LOW',
};

/** Undefined for no category, or one stored before the list was closed: `importance` is then omitted. */
export function honorImportanceOf(category: string | undefined): HonorImportance | undefined {
  return isMessageCategory(category) ? HONOR_IMPORTANCE_MAP[category] : undefined;
}

/**
 * Honor's quota class: NORMAL messages are not capped, LOW ones are (2 or 5 per device per day).
 * Without an importance Honor counts a message as marketing (since 2024-12-31 for apps without the
 * self-classification permission), so no category is 'marketing' too.
 */
export function honorQuotaClassOf(category: string | undefined): 'marketing' | 'service' {
  return honorImportanceOf(category) === 'NORMAL' ? 'service' : 'marketing';
}

/** `ttl` is whole seconds with an `s` suffix, at most 15 days. */
export function honorTtl(ttlSeconds: number): string {
  return `${Math.min(Math.max(0, Math.floor(ttlSeconds)), HONOR_MAX_TTL_SECONDS)}s`;
}

/**
 * `clickAction` is required in a notification: intent → type 1 (`intent` for an intent URI, else
 * an `action` name); url → type 2; app or absent → type 3 (open the app).
 */
export function honorClickAction(click: ClickAction | undefined): HonorClickAction {
  if (click?.type === 'url' && click.value) return { type: 2, url: click.value };
  if (click?.type === 'intent' && click.value) {
    return /^(intent:|#Intent;)/i.test(click.value) ? { type: 1, intent: click.value } : { type: 1, action: click.value };
  }
  return { type: 3 };
}

/** Fields of `options.overrides.honor` that go into `android.notification`. */
const notificationOverrideShape = {
  /** Same id replaces the shown notification; -1 = automatic. */
  notifyId: z.int().min(-1).max(2_147_483_647).optional(),
  tag: z.string().min(1).max(256).optional(),
  group: z.string().min(1).max(256).optional(),
  /** 0 default, 1 big text. */
  style: z.union([z.literal(0), z.literal(1)]).optional(),
  bigTitle: z.string().optional(),
  bigBody: z.string().optional(),
  when: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/, 'a UTC time such as 2014-10-02T15:01:23.045123456Z').optional(),
  buttons: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(40),
        actionType: z.union([z.literal(0), z.literal(1), z.literal(2)]),
        intentType: z.union([z.literal(0), z.literal(1)]).optional(),
        intent: z.string().optional(),
        data: z.string().max(1024).optional(),
      }),
    )
    .max(HONOR_MAX_BUTTONS)
    .optional(),
  /** Honor's badge needs the app's launcher Activity class. */
  badge: z
    .strictObject({ addNum: z.int().min(1).max(99).optional(), setNum: z.int().min(0).max(99).optional(), badgeClass: z.string().min(1) })
    .optional(),
};
const NOTIFICATION_OVERRIDE_KEYS: ReadonlySet<string> = new Set(Object.keys(notificationOverrideShape));

/**
 * `options.overrides.honor`: known Honor fields, flat. Fields pushgate derives from the message
 * (title, body, clickAction, importance, ttl, biTag) are not overridable, so receipts and quota
 * classes stay right. Notification fields are ignored for a data-only message.
 */
export const honorOverridesSchema = z
  .strictObject({
    ...notificationOverrideShape,
    /** 1 = test message (1000 per app per day, outside the per-device cap). */
    targetUserType: z.union([z.literal(0), z.literal(1)]).optional(),
  })
  .refine((o) => o.style !== 1 || (o.bigTitle !== undefined && o.bigBody !== undefined), {
    message: 'style 1 (big text) needs bigTitle and bigBody',
    path: ['style'],
  });
export type HonorOverrides = z.output<typeof honorOverridesSchema>;

export function honorSendPath(config: Pick<HonorConfig, 'appId' | 'sendPath'>): string {
  return config.sendPath.replace('{appId}', encodeURIComponent(config.appId));
}

/** Send headers; `timestamp` is the current time in milliseconds, as Honor's guide shows. */
export function buildHonorSendHeaders(accessToken: string, nowMs: number): Record<string, string> {
  return { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json; charset=UTF-8', timestamp: String(Math.floor(nowMs)) };
}

/** The OAuth client-credentials request (form-encoded). */
export function buildHonorTokenRequest(config: Pick<HonorConfig, 'clientId' | 'clientSecret' | 'tokenPath'>): {
  path: string;
  body: string;
  headers: Record<string, string>;
} {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: config.clientId, client_secret: config.clientSecret });
  return { path: config.tokenPath, body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

/**
 * The `sendMessage` body for one batch (no `message` wrapper).
 * - Notification: title/body/clickAction/importance in `android.notification` (the android pair
 *   overrides the top-level one, so only it is sent); the image only for NORMAL messages, since
 *   Honor takes images on service & communication messages only; collapseKey → `tag` (same tag
 *   replaces the shown notification).
 * - Data: the data map JSON-encoded in top-level `data`; with no notification that makes it a
 *   pass-through message, and it is at least "{}".
 * - `android.biTag` = callbackRef (echoed in receipts); `android.ttl` = the time left of the TTL.
 * - `overrides` is the batch's own `options.overrides.honor` slice (SendBatch.overrides), as parsed at accept.
 */
export function buildHonorSendRequest(
  message: OutgoingMessage,
  tokens: readonly string[],
  callbackRef: string,
  nowMs: number,
  overrides: HonorOverrides = {},
): HonorSendRequest {
  const { notification, options } = message;
  const android: HonorAndroidConfig = {};
  // The time left of the ttl at this attempt: a retry does not restart it.
  const ttl = remainingTtlSeconds(message, nowMs, { max: HONOR_MAX_TTL_SECONDS });
  if (ttl !== undefined) android.ttl = honorTtl(ttl);
  android.biTag = callbackRef;
  if (overrides.targetUserType !== undefined) android.targetUserType = overrides.targetUserType;

  const out: HonorSendRequest = { token: [...tokens] };
  if (Object.keys(message.data).length > 0 || !notification) out.data = JSON.stringify(message.data);

  if (notification) {
    const importance = honorImportanceOf(options.category);
    const n: HonorAndroidNotification = { title: notification.title, body: notification.body, clickAction: honorClickAction(notification.clickAction) };
    if (notification.image && importance === 'NORMAL') n.image = notification.image;
    if (importance) n.importance = importance;
    if (options.collapseKey !== undefined) n.tag = options.collapseKey;
    for (const [key, value] of Object.entries(overrides)) {
      if (value !== undefined && NOTIFICATION_OVERRIDE_KEYS.has(key)) (n as unknown as Record<string, unknown>)[key] = value;
    }
    // A badge count from the message needs the launcher class, which only the override gives.
    if (overrides.badge && notification.badge !== undefined && overrides.badge.addNum === undefined && overrides.badge.setNum === undefined) {
      n.badge = { ...overrides.badge, setNum: Math.min(99, Math.max(0, Math.floor(notification.badge))) };
    }
    android.notification = n;
  }
  out.android = android;
  return out;
}
