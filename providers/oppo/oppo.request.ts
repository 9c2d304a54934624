/**
 * Pure OPPO request builders: (message, targets, config, clock reading, callback) → the exact form fields.
 * Field rules: docs/vendors/oppo.md#request and https://open.oppomobile.com/new/developmentDoc/info?id=11236.
 * Lengths are counted in characters (code points): OPPO counts CJK, Latin and emoji alike as one.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { countChars, truncateChars } from '../shared/text.js';
import { remainingTtlSeconds } from '../shared/ttl.js';
import { isMessageCategory, type MessageCategory } from '../categories.js';
import type { ClickAction, OutgoingMessage } from '../types.js';
import type { OppoConfig } from './oppo.config.js';
import {
  OPPO_CONTENT_CATEGORIES,
  OPPO_PATHS,
  OPPO_SERVICE_CATEGORIES,
  type OppoAuthForm,
  type OppoCategory,
  type OppoNotification,
  type OppoNotifyLevel,
  type OppoUnicastMessage,
} from './oppo.wire.js';

export const OPPO_LIMITS = {
  /** Messages per unicast_batch. */
  batch: 1000,
  title: 50,
  subTitle: 10,
  /**
   * docs/vendors/oppo.md#request gives ≤200 overall; OPPO's field doc (copied in modood `oppopush/message.go`)
   * says 50 for style 1 and 128 for style 2. UNVERIFIED which holds
   * (https://open.oppomobile.com/new/developmentDoc/info?id=11236): we send style 2 above 50
   * characters and truncate at 200.
   */
  content: 200,
  contentStandardStyle: 50,
  actionParameters: 4000,
  callbackUrl: 200,
  callbackParameter: 100,
  /** 10 days; OPPO clamps longer values to 10 days. */
  offLineTtlSeconds: 864_000,
  clickActionActivity: 500,
  clickActionUrl: 2000,
} as const;

// ---------------------------------------------------------------- categories

const SERVICE = new Set<string>(OPPO_SERVICE_CATEGORIES);

/**
 * pushgate category → OPPO `category` (since 2024-11-20; https://open.oppomobile.com/new/developmentDoc/info?id=13189).
 * Keyed by `MessageCategory`: every pushgate category is listed, OPPO's own names are not categories.
 *
 * | pushgate                        | OPPO            | class     | notify_level            |
 * |---------------------------------|-----------------|-----------|-------------------------|
 * | im, chat, message, call, voip   | IM              | service   | 16                      |
 * | account, security, finance      | ACCOUNT         | service   | config.notifyLevel ?? 2 |
 * | reminder, todo, schedule, calendar | TODO         | service   | config.notifyLevel ?? 2 |
 * | device, device_reminder, alarm  | DEVICE_REMINDER | service   | config.notifyLevel ?? 2 |
 * | order, logistics, payment       | ORDER           | service   | config.notifyLevel ?? 2 |
 * | subscription                    | SUBSCRIPTION    | service   | config.notifyLevel ?? 2 |
 * | news                            | NEWS            | marketing | min(config ?? 2, 2)     |
 * | content, recommendation         | CONTENT         | marketing | min(config ?? 2, 2)     |
 * | social                          | SOCIAL          | marketing | min(config ?? 2, 2)     |
 * | marketing, promotion            | MARKETING       | marketing | min(config ?? 1, 2)     |
 * | travel, health, work, mail, none | (omitted)      | marketing | (omitted: needs a category) |
 *
 * OPPO counts unclassified messages as content & marketing for quotas (docs/vendors/oppo.md#rate-limits-and-quotas).
 */
export const OPPO_CATEGORY_MAP: Readonly<Record<MessageCategory, OppoCategory | undefined>> = {
  im: 'IM',
  chat: 'IM',
  message: 'IM',
  call: 'IM',
  voip: 'IM',
  account: 'ACCOUNT',
  security: 'ACCOUNT',
  finance: 'ACCOUNT',
  reminder: 'TODO',
  todo: 'TODO',
  schedule: 'TODO',
  calendar: 'TODO',
  device: 'DEVICE_REMINDER',
  device_reminder: 'DEVICE_REMINDER',
  alarm: 'DEVICE_REMINDER',
  order: 'ORDER',
  logistics: 'ORDER',
  payment: 'ORDER',
  subscription: 'SUBSCRIPTION',
  // OPPO's list has no travel/health/work/mail class: sent unclassified, as OPPO counts them.
  travel: undefined,
  health: undefined,
  work: undefined,
  mail: undefined,
  news: 'NEWS',
  content: 'CONTENT',
  recommendation: 'CONTENT',
  social: 'SOCIAL',
  marketing: 'MARKETING',
  promotion: 'MARKETING',
};

