/**
 * Pure vivo request builders: (message, targets, config, ids…) → exact bodies and headers (docs/vendors/vivo.md#authentication, #request).
 * No I/O and no clock: the caller passes `now`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { remainingTtlSeconds } from '../shared/ttl.js';
import { truncateVivoText } from './vivo.text.js';

// Kept importable from here: the simulator and the tests read them from this module.
export { truncateVivoText, vivoTextWidth } from './vivo.text.js';
import { isMessageCategory, type MessageCategory } from '../categories.js';
import type { DeliveryTarget, OutgoingMessage } from '../types.js';
import type { VivoConfig } from './vivo.config.js';
import {
  VIVO_LIMITS,
  VIVO_SYSTEM_CATEGORIES,
  type VivoAuthRequest,
  type VivoCategory,
  type VivoClassification,
  type VivoExtra,
  type VivoMessagePayload,
  type VivoNotifyType,
  type VivoPushToListRequest,
  type VivoSaveListPayloadRequest,
  type VivoSendRequest,
  type VivoSkipType,
} from './vivo.wire.js';

// ---------------------------------------------------------------------------------------------
// Auth

/** md5(appId + appKey + timestamp + appSecret), lowercase hex, plain concatenation (docs/vendors/vivo.md#authentication). */
export function vivoSign(appId: string, appKey: string, timestamp: number, appSecret: string): string {
  return createHash('md5').update(`${appId}${appKey}${timestamp}${appSecret}`, 'utf8').digest('hex');
}

/**
 * appId goes out as a JSON number when it is numeric (vivo's Java SDK sends an int), else as a string.
 * UNVERIFIED which one vivo prefers; both are seen in public clients (docs/vendors/vivo.md#authentication).
 */
export function vivoAppIdValue(appId: string): number | string {
  if (/^\d{1,15}$/.test(appId)) {
    const n = Number(appId);
    if (Number.isSafeInteger(n) && String(n) === appId) return n;
  }
  return appId;
}

export function buildVivoAuthRequest(config: Pick<VivoConfig, 'appId' | 'appKey' | 'appSecret'>, now: number): VivoAuthRequest {
  return {
    appId: vivoAppIdValue(config.appId),
    appKey: config.appKey,
    timestamp: now,
    sign: vivoSign(config.appId, config.appKey, now, config.appSecret),
  };
}

/** Headers of every call but auth. */
export function vivoHeaders(authToken: string): Record<string, string> {
  return { authToken, 'content-type': 'application/json' };
}

// ---------------------------------------------------------------------------------------------
// Category → classification

/**
 * pushgate category → vivo second-level category (https://dev.vivo.com.cn/documentCenter/doc/359,
 * docs/vendors/vivo.md#categories). System categories (classification 1) have their own quota and no time window;
 * everything else is an operations message (classification 0: quota 2–3×, 07:00–23:00 Beijing only).
 *
 * | pushgate category                             | vivo category    | classification |
 * |-----------------------------------------------|------------------|----------------|
 * | im, chat, message, call, voip                 | IM               | 1 system       |
 * | account, security, finance                    | ACCOUNT          | 1 system       |
 * | order, logistics, payment                     | ORDER            | 1 system       |
 * | reminder, todo, schedule, calendar            | TODO             | 1 system       |
 * | device, device_reminder, alarm                | DEVICE_REMINDER  | 1 system       |
 * | subscription                                  | SUBSCRIPTION     | 1 system       |
 * | news                                          | NEWS             | 0 operations   |
 * | content, recommendation                       | CONTENT          | 0 operations   |
 * | marketing, promotion                          | MARKETING        | 0 operations   |
 * | social                                        | SOCIAL           | 0 operations   |
 * | travel, health, work, mail (no vivo match), absent | (none)      | 0 operations   |
 *
 * A tenant's `categories` map overrides this table per category.
 */
