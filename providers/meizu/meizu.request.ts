/**
 * Pure request builders for `POST …/varnished/pushByPushId` (notification) and
 * `…/unvarnished/pushByPushId` (pass-through) (docs/vendors/meizu.md#endpoints, #request;
 * https://github.com/MEIZUPUSH/PushAPI): message + pushIds + config → the exact path and the signed
 * form fields. No I/O; the caller passes the clock reading.
 *
 * Mapping (what does not appear has no Meizu field on this API):
 * - notification.title/body → `noticeBarInfo.title`/`content`, cut to 32/100 characters with "…"
 *   (Meizu refuses longer ones with 1005), so an over-long text is still delivered.
 * - options.category → `noticeBarInfo.noticeMsgType` 0 public / 1 private (meizu.config.ts).
 * - clickAction app/intent/url → `clickTypeInfo.clickType` 0/1/2 (see `clickInfo`).
 * - data → `clickTypeInfo.parameters` (a JSON object the app reads when the notification is tapped).
 * - ttlSeconds → `pushTimeInfo`: `offLine:0` for 0 s ("now or never"), else `offLine:1` and
 *   `validTime` in whole hours of the time left (1..72); without a TTL Meizu's default 24 h.
 * - collapseKey → `advanceInfo.notifyKey` (≤ 8 characters; hashed when longer or not in Meizu's
 *   alphabet). Without one no key: messages do not replace each other.
 * - callbackUrl/callbackRef → `extra.callback`, `extra.callback.param`, `extra.callback.type` "1"
 *   (delivered); dropped, with `callbackDropped`, when the URL exceeds Meizu's 128 bytes.
 * - no notification → a pass-through message (`{content: <data JSON>}`) when the tenant enabled
 *   `passThrough`, else `MeizuRequestError`.
 * - overrides → this provider's own `options.overrides.meizu`, parsed by `meizuOverridesSchema` at
 *   accept and handed in as `SendBatch.overrides`; merged last.
 * Integers are sent as JSON numbers, the documented form (the Java SDK sends booleans for some flags
 * and the server reportedly takes both: UNVERIFIED, docs/vendors/meizu.md#request).
 * Idempotency: Meizu has no request id; a resend may be delivered twice (at least once).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { truncateChars } from '../shared/text.js';
import { remainingTtlSeconds } from '../shared/ttl.js';
import type { ClickAction, OutgoingMessage } from '../types.js';
import { meizuClassOf, type MeizuConfig } from './meizu.config.js';
import type { MeizuSigner } from './meizu.signer.js';
import {
  MEIZU_CALLBACK_MAX_BYTES,
  MEIZU_CALLBACK_PARAM_MAX_BYTES,
  MEIZU_CONTENT_MAX_CHARS,
  MEIZU_NOTIFY_KEY,
  MEIZU_TITLE_MAX_CHARS,
  MEIZU_UNVARNISHED_PATH,
  MEIZU_VALID_TIME_MAX_HOURS,
  MEIZU_VALID_TIME_MIN_HOURS,
  MEIZU_VARNISHED_PATH,
  MeizuClickType,
  MeizuNoticeMsgType,
  MeizuReceiptType,
  type MeizuNotificationJson,
  type MeizuPassThroughJson,
  type MeizuPushForm,
  type MeizuPushTimeInfo,
} from './meizu.wire.js';

const flag = z.union([z.literal(0), z.literal(1)]);

/**
 * `options.overrides.meizu`: the documented display fields a sender may set itself
 * (docs/vendors/meizu.md#request). Strict, so a typo is reported instead of silently sent. The
 * class (`noticeMsgType`) stays with the category, which also decides the quota class.
 */
export const meizuOverridesSchema = z
  .object({
    /** 0 standard, 2 Android native. */
    noticeBarType: z.union([z.literal(0), z.literal(2)]).optional(),
    noticeExpandInfo: z
      .object({ noticeExpandType: flag, noticeExpandContent: z.string().min(1).max(1000).optional() })
      .strict()
      .refine((v) => v.noticeExpandType === 0 || v.noticeExpandContent !== undefined, { error: 'noticeExpandType 1 (text) needs noticeExpandContent' })
      .optional(),
    advanceInfo: z
      .object({
        suspend: flag.optional(),
        clearNoticeBar: flag.optional(),
        notificationType: z.object({ vibrate: flag.optional(), lights: flag.optional(), sound: flag.optional() }).strict().optional(),
        notifyKey: z.string().regex(MEIZU_NOTIFY_KEY, 'notifyKey is ≤ 8 characters of 0-9 a-z A-Z _ -').optional(),
      })
      .strict()
      .optional(),
    /** Receipt types: 1 delivered, 2 clicked, 3 both (used only when a callback URL is set). */
    callbackType: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  })
  .strict();

export type MeizuOverrides = z.output<typeof meizuOverridesSchema>;

/** Thrown by the builders for a message Meizu cannot take as configured (the provider answers `rejected`). */
export class MeizuRequestError extends Error {
  override readonly name = 'MeizuRequestError';
}

export interface MeizuCallback {
  url: string;
  ref: string;
}

type BodyConfig = Pick<MeizuConfig, 'categories' | 'passThrough'>;

export interface MeizuMessageBody {
  path: typeof MEIZU_VARNISHED_PATH | typeof MEIZU_UNVARNISHED_PATH;
  json: MeizuNotificationJson | MeizuPassThroughJson;
  /** True when a callback URL was given but is longer than Meizu takes (no receipts for this message). */
  callbackDropped: boolean;
}

