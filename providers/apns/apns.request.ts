/**
 * Pure builders for one APNs request: (message, target, config) → the exact headers and JSON
 * payload (docs/vendors/apns.md#request). The transport (apns.channel.ts) only carries them.
 */
import { createHash, hash } from 'node:crypto';
import { z } from 'zod';
import { expiryEpochSeconds } from '../shared/ttl.js';
import type { DeliveryTarget, OutgoingMessage } from '../types.js';
import { defaultEnvironment, type ApnsConfig } from './apns.config.js';
import type { ApnsDeviceExtras } from './apns.token.js';
import {
  APNS_MAX_COLLAPSE_ID_BYTES,
  APNS_MAX_PAYLOAD_BYTES,
  APNS_MAX_VOIP_PAYLOAD_BYTES,
  APNS_PUSH_TYPES,
  type ApnsAps,
  type ApnsEnvironment,
  type ApnsPayload,
  type ApnsPriority,
  type ApnsPushType,
  type ApnsRequestHeaders,
} from './apns.wire.js';

/** `options.overrides.apns`: APNs fields the unified message has no word for. */
export const apnsOverridesSchema = z
  .object({
    /** e.g. `voip`, `liveactivity` (the topic usually needs Apple's suffix then). */
    pushType: z.enum(APNS_PUSH_TYPES).optional(),
    priority: z.union([z.literal(10), z.literal(5), z.literal(1)]).optional(),
    topic: z.string().min(1).max(255).optional(),
    collapseId: z
      .string()
      .min(1)
      .refine((v) => Buffer.byteLength(v) <= APNS_MAX_COLLAPSE_ID_BYTES, `collapseId is at most ${APNS_MAX_COLLAPSE_ID_BYTES} bytes`)
      .optional(),
    /** Epoch seconds (0 = deliver once, do not store); wins over `ttlSeconds`. */
    expiration: z.number().int().min(0).optional(),
    /** Merged into `aps` last: `thread-id`, `category`, `interruption-level`, `relevance-score`, `sound` dictionaries… */
    aps: z.record(z.string(), z.unknown()).optional(),
    /** Extra custom keys at the top of the payload (not `aps`). */
    payload: z
      .record(z.string(), z.unknown())
      .refine((v) => !('aps' in v), 'payload must not contain aps; use overrides.apns.aps')
      .optional(),
  })
  .strict();
export type ApnsOverrides = z.output<typeof apnsOverridesSchema>;

/**
 * The JSON payload, the same for every target of a batch.
 * - notification → `aps.alert {title, body}`, `sound`, `badge`; an image sets `mutable-content: 1`
 *   and the URL goes in the custom key `image` for the app's Notification Service Extension;
 * - data-only → `aps.content-available: 1` (a background push);
 * - `data` → custom keys beside `aps` (a data key named `aps` is dropped: Apple reserves it);
 * - clickAction `url` → custom key `url`; `intent` → `aps.category` (FCM's mapping of click_action);
 * - `options.category` → `aps.interruption-level` when the tenant configured `interruptionLevels`.
 */
export function buildApnsPayload(message: OutgoingMessage, config: Pick<ApnsConfig, 'interruptionLevels'>, overrides: ApnsOverrides = {}): ApnsPayload {
  const custom: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message.data)) {
    if (key !== 'aps') custom[key] = value;
  }
  const aps: ApnsAps = {};
  const n = message.notification;
  if (n) {
    aps.alert = n.title ? { title: n.title, body: n.body } : { body: n.body };
    if (n.sound !== undefined) aps.sound = n.sound;
    if (n.badge !== undefined) aps.badge = n.badge;
    if (n.image) {
      aps['mutable-content'] = 1;
      if (!('image' in custom)) custom.image = n.image;
    }
    if (n.clickAction?.type === 'url' && n.clickAction.value && !('url' in custom)) custom.url = n.clickAction.value;
    if (n.clickAction?.type === 'intent' && n.clickAction.value) aps.category = n.clickAction.value;
    const category = message.options.category;
    const level = category === undefined ? undefined : config.interruptionLevels?.[category];
    if (level) aps['interruption-level'] = level;
  } else {
    aps['content-available'] = 1;
  }
  Object.assign(aps, overrides.aps);
  return { ...custom, ...overrides.payload, aps };
}

