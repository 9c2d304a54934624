/**
 * Pure request builders for FCM HTTP v1 `POST /v1/projects/{project}/messages:send`
 * (docs/vendors/fcm.md#request; https://firebase.google.com/docs/reference/fcm/rest/v1/projects.messages):
 * message + platform + config + clock reading → the exact `message` object, body and headers. No I/O.
 *
 * One token per request (FCM v1 has no multicast), so a batch is built once as a template and
 * each stream splices its token in (`fcmBodyFor`) — 10k+ tokens cost one JSON.stringify.
 *
 * Mapping (what does not appear has no FCM field):
 * - notification.title/body/image → `notification` (FCM copies it to every platform; no length
 *   rule of its own, only the 4096-byte payload limit, which FCM answers INVALID_ARGUMENT).
 * - data → `data` (string map, as FCM requires).
 * - options.priority → `android.priority` HIGH/NORMAL; iOS: `apns-priority` 10/5.
 * - ttlSeconds → `android.ttl` "<n>s", the time left of it at `nowMs` (a retry does not restart it); iOS:
 *   `apns-expiration` = createdAt + ttl (epoch seconds, the same on every attempt; ttl 0 → 0, do not store).
 * - collapseKey → `android.collapse_key`; iOS: `apns-collapse-id` (≤ 64 bytes, else hashed).
 * - options.category → `android.notification.channel_id` from the tenant's `channels` map. FCM
 *   has no classification field; `fcm_options.analytics_label` is deliberately not used (no analytics).
 * - notification.sound → `android.notification.sound`, `aps.sound`; badge → `notification_count`, `aps.badge`.
 * - clickAction intent → `android.notification.click_action` and `aps.category`; url →
 *   `webpush.fcm_options.link` (Android/iOS have no link field; the app reads its own data); app → nothing.
 * - iOS devices (`apns` in the device extras, see `fcmPlatformOf`) also get the `apns` block:
 *   `apns-push-type` alert, or background + `content-available` for data-only (which Apple
 *   requires at priority 5), `mutable-content` when there is an image, `apns-topic` from the device.
 * - overrides.fcm (`fcmOverridesSchema`) → deep-merged into `message` last; `null` removes a key.
 * - callbackUrl/callbackRef: FCM has no delivery receipts on this API (delivery data is only in
 *   the BigQuery export), so nothing is sent. Idempotency: FCM has no request id; at least once.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { expiryEpochSeconds, remainingTtlSeconds } from '../shared/ttl.js';
import type { DeliveryTarget, OutgoingMessage } from '../types.js';
import type { FcmConfig } from './fcm.config.js';
import { FCM_MAX_TTL_SECONDS, fcmSendPath, type AndroidConfig, type ApnsConfig, type FcmMessage, type FcmSendRequest } from './fcm.wire.js';

/** Per-device extra (`deviceFieldsSchema`): `apns` present ⇒ an iOS FCM token. */
export const fcmDeviceFieldsSchema = z
  .object({
    apns: z
      .object({
        environment: z.enum(['production', 'sandbox']).default('production'),
        topic: z.string().min(1).max(255).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type FcmDeviceExtras = z.output<typeof fcmDeviceFieldsSchema>;

/** Which FCM platform block a token gets; iOS tokens carry `apns` in their extras (deviceFieldsSchema). */
export type FcmPlatform = 'android' | 'ios';

export const fcmPlatformOf = (target: Pick<DeliveryTarget<FcmDeviceExtras>, 'extras'>): FcmPlatform => (target.extras?.apns ? 'ios' : 'android');

const stringMap = z.record(z.string(), z.string());
/** Header values are strings; `null` removes a header pushgate sets. */
const headerMap = z.record(z.string(), z.string().nullable());
const durationSchema = z.string().regex(/^\d+(\.\d{1,9})?s$/, 'ttl is a Duration such as "3600s"');

/**
 * `options.overrides.fcm`: the platform blocks FCM defines, merged into `message`. Their inner
 * objects are passed through (FCM validates them and answers INVALID_ARGUMENT → rejected); the
 * fields pushgate also sets are type-checked here so a typo fails at the API, not at FCM.
 * `null` removes a field pushgate would set (e.g. `android: { collapse_key: null }`).
 */
export const fcmOverridesSchema = z
  .object({
    android: z
      .object({
        priority: z.enum(['HIGH', 'NORMAL', 'high', 'normal']).nullish(),
        ttl: durationSchema.nullish(),
        collapse_key: z.string().max(200).nullish(),
        restricted_package_name: z.string().nullish(),
        data: stringMap.nullish(),
        notification: z.record(z.string(), z.unknown()).nullish(),
        fcm_options: z.object({ analytics_label: z.string().nullish() }).strict().nullish(),
        direct_boot_ok: z.boolean().nullish(),
        bandwidth_constrained_ok: z.boolean().nullish(),
        restricted_satellite_ok: z.boolean().nullish(),
      })
      .strict()
      .nullish(),
    apns: z
      .object({
        headers: headerMap.nullish(),
        payload: z.record(z.string(), z.unknown()).nullish(),
        fcm_options: z.object({ analytics_label: z.string().nullish(), image: z.string().nullish() }).strict().nullish(),
        live_activity_token: z.string().nullish(),
      })
      .strict()
      .nullish(),
    webpush: z
      .object({
        headers: headerMap.nullish(),
        data: stringMap.nullish(),
        notification: z.record(z.string(), z.unknown()).nullish(),
        fcm_options: z.object({ link: z.string().nullish(), analytics_label: z.string().nullish() }).strict().nullish(),
      })
      .strict()
      .nullish(),
    fcm_options: z.object({ analytics_label: z.string().nullish() }).strict().nullish(),
  })
  .strict();

export type FcmOverrides = z.infer<typeof fcmOverridesSchema>;

/** APNs `apns-collapse-id` is at most 64 bytes (docs/vendors/apns.md#request). */
export function apnsCollapseId(key: string): string {
  return Buffer.byteLength(key, 'utf8') <= 64 ? key : createHash('sha256').update(key).digest('hex');
}

/** The `message` for one platform, without `token` (see `fcmBodyFor`). */
export function buildFcmMessage(
  message: OutgoingMessage,
  platform: FcmPlatform,
  config: Pick<FcmConfig, 'channels'>,
  nowMs: number,
  apnsTopic?: string,
  overrides?: FcmOverrides,
): FcmMessage {
  const { notification: n, options } = message;
  const out: FcmMessage = {};
  if (n) out.notification = { title: n.title, body: n.body, ...(n.image ? { image: n.image } : {}) };
  if (Object.keys(message.data).length > 0) out.data = { ...message.data };

  const android: AndroidConfig = { priority: options.priority === 'high' ? 'HIGH' : 'NORMAL' };
  const ttl = remainingTtlSeconds(message, nowMs, { max: FCM_MAX_TTL_SECONDS });
  if (ttl !== undefined) android.ttl = `${ttl}s`;
  if (options.collapseKey !== undefined) android.collapse_key = options.collapseKey;
  const channel = options.category !== undefined ? (config.channels[options.category] ?? config.channels.default) : config.channels.default;
  if (n) {
    const an: NonNullable<AndroidConfig['notification']> = {};
    if (n.clickAction?.type === 'intent' && n.clickAction.value) an.click_action = n.clickAction.value;
    if (n.sound) an.sound = n.sound;
    if (channel) an.channel_id = channel;
    if (n.badge !== undefined) an.notification_count = n.badge;
    if (Object.keys(an).length > 0) android.notification = an;
  }
  out.android = android;

  if (platform === 'ios') out.apns = buildApnsBlock(message, apnsTopic);
  if (n?.clickAction?.type === 'url' && n.clickAction.value) out.webpush = { fcm_options: { link: n.clickAction.value } };

  if (overrides !== undefined) deepMerge(out as Record<string, unknown>, overrides as Record<string, unknown>);
  return out;
}

function buildApnsBlock(message: OutgoingMessage, topic: string | undefined): ApnsConfig {
  const { notification: n, options } = message;
  const headers: Record<string, string> = {
    // Apple: background (content-available) pushes must use priority 5.
    'apns-priority': n && options.priority === 'high' ? '10' : '5',
    'apns-push-type': n ? 'alert' : 'background',
  };
  const expiry = expiryEpochSeconds(message);
  // APNs reads 0 as "deliver once, do not store"; a past time would not say that.
  if (expiry !== undefined) headers['apns-expiration'] = options.ttlSeconds === 0 ? '0' : String(expiry);
  if (options.collapseKey !== undefined) headers['apns-collapse-id'] = apnsCollapseId(options.collapseKey);
  if (topic) headers['apns-topic'] = topic;
  if (!n) return { headers, payload: { aps: { 'content-available': 1 } } };
  const aps: NonNullable<NonNullable<ApnsConfig['payload']>['aps']> = {};
  if (n.sound) aps.sound = n.sound;
  if (n.badge !== undefined) aps.badge = n.badge;
  if (n.clickAction?.type === 'intent' && n.clickAction.value) aps.category = n.clickAction.value;
  if (n.image) aps['mutable-content'] = 1;
  const block: ApnsConfig = { headers, payload: { aps } };
  if (n.image) block.fcm_options = { image: n.image };
  return block;
}

/** Deep merge `src` into `dst`: objects merge, anything else replaces, `null` deletes. */
function deepMerge(dst: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(src)) {
    if (v === undefined) continue;
    if (v === null) {
      delete dst[k];
      continue;
    }
    const cur = dst[k];
    if (isPlainObject(v) && isPlainObject(cur)) deepMerge(cur, v);
    else dst[k] = isPlainObject(v) ? structuredClone(v) : v;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The full request for one token, as an object (tests, and the shape `fcmBodyFor` serializes). */
export function buildFcmSendRequest(template: FcmMessage, token: string): FcmSendRequest {
  return { message: { token, ...template } };
}

/**
 * A serializer for one template: token → the exact JSON body of `buildFcmSendRequest(template, token)`,
 * with the template stringified once.
 */
export function fcmBodyFor(template: FcmMessage): (token: string) => string {
  const rest = JSON.stringify(template);
  const tail = rest === '{}' ? '}}' : `,${rest.slice(1)}}`;
  return (token) => `{"message":{"token":${JSON.stringify(token)}${tail}`;
}

export interface FcmRequestHead {
  path: string;
  headers: Record<string, string>;
}

/** Path and headers of every send stream (`:method`/`:scheme`/`:authority` are the transport's). */
export function buildFcmRequestHead(projectId: string, accessToken: string, basePath = ''): FcmRequestHead {
  return {
    path: `${basePath}${fcmSendPath(projectId)}`,
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json; charset=utf-8',
    },
  };
}
