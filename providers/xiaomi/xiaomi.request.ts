/**
 * Pure request builders for `POST /v3/message/regid` (docs/vendors/xiaomi.md#endpoints, #request;
 * https://dev.mi.com/xiaomihyperos/documentation/detail?pId=1559): message + regIds + config →
 * the exact path, headers and form fields. No I/O; the caller passes the clock reading.
 *
 * Mapping (what does not appear has no Xiaomi field on this API):
 * - notification.title/body → `title`/`description`, cut to 49/127 characters (Xiaomi: "under
 *   50/128", every character counts 1) with "…" as the last character, so an over-long text is
 *   still delivered instead of failing with 65009. image/sound/badge and options.priority have no
 *   field in the documented v3 form and are dropped (a tenant may pass vendor extras through
 *   `overrides.xiaomi`).
 * - no notification → `pass_through=1` (data-only); else `pass_through=0` with `notify_type`.
 * - data → `payload` (JSON). Not also as `extra.<key>`: Xiaomi allows ≤10 custom extra keys.
 * - clickAction app/intent/url → `extra.notify_effect` 1/2/3 with `extra.intent_uri`/`extra.web_uri`.
 * - collapseKey → `notify_id` (stable hash); without one the message id is hashed instead, because
 *   messages with the same notify_id replace each other and Xiaomi's default is one shared id
 *   (pId=1559: "by default the notification bar shows only one message").
 * - ttlSeconds → `time_to_live` in milliseconds: the time left of it at `nowMs` (a retry does not restart it).
 * - options.category → `extra.channel_id` from the tenant's `channels` map (docs/vendors/xiaomi.md#categories).
 * - callbackUrl/callbackRef → `extra.callback`, `extra.callback.param`, `extra.callback.type`.
 * - overrides.xiaomi → validated by `xiaomiOverridesSchema`, merged last.
 * Idempotency: Xiaomi has no request id (docs/vendors/xiaomi.md#request); a resend may be delivered twice (at least once).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { truncateChars } from '../shared/text.js';
import { remainingTtlSeconds } from '../shared/ttl.js';
import type { OutgoingMessage } from '../types.js';
import type { XiaomiConfig } from './xiaomi.config.js';
import {
  XIAOMI_DESCRIPTION_MAX_CHARS,
  XIAOMI_NOTIFY_ID_MAX,
  XIAOMI_REGID_PATH,
  XIAOMI_TITLE_MAX_CHARS,
  XiaomiReceiptType,
  type XiaomiRegIdForm,
} from './xiaomi.wire.js';

/**
 * Receipt types we ask for: delivered, invalid target (prune) and quota exceeded (docs/vendors/xiaomi.md#receipts; the
 * values are bits, so 1|16|128 = 145). Clicks (2) are left out to spare the receipt endpoint a
 * callback per tap; a tenant that wants them sets `overrides.xiaomi.extra["callback.type"]`.
 */
export const XIAOMI_CALLBACK_TYPE = XiaomiReceiptType.delivered | XiaomiReceiptType.invalidTarget | XiaomiReceiptType.quotaExceeded;

/** An integer given as a number or a decimal string, within [min, max]. */
const intLike = (min: number, max: number) =>
  z
    .union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)])
    .pipe(z.number().int().min(min).max(max));

/**
 * `options.overrides.xiaomi`: the documented fields a sender may set itself (docs/vendors/xiaomi.md#request). Strict, so a
 * typo or an undocumented key is reported instead of silently sent. `extra.callback` and
 * `extra.callback.param` are owned by pushgate (receipts map back through them).
 */
