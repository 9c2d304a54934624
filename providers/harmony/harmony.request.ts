/**
 * Pure request builders for HarmonyOS NEXT Push Kit v3 (docs/vendors/harmony.md#request, #recall):
 * (message, tokens, config, callbackRef, clock reading) → the exact path, headers and body. No I/O.
 */
import { z } from 'zod';
import { isMessageCategory, type MessageCategory } from '../categories.js';
import { remainingTtlSeconds } from '../shared/ttl.js';
import type { ClickAction, OutgoingMessage } from '../types.js';
import type { HarmonyConfig } from './harmony.config.js';
import {
  HARMONY_MAX_BI_TAG_BYTES,
  HARMONY_MAX_TTL_SECONDS,
  HARMONY_PUSH_TYPES,
  type HarmonyCategory,
  type HarmonyClickAction,
  type HarmonyNotification,
  type HarmonyPushOptions,
  type HarmonyPushType,
  type HarmonyRevokeRequest,
  type HarmonySendRequest,
} from './harmony.wire.js';

/**
 * Cross-vendor `options.category` → `payload.notification.category`, every pushgate category listed
 * (the table is keyed by `MessageCategory`). Only the categories Huawei lists today are used
 * (docs/vendors/harmony.md#categories): reminders go to WORK ("工作事项提醒") since SYSTEM_REMINDER is
 * only in the 2023 demo (UNVERIFIED), and content & marketing to MARKETING, not the 2023 NEWS/PROMO.
 */