export const VIVO_CATEGORY_TABLE: Readonly<Record<MessageCategory, VivoCategory | undefined>> = {
  im: 'IM',
  chat: 'IM',
  message: 'IM',
  call: 'IM',
  voip: 'IM',
  account: 'ACCOUNT',
  security: 'ACCOUNT',
  finance: 'ACCOUNT',
  order: 'ORDER',
  logistics: 'ORDER',
  payment: 'ORDER',
  reminder: 'TODO',
  todo: 'TODO',
  schedule: 'TODO',
  calendar: 'TODO',
  device: 'DEVICE_REMINDER',
  device_reminder: 'DEVICE_REMINDER',
  alarm: 'DEVICE_REMINDER',
  subscription: 'SUBSCRIPTION',
  // vivo's list has no travel/health/work/mail class: sent unclassified, as vivo counts them.
  travel: undefined,
  health: undefined,
  work: undefined,
  mail: undefined,
  news: 'NEWS',
  content: 'CONTENT',
  recommendation: 'CONTENT',
  marketing: 'MARKETING',
  promotion: 'MARKETING',
  social: 'SOCIAL',
};

const SYSTEM: ReadonlySet<string> = new Set(VIVO_SYSTEM_CATEGORIES);

export interface VivoClass {
  classification: VivoClassification;
  category?: VivoCategory | undefined;
}

export function resolveVivoClass(category: string | undefined, config: Pick<VivoConfig, 'categories'>): VivoClass {
  if (!category) return { classification: 0 };
  const vivo = config.categories?.[category] ?? (isMessageCategory(category) ? VIVO_CATEGORY_TABLE[category] : undefined);
  if (!vivo) return { classification: 0 };
  return { classification: SYSTEM.has(vivo) ? 1 : 0, category: vivo };
}

/** The quota class of a category: vivo counts system and operations messages separately. */
export function vivoQuotaClass(category: string | undefined, config: Pick<VivoConfig, 'categories'>): 'system' | 'operation' {
  return resolveVivoClass(category, config).classification === 1 ? 'system' : 'operation';
}

// ---------------------------------------------------------------------------------------------
// Overrides (options.overrides.vivo)

/**
 * Vendor fields a sender may set per message. `classification`/`category` are deliberately not here: they
 * come from `options.category` (or the tenant's `categories` map) so that the quota class and the 07:00–23:00
 * window the core applies always agree with what vivo is told.
 */
export const vivoOverridesSchema = z
  .object({
    notifyType: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(),
    skipType: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(),
    skipContent: z.string().min(1).max(VIVO_LIMITS.skipIntentLength).optional(),
    networkType: z.union([z.literal(-1), z.literal(1)]).optional(),
    notifyId: z.number().int().min(1).max(2_147_483_647).optional(),
    profileId: z.string().min(1).max(64).optional(),
    sendOnline: z.boolean().optional(),
    foregroundShow: z.boolean().optional(),
    timedDisplay: z
      .object({
        overtimeDisplay: z.boolean(),
        showStartTime: z.union([z.string().regex(/^\d{13}$/), z.number().int().positive()]).transform(String),
        showEndTime: z.union([z.string().regex(/^\d{13}$/), z.number().int().positive()]).transform(String),
      })
      .strict()
      .optional(),
  })
  .strict();

export type VivoOverrides = z.output<typeof vivoOverridesSchema>;

// ---------------------------------------------------------------------------------------------
// Message payload

export interface VivoPayloadOptions {
  /** ms since epoch, for the remaining time to live. */
  now: number;
  /** true for saveListPayload (timeToLive ≥ 900 s), false for /message/send (≥ 60 s). */
  list: boolean;
  callbackUrl?: string | undefined;
  callbackRef?: string | undefined;
  /** `options.overrides.vivo`, parsed at accept (SendBatch.overrides). */
  overrides?: VivoOverrides | undefined;
}

export type VivoPayloadResult =
  | { ok: true; payload: VivoMessagePayload; warnings: string[] }
  | { ok: false; reason: string };

/** Stable positive int32 from a collapse key (numeric keys kept), for `notifyId` (replace the shown notification). */
export function vivoNotifyId(collapseKey: string): number {
  if (/^\d{1,10}$/.test(collapseKey)) {
    const n = Number(collapseKey);
    if (n >= 1 && n <= 2_147_483_647) return n;
  }
  const h = createHash('sha256').update(collapseKey, 'utf8').digest();
  return (h.readUInt32BE(0) % 2_147_483_646) + 1;
}