/** Undefined for no category, one with no OPPO class, or one stored before the list was closed. */
export function oppoCategoryOf(category: string | undefined): OppoCategory | undefined {
  return isMessageCategory(category) ? OPPO_CATEGORY_MAP[category] : undefined;
}

export function isServiceCategory(category: OppoCategory | undefined): boolean {
  return category !== undefined && SERVICE.has(category);
}

/** OPPO's two quota classes: communication & service (unlimited once granted) and content & marketing. */
export function oppoQuotaClass(category: string | undefined): 'service' | 'marketing' {
  return isServiceCategory(oppoCategoryOf(category)) ? 'service' : 'marketing';
}

/** notify_level for an OPPO category (table above); undefined without a category (OPPO answers 67). */
export function notifyLevelFor(category: OppoCategory | undefined, config: Pick<OppoConfig, 'notifyLevel'>): OppoNotifyLevel | undefined {
  if (!category) return undefined;
  if (category === 'IM') return 16;
  if (SERVICE.has(category)) return config.notifyLevel ?? 2;
  const wanted = config.notifyLevel ?? (category === 'MARKETING' ? 1 : 2);
  return wanted === 16 ? 2 : wanted;
}

// ---------------------------------------------------------------- overrides

const chars = (max: number) => z.string().refine((s) => countChars(s) <= max, `at most ${max} characters`);
const jsonObjectString = z
  .string()
  .max(OPPO_LIMITS.actionParameters)
  .refine((s) => {
    try {
      const v: unknown = JSON.parse(s);
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    } catch {
      return false;
    }
  }, 'a JSON object as a string');

/** `options.overrides.oppo`: notification fields passed through as OPPO names them (docs/vendors/oppo.md#request). */
export const oppoOverridesSchema = z
  .object({
    style: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
    sub_title: chars(OPPO_LIMITS.subTitle).optional(),
    channel_id: z.string().min(1).max(200).optional(),
    category: z.enum([...OPPO_SERVICE_CATEGORIES, ...OPPO_CONTENT_CATEGORIES]).optional(),
    notify_level: z.union([z.literal(1), z.literal(2), z.literal(16)]).optional(),
    click_action_type: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(4), z.literal(5)]).optional(),
    click_action_activity: z.string().min(1).max(OPPO_LIMITS.clickActionActivity).optional(),
    click_action_url: z.string().min(1).max(OPPO_LIMITS.clickActionUrl).optional(),
    action_parameters: jsonObjectString.optional(),
    off_line: z.boolean().optional(),
    off_line_ttl: z.number().int().min(1).max(OPPO_LIMITS.offLineTtlSeconds).optional(),
    notify_id: z.number().int().min(1).max(2_147_483_647).optional(),
    show_ttl: z.number().int().min(0).max(86_400).optional(),
    show_time_type: z.union([z.literal(0), z.literal(1)]).optional(),
    show_start_time: z.number().int().positive().optional(),
    show_end_time: z.number().int().positive().optional(),
    network_type: z.union([z.literal(0), z.literal(1)]).optional(),
    big_picture_id: z.string().min(1).max(200).optional(),
    small_picture_id: z.string().min(1).max(200).optional(),
    private_msg_template_id: z.string().min(1).max(200).optional(),
    private_title_parameters: jsonObjectString.optional(),
    private_content_parameters: jsonObjectString.optional(),
    /** Message-level: the device drops the message if its regId no longer matches. */
    verify_registration_id: z.boolean().optional(),
  })
  .strict();

export type OppoOverrides = z.infer<typeof oppoOverridesSchema>;

// ---------------------------------------------------------------- small pure helpers