/** The push type: `alert` for a notification, `background` for data-only, unless overridden. */
export function apnsPushTypeOf(message: OutgoingMessage, overrides: ApnsOverrides = {}): ApnsPushType {
  return overrides.pushType ?? (message.notification ? 'alert' : 'background');
}

/** Apple's payload limit for a push type: 5120 bytes for VoIP, else 4096. */
export function apnsPayloadLimit(pushType: ApnsPushType): number {
  return pushType === 'voip' ? APNS_MAX_VOIP_PAYLOAD_BYTES : APNS_MAX_PAYLOAD_BYTES;
}

/** Where a target goes: the registered device's environment, else the tenant's default. */
export function environmentOf(target: DeliveryTarget<ApnsDeviceExtras>, config: Pick<ApnsConfig, 'production'>): ApnsEnvironment {
  return target.extras?.apns?.environment ?? defaultEnvironment(config);
}

/**
 * The headers of one target's request.
 * - `apns-priority`: 10 for high, 5 for normal; background pushes always 5 (Apple requires it);
 * - `apns-expiration`: the message's expiry, createdAt + ttlSeconds in epoch seconds, so a retry does not restart
 *   the ttl (ttl 0 → 0: deliver once, do not store); absent without ttl;
 * - `apns-collapse-id`: the collapseKey; one longer than 64 bytes becomes its SHA-256 hex (64
 *   chars), so equal keys still collapse;
 * - `apns-topic`: overrides, then the device's topic, then the tenant's bundle id;
 * - `apns-id`: a UUID derived from the delivery id, so a resend carries the same id.
 */
export function buildApnsHeaders(
  message: OutgoingMessage,
  target: DeliveryTarget<ApnsDeviceExtras>,
  config: Pick<ApnsConfig, 'topic'>,
  overrides: ApnsOverrides = {},
): ApnsRequestHeaders {
  const pushType = apnsPushTypeOf(message, overrides);
  const priority: ApnsPriority = overrides.priority ?? (pushType === 'background' ? 5 : message.options.priority === 'high' ? 10 : 5);
  const headers: ApnsRequestHeaders = {
    'apns-push-type': pushType,
    'apns-priority': priority,
    'apns-topic': overrides.topic ?? target.extras?.apns?.topic ?? config.topic,
    'apns-id': apnsIdFor(target.deliveryId),
  };
  const expiry = expiryEpochSeconds(message);
  if (overrides.expiration !== undefined) headers['apns-expiration'] = overrides.expiration;
  else if (expiry !== undefined) headers['apns-expiration'] = message.options.ttlSeconds === 0 ? 0 : expiry;
  const collapse = overrides.collapseId ?? message.options.collapseKey;
  if (collapse) headers['apns-collapse-id'] = collapseIdOf(collapse);
  return headers;
}

export function collapseIdOf(key: string): string {
  return Buffer.byteLength(key) <= APNS_MAX_COLLAPSE_ID_BYTES ? key : createHash('sha256').update(key).digest('hex');
}

/** The namespace of pushgate's name-based (v5) apns-ids. */
const APNS_ID_NAMESPACE = Buffer.from('6b1f3a0e9c2d4f5a8e7b1c3d5f7a9b0c', 'hex');

/** RFC 9562 UUIDv5 of the delivery id: deterministic, canonical 8-4-4-4-12 as APNs requires. */
export function apnsIdFor(deliveryId: string): string {
  // One-shot crypto.hash over namespace ‖ id: a Hash object per target was most of this function's cost.
  const input = Buffer.allocUnsafe(APNS_ID_NAMESPACE.length + Buffer.byteLength(deliveryId, 'utf8'));
  APNS_ID_NAMESPACE.copy(input);
  input.write(deliveryId, APNS_ID_NAMESPACE.length, 'utf8');
  const bytes = hash('sha1', input, 'buffer');
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