/**
 * The message fields shared by single and list pushes. Fails (→ `rejected`) only for what cannot be cut
 * safely: a data-only message (vivo's server API has notification messages only), an empty title/body, a
 * click URL or intent over vivo's limit, or a data map over 10 pairs / 1024 characters.
 */
export function buildVivoPayload(
  message: OutgoingMessage,
  config: Pick<VivoConfig, 'pushMode' | 'callbackId' | 'categories'>,
  opts: VivoPayloadOptions,
): VivoPayloadResult {
  const n = message.notification;
  if (!n) return { ok: false, reason: 'vivo delivers notification messages only: a data-only (silent) message cannot be sent through vivo' };
  const title = n.title.trim();
  const body = n.body.trim();
  if (!title || !body) return { ok: false, reason: 'vivo requires a non-empty notification title and body' };

  const ov: VivoOverrides = opts.overrides ?? {};
  const warnings: string[] = [];

  const high = message.options.priority === 'high';
  const notifyType: VivoNotifyType = ov.notifyType ?? (n.sound ? (high ? 4 : 2) : high ? 3 : 1);

  let skipType: VivoSkipType = 1;
  let skipContent: string | undefined;
  const click = n.clickAction;
  if (click?.type === 'url' && click.value) {
    skipType = 2;
    skipContent = click.value;
  } else if (click?.type === 'intent' && click.value) {
    // Since client SDK 480 custom clicks use skipType 4 with an intent URI (skipType 3 is gone).
    skipType = 4;
    skipContent = click.value;
  }
  if (ov.skipType !== undefined) {
    skipType = ov.skipType;
    skipContent = ov.skipContent ?? skipContent;
  } else if (ov.skipContent !== undefined) {
    skipContent = ov.skipContent;
  }
  if (skipType !== 1 && !skipContent) return { ok: false, reason: `vivo skipType ${skipType} needs skipContent (the URL or intent URI)` };
  if (skipType === 1) skipContent = undefined;
  const skipMax = skipType === 2 ? VIVO_LIMITS.skipUrlLength : VIVO_LIMITS.skipIntentLength;
  if (skipContent !== undefined && skipContent.length > skipMax) {
    return { ok: false, reason: `vivo click target is ${skipContent.length} characters, the limit is ${skipMax}` };
  }

  const entries = Object.entries(message.data);
  if (entries.length > VIVO_LIMITS.customMapPairs) {
    return { ok: false, reason: `vivo delivers at most ${VIVO_LIMITS.customMapPairs} data pairs (clientCustomMap), got ${entries.length}` };
  }
  const dataChars = entries.reduce((sum, [k, v]) => sum + k.length + v.length, 0);
  if (dataChars > VIVO_LIMITS.customMapChars) {
    return { ok: false, reason: `vivo data (clientCustomMap) is ${dataChars} characters, the limit is ${VIVO_LIMITS.customMapChars}` };
  }

  const cls = resolveVivoClass(message.options.category, config);
  const payload: VivoMessagePayload = {
    notifyType,
    title: truncateVivoText(title, VIVO_LIMITS.titleWidth),
    content: truncateVivoText(body, VIVO_LIMITS.contentWidth),
    skipType,
    classification: cls.classification,
    pushMode: config.pushMode,
  };
  if (payload.title !== title) warnings.push('title truncated to vivo limit');
  if (payload.content !== body) warnings.push('body truncated to vivo limit');
  if (skipContent !== undefined) payload.skipContent = skipContent;
  if (cls.category) payload.category = cls.category;

  // vivo refuses a TTL below its minimum: a short-lived message then lives a little longer rather than failing.
  const min = opts.list ? VIVO_LIMITS.listTtlMin : VIVO_LIMITS.singleTtlMin;
  let ttl = remainingTtlSeconds(message, opts.now, { min, max: VIVO_LIMITS.ttlMax });
  // A list payload is saved once and its taskId reused by the message's next batches, keyed by the exact payload:
  // whole minutes keep that key stable across the seconds a large message takes, instead of saving (and spending
  // vivo's daily list-payload quota on) a new payload every second. Rounded down: never past the expiry.
  if (ttl !== undefined && opts.list) ttl = Math.max(min, ttl - (ttl % 60));
  if (ttl !== undefined) payload.timeToLive = ttl;
  if (entries.length > 0) payload.clientCustomMap = { ...message.data };

  const extra: VivoExtra = {};
  if (config.callbackId) extra['callback.id'] = config.callbackId;
  if (opts.callbackUrl) {
    if (opts.callbackUrl.length <= VIVO_LIMITS.callbackUrlLength) extra.callback = opts.callbackUrl;
    else warnings.push(`callback URL longer than ${VIVO_LIMITS.callbackUrlLength} characters: receipts not requested`);
  }
  if ((extra.callback || extra['callback.id']) && opts.callbackRef) {
    // Receipts still map back through taskId + regId when the ref is too long to echo.
    if (opts.callbackRef.length <= VIVO_LIMITS.callbackParamLength) extra['callback.param'] = opts.callbackRef;
    else warnings.push(`callbackRef longer than ${VIVO_LIMITS.callbackParamLength} characters: not echoed`);
  }
  if (Object.keys(extra).length > 0) payload.extra = extra;

  if (message.options.collapseKey) payload.notifyId = vivoNotifyId(message.options.collapseKey);
  if (ov.notifyId !== undefined) payload.notifyId = ov.notifyId;
  if (ov.networkType !== undefined) payload.networkType = ov.networkType;
  if (ov.profileId !== undefined) payload.profileId = ov.profileId;
  if (ov.sendOnline !== undefined) payload.sendOnline = ov.sendOnline;
  if (ov.foregroundShow !== undefined) payload.foregroundShow = ov.foregroundShow;
  if (ov.timedDisplay !== undefined) payload.timedDisplay = ov.timedDisplay;
  return { ok: true, payload, warnings };
}