export const HARMONY_CATEGORY_MAP: Readonly<Record<MessageCategory, HarmonyCategory>> = {
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
  reminder: 'WORK',
  todo: 'WORK',
  schedule: 'WORK',
  calendar: 'WORK',
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

/**
 * `category` is required on a notification; without a pushgate category (or with one stored before
 * the list was closed) MARKETING is sent: it needs no self-classification permission, and it is
 * what Huawei counts an unclassified notification as anyway.
 */
export function harmonyCategoryOf(category: string | undefined): HarmonyCategory {
  return isMessageCategory(category) ? HARMONY_CATEGORY_MAP[category] : 'MARKETING';
}

/** Quota class: MARKETING notifications are capped per device per day (2 or 5); service & communication are not. */
export function harmonyQuotaClassOf(category: string | undefined): 'marketing' | 'service' {
  return harmonyCategoryOf(category) === 'MARKETING' ? 'marketing' : 'service';
}

/** 32-bit FNV-1a of a string: stable across processes and releases. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** `pushOptions.collapseKey` is an int 0..100 (−1 = keep all): pushgate's string key hashed onto it. */
export function harmonyCollapseKey(collapseKey: string): number {
  return fnv1a(collapseKey) % 101;
}

/**
 * The `notifyId` pushgate gives a message, derived from its id so recall can name it later without
 * storing anything: 31-bit, never −1 or 0. An override wins (then recall is handed the same slice).
 */
export function harmonyNotifyIdOf(message: Pick<OutgoingMessage, 'id'>, overrides?: Pick<HarmonyOverrides, 'notifyId'>): number {
  if (overrides?.notifyId !== undefined) return overrides.notifyId;
  return (fnv1a(message.id) & 0x7fffffff) || 1;
}

/**
 * `clickAction`: app (or none) → 0, the app's home page; intent → 1 with `action` (the ability's
 * action); url → 1 with `uri`, which the app must declare in an ability's `skills.uris` (HarmonyOS
 * opens app pages, not browsers). `data` (pushgate's data map) reaches the opened ability.
 */
export function harmonyClickAction(click: ClickAction | undefined, data: Record<string, string>): HarmonyClickAction {
  const withData = Object.keys(data).length > 0 ? { data: { ...data } } : {};
  if (click?.type === 'intent' && click.value) return { actionType: 1, action: click.value, ...withData };
  if (click?.type === 'url' && click.value) return { actionType: 1, uri: click.value, ...withData };
  return { actionType: 0, ...withData };
}

/**
 * `options.overrides.harmony`: notification fields pushgate does not derive, plus `testMessage` and
 * `receiptId`. Fields pushgate derives (title, body, category, clickAction, ttl, collapseKey, biTag)
 * are not overridable, so quota classes and receipts stay right. Notification fields are ignored for
 * a data-only (background) message.
 */
export const harmonyOverridesSchema = z.strictObject({
  /** The notification id (replaces a shown one with the same id; recall uses it). */
  notifyId: z.int().min(1).max(2_147_483_647).optional(),
  /** 0 normal, 3 multi-line with `inboxContent`. */
  style: z.union([z.literal(0), z.literal(3)]).optional(),
  inboxContent: z.array(z.string().min(1)).min(1).max(5).optional(),
  /** Device-side de-duplication id, 1–64 characters. */
  appMessageId: z.string().min(1).max(64).optional(),
  profileId: z.string().min(1).max(64).optional(),
  badgeAddNum: z.int().min(1).max(99).optional(),
  foregroundShow: z.boolean().optional(),
  /** A test message: ≤ 10 tokens per request, 1000 per project per day. */
  testMessage: z.boolean().optional(),
  /** Another receipt configuration than the tenant's `receiptId`. */
  receiptId: z.string().min(1).max(128).optional(),
}).refine((o) => o.style !== 3 || o.inboxContent !== undefined, { message: 'style 3 (multi-line) needs inboxContent', path: ['inboxContent'] });
export type HarmonyOverrides = z.output<typeof harmonyOverridesSchema>;

export function harmonySendPath(projectId: string): string {
  return `/v3/${encodeURIComponent(projectId)}/messages:send`;
}

export function harmonyRevokePath(clientId: string): string {
  return `/v1/${encodeURIComponent(clientId)}/messages:revoke`;
}

/** A notification goes as push-type 0 (alert); a data-only message as 6 (background message). */
export function harmonyPushTypeOf(message: Pick<OutgoingMessage, 'notification'>): HarmonyPushType {
  return message.notification ? HARMONY_PUSH_TYPES.ALERT : HARMONY_PUSH_TYPES.BACKGROUND;
}

export function buildHarmonyHeaders(jwt: string, pushType: HarmonyPushType): Record<string, string> {
  return { authorization: `Bearer ${jwt}`, 'content-type': 'application/json', 'push-type': String(pushType) };
}

/** `biTag` is ≤ 64 bytes: a longer callbackRef is left out (receipts then carry no reference). */
function biTagOf(callbackRef: string): string | undefined {
  return callbackRef !== '' && Buffer.byteLength(callbackRef, 'utf8') <= HARMONY_MAX_BI_TAG_BYTES ? callbackRef : undefined;
}

/**
 * The `messages:send` body for one batch.
 * - Notification (push-type 0): category, title, body, clickAction (with the data map as `data`),
 *   image (HTTPS only: Huawei takes no other), badge → `setNum` (0..99), sound (a custom ringtone;
 *   "default" is the default), `notifyId` from the message id, the overrides.
 * - Data-only (push-type 6): `payload.extraData`, the data map as a JSON string.
 * - `pushOptions`: `ttl` = the seconds left of the message's ttl at this attempt (≤ 15 days, at
 *   least 1: whether Huawei takes 0 is UNVERIFIED), `collapseKey`, `biTag` = callbackRef (echoed in
 *   receipts), `receiptId`, `testMessage`.
 * `overrides` is this provider's own parsed `options.overrides.harmony` slice (SendBatch.overrides).
 */
export function buildHarmonySendRequest(
  message: OutgoingMessage,
  tokens: readonly string[],
  config: Pick<HarmonyConfig, 'receiptId'>,
  callbackRef: string,
  nowMs: number,
  overrides: HarmonyOverrides = {},
): HarmonySendRequest {
  const { notification, options, data } = message;
  const pushOptions: HarmonyPushOptions = {};
  const ttl = remainingTtlSeconds(message, nowMs, { min: 1, max: HARMONY_MAX_TTL_SECONDS });
  if (ttl !== undefined) pushOptions.ttl = ttl;
  if (options.collapseKey !== undefined && notification) pushOptions.collapseKey = harmonyCollapseKey(options.collapseKey);
  const biTag = biTagOf(callbackRef);
  if (biTag !== undefined) pushOptions.biTag = biTag;
  const receiptId = overrides.receiptId ?? config.receiptId;
  if (receiptId !== undefined) pushOptions.receiptId = receiptId;
  if (overrides.testMessage) pushOptions.testMessage = true;

  const target = { token: [...tokens] };
  if (!notification) return { payload: { extraData: JSON.stringify(data) }, target, pushOptions };

  const n: HarmonyNotification = {
    category: harmonyCategoryOf(options.category),
    title: notification.title,
    body: notification.body,
    clickAction: harmonyClickAction(notification.clickAction, data),
    notifyId: harmonyNotifyIdOf(message, overrides),
  };
  if (notification.image?.startsWith('https://')) n.image = notification.image;
  if (notification.sound && notification.sound !== 'default') n.sound = notification.sound;
  if (overrides.badgeAddNum !== undefined) n.badge = { addNum: overrides.badgeAddNum };
  else if (notification.badge !== undefined) n.badge = { setNum: Math.min(99, Math.max(0, Math.floor(notification.badge))) };
  if (overrides.style !== undefined) n.style = overrides.style;
  if (overrides.inboxContent !== undefined) n.inboxContent = [...overrides.inboxContent];
  if (overrides.appMessageId !== undefined) n.appMessageId = overrides.appMessageId;
  if (overrides.profileId !== undefined) n.profileId = overrides.profileId;
  if (overrides.foregroundShow !== undefined) n.foregroundShow = overrides.foregroundShow;
  return { payload: { notification: n }, target, pushOptions };
}

/** The `messages:revoke` body: the message's notify id (as at send, overrides included) and the tokens it went to. */
export function buildHarmonyRevokeRequest(message: Pick<OutgoingMessage, 'id'>, tokens: readonly string[], overrides?: Pick<HarmonyOverrides, 'notifyId'>): HarmonyRevokeRequest {
  return { notifyId: harmonyNotifyIdOf(message, overrides), token: [...tokens] };
}