/** The endpoint and `messageJson` object for a message (no targets, no signature). */
export function buildMeizuMessage(message: OutgoingMessage, config: BodyConfig, nowMs: number, callback?: MeizuCallback, overrides?: MeizuOverrides): MeizuMessageBody {
  const pushTimeInfo = meizuPushTimeInfo(message, nowMs);
  const n = message.notification;
  if (!n) {
    if (!config.passThrough) throw new MeizuRequestError('Meizu takes data-only messages only as pass-through messages, which this tenant has not enabled (passThrough: true)');
    return { path: MEIZU_UNVARNISHED_PATH, json: { content: JSON.stringify(message.data), pushTimeInfo }, callbackDropped: false };
  }

  const json: MeizuNotificationJson = {
    noticeBarInfo: {
      noticeMsgType: MeizuNoticeMsgType[meizuClassOf(message.options.category, config)],
      noticeBarType: overrides?.noticeBarType ?? 0,
      title: truncateChars(n.title, MEIZU_TITLE_MAX_CHARS),
      content: truncateChars(n.body, MEIZU_CONTENT_MAX_CHARS),
    },
    clickTypeInfo: { ...clickInfo(n.clickAction), ...(Object.keys(message.data).length > 0 ? { parameters: { ...message.data } } : {}) },
    pushTimeInfo,
  };
  if (overrides?.noticeExpandInfo) json.noticeExpandInfo = { ...overrides.noticeExpandInfo };

  const advance: NonNullable<MeizuNotificationJson['advanceInfo']> = {};
  if (message.options.collapseKey !== undefined) advance.notifyKey = meizuNotifyKey(message.options.collapseKey);
  Object.assign(advance, overrides?.advanceInfo);
  if (Object.keys(advance).length > 0) json.advanceInfo = advance;

  let callbackDropped = false;
  if (callback) {
    if (Buffer.byteLength(callback.url, 'utf8') > MEIZU_CALLBACK_MAX_BYTES) {
      callbackDropped = true;
    } else {
      json.extra = {
        callback: callback.url,
        ...(Buffer.byteLength(callback.ref, 'utf8') <= MEIZU_CALLBACK_PARAM_MAX_BYTES ? { 'callback.param': callback.ref } : {}),
        'callback.type': String(overrides?.callbackType ?? MeizuReceiptType.delivered),
      };
    }
  }
  return { path: MEIZU_VARNISHED_PATH, json, callbackDropped };
}

export interface MeizuRequest {
  path: string;
  form: MeizuPushForm;
  callbackDropped: boolean;
}

/** The signed request for `pushIds` (1..100, distinct: the dispatcher's batch). */
export function buildMeizuRequest(
  message: OutgoingMessage,
  pushIds: readonly string[],
  config: BodyConfig & Pick<MeizuConfig, 'restrictedPackageNames'>,
  signer: MeizuSigner,
  nowMs: number,
  callback?: MeizuCallback,
  overrides?: MeizuOverrides,
): MeizuRequest {
  const { path, json, callbackDropped } = buildMeizuMessage(message, config, nowMs, callback, overrides);
  const packages = config.restrictedPackageNames?.length ? config.restrictedPackageNames.join(',') : undefined;
  const form = signer.signed({
    pushIds: pushIds.join(','),
    messageJson: JSON.stringify(json),
    ...(packages !== undefined ? { restrictedPackageNames: packages } : {}),
  });
  return { path, form, callbackDropped };
}

/** The form body as sent (URL-encoded; Meizu signs the raw values, the body carries them encoded). */
export function encodeMeizuForm(form: MeizuPushForm): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) if (value !== undefined) params.append(key, value);
  return params.toString();
}

/**
 * `pushTimeInfo` for the time left of the message's TTL at `nowMs`. `validTime` is whole hours
 * (1..72): rounded down so Meizu never keeps a message past its expiry, but at least Meizu's
 * minimum of 1 hour while any time is left; more than 72 h is capped at 72.
 */
export function meizuPushTimeInfo(message: Pick<OutgoingMessage, 'createdAt' | 'options'>, nowMs: number): MeizuPushTimeInfo {
  const left = remainingTtlSeconds(message, nowMs);
  if (left === undefined) return { offLine: 1, validTime: 24 };
  if (left === 0) return { offLine: 0 };
  const hours = Math.min(MEIZU_VALID_TIME_MAX_HOURS, Math.max(MEIZU_VALID_TIME_MIN_HOURS, Math.floor(left / 3600)));
  return { offLine: 1, validTime: hours };
}

/**
 * The click action. Meizu opens the app (0), an Activity given as `pkg.Activity` (1) or a URI (2);
 * clickType 3 (client-defined) is deprecated and never sent. An `intent` value that is a class name
 * becomes an Activity; any other intent value (an `intent:` or scheme URI) is sent as a URI, which is
 * how Meizu opens deep links (UNVERIFIED for `intent:` URIs, docs/vendors/meizu.md#request).
 */
function clickInfo(click: ClickAction | undefined): MeizuNotificationJson['clickTypeInfo'] {
  if (click?.type === 'url' && click.value) return { clickType: MeizuClickType.uri, url: click.value };
  if (click?.type === 'intent' && click.value) {
    return /^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)+$/.test(click.value) ? { clickType: MeizuClickType.activity, activity: click.value } : { clickType: MeizuClickType.uri, url: click.value };
  }
  return { clickType: MeizuClickType.app };
}

/** A collapse key as a `notifyKey`: itself when Meizu takes it, else 8 base64url characters of its SHA-256. */
export function meizuNotifyKey(collapseKey: string): string {
  if (MEIZU_NOTIFY_KEY.test(collapseKey)) return collapseKey;
  return createHash('sha256').update(collapseKey).digest('base64url').slice(0, 8);
}