/**
 * `app_message_id`: OPPO sends a unicast with the same app_message_id to the same target only once,
 * so a resend of the same delivery is dropped by OPPO. The delivery id itself when short and plain;
 * otherwise a sha256 prefix of it (OPPO's length bound is UNVERIFIED; 64 is a conservative guess).
 */
export function appMessageIdFor(deliveryId: string): string {
  if (/^[0-9A-Za-z_.:-]{1,64}$/.test(deliveryId)) return deliveryId;
  return `pg-${createHash('sha256').update(deliveryId).digest('hex').slice(0, 40)}`;
}

/** `notify_id` (an int) from collapseKey: the number itself when it is one, else a stable 31-bit FNV-1a hash. */
export function notifyIdFor(collapseKey: string): number {
  if (/^[1-9]\d{0,8}$/.test(collapseKey)) return Number(collapseKey);
  let h = 0x811c9dc5;
  for (let i = 0; i < collapseKey.length; i++) {
    h ^= collapseKey.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h & 0x7fffffff) || 1;
}

/**
 * clickAction → click_action_type: none or `app` without value → 0 (open app); `app` with value →
 * 1 (activity by action name, `click_action_activity`); `url` → 2 (`click_action_url`); `intent`
 * whose value is a URI (`intent:…`, `scheme://…`) → 5 (intent scheme URL), other `intent` values →
 * 4 (activity by full class name).
 */
export function clickActionFields(
  click: ClickAction | undefined,
): Pick<OppoNotification, 'click_action_type' | 'click_action_activity' | 'click_action_url'> {
  const value = click?.value;
  if (!click || !value) return { click_action_type: 0 };
  switch (click.type) {
    case 'app':
      return { click_action_type: 1, click_action_activity: value };
    case 'url':
      return { click_action_type: 2, click_action_url: value };
    case 'intent':
      return /^intent:|^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)
        ? { click_action_type: 5, click_action_url: value }
        : { click_action_type: 4, click_action_activity: value };
  }
}

// ---------------------------------------------------------------- builders

export interface OppoCallback {
  callbackUrl?: string | undefined;
  callbackRef?: string | undefined;
}

export type BuiltNotification =
  | { ok: true; notification: OppoNotification; verifyRegistrationId?: boolean | undefined }
  | { ok: false; reason: string };

/**
 * The `notification` shared by every target (without `app_message_id`, which is per delivery).
 * Data-only messages are refused: OPPO's server API has notification messages only, no
 * pass-through (https://open.oppomobile.com/new/developmentDoc/info?id=11236).
 */
export function buildOppoNotification(message: OutgoingMessage, config: OppoConfig, nowMs: number, callback: OppoCallback = {}, overrides?: OppoOverrides): BuiltNotification {
  const n = message.notification;
  if (!n) {
    return { ok: false, reason: 'OPPO Push has no data-only (pass-through) messages: give the message a notification, or reach these devices through another provider' };
  }
  const o: OppoOverrides = overrides ?? {};

  const content = truncateChars(n.body, OPPO_LIMITS.content);
  const out: OppoNotification = {
    title: truncateChars(n.title, OPPO_LIMITS.title),
    content,
    ...clickActionFields(n.clickAction),
  };
  if (countChars(content) > OPPO_LIMITS.contentStandardStyle) out.style = 2;

  const dataKeys = Object.keys(message.data);
  if (dataKeys.length > 0) {
    const json = JSON.stringify(message.data);
    if (json.length > OPPO_LIMITS.actionParameters && o.action_parameters === undefined) {
      return { ok: false, reason: `data is ${json.length} characters as JSON; OPPO action_parameters allows ${OPPO_LIMITS.actionParameters}` };
    }
    out.action_parameters = json;
  }

  if (message.options.ttlSeconds === 0) {
    out.off_line = false;
  } else {
    out.off_line = true;
    // The time left of the ttl at this attempt: a retry does not restart it.
    const ttl = remainingTtlSeconds(message, nowMs, { min: 1, max: OPPO_LIMITS.offLineTtlSeconds });
    if (ttl !== undefined) out.off_line_ttl = ttl;
  }

  if (message.options.collapseKey) out.notify_id = notifyIdFor(message.options.collapseKey);

  const pgCategory = message.options.category;
  const channel = (pgCategory ? config.channels?.[pgCategory] : undefined) ?? config.channelId;
  if (channel) out.channel_id = channel;

  const category = o.category ?? oppoCategoryOf(pgCategory);
  if (category) {
    out.category = category;
    const level = o.notify_level ?? notifyLevelFor(category, config);
    if (level !== undefined) out.notify_level = level;
  } else if (o.notify_level !== undefined) {
    out.notify_level = o.notify_level; // OPPO will answer 67: passed through as asked
  }

  if (callback.callbackUrl && callback.callbackUrl.length <= OPPO_LIMITS.callbackUrl) {
    out.call_back_url = callback.callbackUrl;
    // Longer refs cannot be echoed; receipts then map back by messageId instead.
    if (callback.callbackRef && countChars(callback.callbackRef) <= OPPO_LIMITS.callbackParameter) {
      out.call_back_parameter = callback.callbackRef;
    }
  }

  const { verify_registration_id: verify, category: _c, notify_level: _l, ...passThrough } = o;
  Object.assign(out, passThrough);
  return { ok: true, notification: out, verifyRegistrationId: verify };
}