export const xiaomiOverridesSchema = z
  .object({
    notify_type: intLike(-1, 7).optional(),
    /** Scheduled send time, ms since epoch (Xiaomi allows ≤ 7 days ahead). */
    time_to_send: intLike(1, Number.MAX_SAFE_INTEGER).optional(),
    extra: z
      .object({
        notify_effect: intLike(1, 3).optional(),
        intent_uri: z.string().min(1).max(1024).optional(),
        web_uri: z.url().max(1024).optional(),
        notify_foreground: intLike(0, 1).optional(),
        channel_id: z.string().min(1).max(200).optional(),
        channel_name: z.string().min(1).max(200).optional(),
        jobkey: z.string().min(1).max(256).optional(),
        /** UNVERIFIED exact semantics (docs/vendors/xiaomi.md#request). */
        only_send_once: intLike(0, 1).optional(),
        template_id: z.string().min(1).max(200).optional(),
        template_param: z.string().min(1).max(1024).optional(),
        'callback.type': intLike(1, 2047).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type XiaomiOverrides = z.output<typeof xiaomiOverridesSchema>;

export interface XiaomiRequest {
  path: string;
  headers: Record<string, string>;
  form: XiaomiRegIdForm;
}

export interface XiaomiCallback {
  url: string;
  ref: string;
}

type RequestConfig = Pick<XiaomiConfig, 'appSecret' | 'packageName' | 'channels' | 'notifyType'>;

export function xiaomiHeaders(config: Pick<XiaomiConfig, 'appSecret'>): Record<string, string> {
  return {
    // Lowercase `key`, then `=` (docs/vendors/xiaomi.md#authentication).
    Authorization: `key=${config.appSecret}`,
    'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
  };
}

export function buildXiaomiRequest(
  message: OutgoingMessage,
  regIds: readonly string[],
  config: RequestConfig,
  nowMs: number,
  callback?: XiaomiCallback,
  overrides?: XiaomiOverrides,
): XiaomiRequest {
  const n = message.notification;
  const form: XiaomiRegIdForm = {
    registration_id: regIds.join(','),
    restricted_package_name: config.packageName,
    pass_through: n ? '0' : '1',
  };
  if (n) {
    form.title = truncateChars(n.title, XIAOMI_TITLE_MAX_CHARS);
    form.description = truncateChars(n.body, XIAOMI_DESCRIPTION_MAX_CHARS);
    form.notify_type = String(config.notifyType);
    form.notify_id = String(xiaomiNotifyId(message.options.collapseKey ?? message.id));
  }
  if (!n || Object.keys(message.data).length > 0) form.payload = JSON.stringify(message.data);
  // Xiaomi counts milliseconds; a 0 s TTL ("now or never") becomes the smallest useful 1 s.
  const ttl = remainingTtlSeconds(message, nowMs, { min: 1 });
  if (ttl !== undefined) form.time_to_live = String(ttl * 1000);

  const channelId = xiaomiChannelFor(message.options.category, config.channels);
  if (channelId !== undefined) form['extra.channel_id'] = channelId;

  const click = n?.clickAction;
  if (click) {
    // intent/url without a value cannot be expressed (Xiaomi would answer 10016): open the app.
    if (click.type === 'intent' && click.value) {
      form['extra.notify_effect'] = '2';
      form['extra.intent_uri'] = click.value;
    } else if (click.type === 'url' && click.value) {
      form['extra.notify_effect'] = '3';
      form['extra.web_uri'] = click.value;
    } else {
      form['extra.notify_effect'] = '1';
    }
  }

  if (callback) {
    form['extra.callback'] = callback.url;
    form['extra.callback.param'] = callback.ref;
    form['extra.callback.type'] = String(XIAOMI_CALLBACK_TYPE);
  }

  if (overrides) {
    if (overrides.notify_type !== undefined && n) form.notify_type = String(overrides.notify_type);
    if (overrides.time_to_send !== undefined) form.time_to_send = String(overrides.time_to_send);
    for (const [key, value] of Object.entries(overrides.extra ?? {})) {
      if (value === undefined) continue;
      if (key === 'callback.type' && !callback) continue; // meaningless without a callback URL
      form[`extra.${key}`] = String(value);
    }
  }

  return { path: XIAOMI_REGID_PATH, headers: xiaomiHeaders(config), form };
}

/** The form body as sent (URL-encoded; commas in `registration_id` become %2C, as the SDK does). */
export function encodeXiaomiForm(form: XiaomiRegIdForm): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) if (value !== undefined) params.append(key, value);
  return params.toString();
}

/** `channels[category]`, else `channels.default`, else none (Xiaomi's unclassified channel). */
export function xiaomiChannelFor(category: string | undefined, channels: Record<string, string>): string | undefined {
  if (category !== undefined && Object.hasOwn(channels, category)) return channels[category];
  return Object.hasOwn(channels, 'default') ? channels.default : undefined;
}

/** A stable `notify_id` in 0..2147483647 for a collapse key (first 31 bits of its SHA-256). */
export function xiaomiNotifyId(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) & XIAOMI_NOTIFY_ID_MAX;
}
