/**
 * Xiaomi MiPush server API wire types (docs/vendors/xiaomi.md; https://dev.mi.com/xiaomihyperos/documentation/detail?pId=1559).
 * Types and constants only: builders live in xiaomi.request.ts, the outcome table in xiaomi.errors.ts.
 */

/** Send the same message to up to 1000 regIds (docs/vendors/xiaomi.md#endpoints). */
export const XIAOMI_REGID_PATH = '/v3/message/regid';

/** Most regIds one `registration_id` field may carry (docs/vendors/xiaomi.md#limits; Tencent TPNS vendor-limit page). */
export const XIAOMI_MAX_REGIDS = 1000;

/** "under 50 characters" / "under 128 characters", each CJK or Latin character counting as 1 (docs/vendors/xiaomi.md#request, pId=1559). */
export const XIAOMI_TITLE_MAX_CHARS = 49;
export const XIAOMI_DESCRIPTION_MAX_CHARS = 127;

/** `notify_id` range (docs/vendors/xiaomi.md#request). */
export const XIAOMI_NOTIFY_ID_MAX = 2147483647;

/** Regional hosts (docs/vendors/xiaomi.md#endpoints, pId=1696/1566/1705/1698). */
export const XIAOMI_REGION_HOSTS = {
  china: 'https://api.xmpush.xiaomi.com',
  russia: 'https://ru-api.xmpush.global.xiaomi.com',
  india: 'https://idmb-api.xmpush.global.xiaomi.com',
  europe: 'https://fr-api.xmpush.global.xiaomi.com',
  singapore: 'https://sgp-api.xmpush.global.xiaomi.com',
  /** Legacy global host; new overseas apps must use their region's host. */
  global: 'https://api.xmpush.global.xiaomi.com',
} as const;

export type XiaomiRegion = keyof typeof XIAOMI_REGION_HOSTS;

/**
 * Receipt types; they are also the bits of `extra.callback.type` (docs/vendors/xiaomi.md#receipts: "default 3 = 1+2").
 */
export const XiaomiReceiptType = {
  delivered: 1,
  clicked: 2,
  invalidTarget: 16,
  disabledByApp: 32,
  filtered: 64,
  quotaExceeded: 128,
  ttlExpired: 1024,
} as const;

/**
 * Form fields of `POST /v3/message/regid` (docs/vendors/xiaomi.md#request). All values travel as strings in an
 * `application/x-www-form-urlencoded` body; `extra.*` keys are literal dotted field names.
 */
export interface XiaomiRegIdForm {
  registration_id: string;
  restricted_package_name: string;
  /** '0' notification bar message, '1' pass-through (data) message. */
  pass_through: '0' | '1';
  title?: string;
  description?: string;
  /** JSON of the data map; the app reads it from MiPushMessage.getContent(). */
  payload?: string;
  notify_type?: string;
  notify_id?: string;
  /** Offline cache time in milliseconds. */
  time_to_live?: string;
  /** Scheduled send time, ms since epoch, ≤ 7 days ahead. */
  time_to_send?: string;
  [extraField: `extra.${string}`]: string | undefined;
}

/** Every MiPush answer (docs/vendors/xiaomi.md#error-codes-and-outcomes; XM-JavaSDK `Result.java`). */
export interface XiaomiResponse {
  result?: 'ok' | 'error' | string;
  code?: number | string;
  trace_id?: string;
  description?: string;
  info?: string;
  reason?: string;
  data?: XiaomiResponseData;
}

export interface XiaomiResponseData {
  /** The message id; receipts are keyed by it. */
  id?: string;
  /** Comma-separated regIds that were invalid (prune them). */
  bad_regids?: string;
  /** Public-message daily quota and how much of it is used (pId=1656). */
  day_quota?: number | string;
  day_acked?: number | string;
}

/** One entry of a receipt's `data` JSON object, keyed by message id (docs/vendors/xiaomi.md#receipts). */
export interface XiaomiReceiptEntry {
  type: number | string;
  /** Comma-separated regIds (or aliases) the receipt is about. */
  targets?: string;
  /** Our `extra.callback.param`, echoed. */
  param?: string;
  timestamp?: number;
  jobkey?: string;
  /** UNVERIFIED field (docs/vendors/xiaomi.md#receipts). */
  barStatus?: string;
  extra?: Record<string, unknown>;
}

/** Error codes the gateway acts on (docs/vendors/xiaomi.md#error-codes-and-outcomes; pId=1560, XM-JavaSDK `ErrorCode.java`, 200001 from pId=1656). */
export const XiaomiCode = {
  success: 0,
  unknown: -1,
  systemError: 10001,
  serviceBusy: 10002,
  remoteServiceError: 10003,
  parameterError: 10008,
  missingParameter: 10016,
  invalidParameter: 10017,
  frequencyExceeded22: 10022,
  frequencyExceeded23: 10023,
  appTooFrequent: 10027,
  invalidDevice: 10029,
  blacklisted: 10031,
  tooManyToday: 10034,
  requestExpired: 10037,
  noValidTarget: 20301,
  authFailed: 21301,
  tokenAuthFailed: 21302,
  missingRequiredParameter: 21305,
  invalidPackageName: 22022,
  channelMismatch: 27001,
  contentTooLong: 65009,
  callbackUrlError36: 65036,
  callbackUrlError37: 65037,
  callbackUrlError38: 65038,
  dailyQuotaExceeded: 200001,
} as const;