export interface OppoTargetRef {
  deliveryId: string;
  token: string;
}

export type BuiltSend =
  | {
      ok: true;
      /** unicast for one target, unicast_batch otherwise. */
      path: string;
      /** Form fields without `auth_token` (added at send time by `encodeOppoSendForm`). */
      form: { message: string } | { messages: string };
      messages: OppoUnicastMessage[];
    }
  | { ok: false; reason: string };

/** The unicast or unicast_batch request for these targets (≤1000, one message each). */
export function buildOppoSend(
  message: OutgoingMessage,
  targets: readonly OppoTargetRef[],
  config: OppoConfig,
  nowMs: number,
  callback: OppoCallback = {},
  overrides?: OppoOverrides,
): BuiltSend {
  if (targets.length === 0) return { ok: false, reason: 'no targets' };
  if (targets.length > OPPO_LIMITS.batch) return { ok: false, reason: `at most ${OPPO_LIMITS.batch} targets per unicast_batch, got ${targets.length}` };
  const built = buildOppoNotification(message, config, nowMs, callback, overrides);
  if (!built.ok) return built;
  const messages = targets.map((t): OppoUnicastMessage => {
    const m: OppoUnicastMessage = {
      target_type: 2,
      target_value: t.token,
      notification: { ...built.notification, app_message_id: appMessageIdFor(t.deliveryId) },
    };
    if (built.verifyRegistrationId !== undefined) m.verify_registration_id = built.verifyRegistrationId;
    return m;
  });
  if (messages.length === 1) {
    return { ok: true, path: OPPO_PATHS.unicast, form: { message: JSON.stringify(messages[0]) }, messages };
  }
  return { ok: true, path: OPPO_PATHS.unicastBatch, form: { messages: JSON.stringify(messages) }, messages };
}

export const OPPO_FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' } as const;

/**
 * The send body: the built fields plus `auth_token` as a form field (docs/vendors/oppo.md#authentication; OPPO-go `httpbase.go`).
 * The 2018 OPPO-java copy (`util/HttpClient.java`) sends an `auth_token` header instead; the simulator
 * accepts both. UNVERIFIED which OPPO prefers (https://open.oppomobile.com/new/developmentDoc/info?id=11238).
 */
export function encodeOppoSendForm(form: Record<string, string>, authToken: string): string {
  return new URLSearchParams({ ...form, auth_token: authToken }).toString();
}

/** sign = sha256(appKey + timestamp + masterSecret), lowercase hex (OPPO-java `SHA256Utils`). */
export function oppoSign(appKey: string, timestamp: string, masterSecret: string): string {
  return createHash('sha256').update(appKey + timestamp + masterSecret, 'utf8').digest('hex');
}

/** `/server/v1/auth` form for the given clock reading (13-digit ms). */
export function buildOppoAuthForm(appKey: string, masterSecret: string, nowMs: number): OppoAuthForm {
  const timestamp = String(Math.floor(nowMs));
  return { app_key: appKey, timestamp, sign: oppoSign(appKey, timestamp, masterSecret) };
}

export function encodeOppoAuthForm(form: OppoAuthForm): string {
  return new URLSearchParams({ ...form }).toString();
}