// ---------------------------------------------------------------------------------------------
// Idempotency ids (requestId ≤ 64 chars, vivo's idempotency key)

function hashId(prefix: string, input: string): string {
  return prefix + createHash('sha256').update(input, 'utf8').digest('hex').slice(0, VIVO_LIMITS.requestIdLength - prefix.length);
}

/** Single push: the delivery id itself when it fits (readable in vivo's console), else its hash. */
export function vivoSingleRequestId(deliveryId: string): string {
  return /^[\x21-\x7e]{1,64}$/.test(deliveryId) ? deliveryId : hashId('d', deliveryId);
}

/** List push: a hash of the batch's delivery ids (order-independent), so the same batch resent is recognised. */
export function vivoListRequestId(deliveryIds: readonly string[]): string {
  return hashId('l', [...deliveryIds].sort().join('\n'));
}

/** saveListPayload: one id per (message, exact payload), so every batch of a message can share one taskId. */
export function vivoPayloadRequestId(messageId: string, payload: VivoMessagePayload): string {
  return hashId('p', `${messageId}\n${JSON.stringify(payload)}`);
}

// ---------------------------------------------------------------------------------------------
// Bodies

export function buildVivoSendRequest(payload: VivoMessagePayload, config: Pick<VivoConfig, 'appId'>, target: DeliveryTarget): VivoSendRequest {
  return { appId: vivoAppIdValue(config.appId), regId: target.token, requestId: vivoSingleRequestId(target.deliveryId), ...payload };
}

export function buildVivoSaveListPayloadRequest(
  payload: VivoMessagePayload,
  config: Pick<VivoConfig, 'appId'>,
  requestId: string,
): VivoSaveListPayloadRequest {
  return { appId: vivoAppIdValue(config.appId), requestId, ...payload };
}

export function buildVivoPushToListRequest(
  config: Pick<VivoConfig, 'appId' | 'pushMode'>,
  targets: readonly DeliveryTarget[],
  taskId: string,
): VivoPushToListRequest {
  return {
    appId: vivoAppIdValue(config.appId),
    regIds: targets.map((t) => t.token),
    taskId,
    requestId: vivoListRequestId(targets.map((t) => t.deliveryId)),
    pushMode: config.pushMode,
  };
}
