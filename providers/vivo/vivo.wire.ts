/**
 * vivo Push server API: request/response shapes, limits and codes, nothing else.
 * Source: docs/vendors/vivo.md (vendor doc v2.9.2 mirror https://app.applebyme.cn/cloud/appshangjia/2017.html ,
 * https://dev.vivo.com.cn/documentCenter/doc/362 , vivo server SDK, modood/pushapi vivopush, meetleev/go-multipush vivo).
 */

export const VIVO_DEFAULT_ENDPOINT = 'https://api-push.vivo.com.cn';

export const VIVO_PATHS = {
  auth: '/message/auth',
  send: '/message/send',
  saveListPayload: '/message/saveListPayload',
  pushToList: '/message/pushToList',
} as const;

/** `POST /message/auth`. appId is sent as a JSON number when numeric (the Java SDK), else a string (UNVERIFIED: both seen). */
export interface VivoAuthRequest {
  appId: number | string;
  appKey: string;
  /** ms since epoch; vivo refuses more than ±10 min of skew (10207). */
  timestamp: number;
  /** md5(appId + appKey + timestamp + appSecret), lowercase hex. */
  sign: string;
}

export interface VivoAuthResponse {
  result: number;
  desc?: string;
  authToken?: string;
}

/** 1 none, 2 sound, 3 vibrate, 4 sound + vibrate. */
export type VivoNotifyType = 1 | 2 | 3 | 4;
/** 1 open app home, 2 open URL, 3 custom (deprecated since client SDK 480), 4 open an in-app page (intent URI). */
export type VivoSkipType = 1 | 2 | 3 | 4;
/** 0 operations/marketing, 1 system. */
export type VivoClassification = 0 | 1;
/** 0 formal, 1 test (only to the test devices entered in the console). */
export type VivoPushMode = 0 | 1;

/** Second-level categories (https://dev.vivo.com.cn/documentCenter/doc/359), by classification. */
export const VIVO_SYSTEM_CATEGORIES = ['IM', 'ACCOUNT', 'TODO', 'DEVICE_REMINDER', 'ORDER', 'SUBSCRIPTION'] as const;
export const VIVO_OPERATION_CATEGORIES = ['NEWS', 'CONTENT', 'MARKETING', 'SOCIAL'] as const;
export const VIVO_CATEGORIES = [...VIVO_SYSTEM_CATEGORIES, ...VIVO_OPERATION_CATEGORIES] as const;
export type VivoCategory = (typeof VIVO_CATEGORIES)[number];

/** `extra`: receipt fields. `callback.id` (console-registered receipt address) wins over `callback`. */
export interface VivoExtra {
  callback?: string;
  'callback.param'?: string;
  'callback.id'?: string;
}

export interface VivoTimedDisplay {
  overtimeDisplay: boolean;
  showStartTime: string;
  showEndTime: string;
}

/** The message fields shared by `/message/send` and `/message/saveListPayload`. */
export interface VivoMessagePayload {
  notifyType: VivoNotifyType;
  title: string;
  content: string;
  /** Seconds. Single push 60..604800, list push ≥ 900; vivo's default 86400 when absent. */
  timeToLive?: number;
  skipType: VivoSkipType;
  skipContent?: string;
  networkType?: -1 | 1;
  classification: VivoClassification;
  category?: VivoCategory;
  clientCustomMap?: Record<string, string>;
  extra?: VivoExtra;
  pushMode: VivoPushMode;
  notifyId?: number;
  profileId?: string;
  sendOnline?: boolean;
  foregroundShow?: boolean;
  timedDisplay?: VivoTimedDisplay;
}

/** `POST /message/send` (one target). */
export interface VivoSendRequest extends VivoMessagePayload {
  appId: number | string;
  regId: string;
  /** Required, ≤ 64 chars: vivo's idempotency key. */
  requestId: string;
}

/** `POST /message/saveListPayload`: stores the common body of a list push, answers a taskId. */
export interface VivoSaveListPayloadRequest extends VivoMessagePayload {
  appId: number | string;
  requestId: string;
}

/** `POST /message/pushToList`: 2..1000 regIds against a saved payload. */
export interface VivoPushToListRequest {
  appId: number | string;
  regIds: string[];
  taskId: string;
  requestId: string;
  pushMode: VivoPushMode;
}

/** status: 1 does not exist, 2 uninstalled / notifications off, 3 offline for long, 4 not a test user. */
export interface VivoInvalidUser {
  status: number;
  userid: string;
}

export interface VivoSendResponse {
  result: number;
  desc?: string;
  taskId?: string;
  /** On `/message/send` with 10302. */
  invalidUser?: VivoInvalidUser;
  /** On `/message/pushToList`, the invalid subset. */
  invalidUsers?: VivoInvalidUser[];
  requestId?: string;
}

/** Field limits (docs/vendors/vivo.md#request). */
export const VIVO_LIMITS = {
  /** "Characters" where a CJK character counts as 2 (20 Chinese characters). */
  titleWidth: 40,
  contentWidth: 100,
  requestIdLength: 64,
  skipUrlLength: 1000,
  skipIntentLength: 1024,
  customMapPairs: 10,
  customMapChars: 1024,
  callbackUrlLength: 128,
  callbackParamLength: 64,
  singleTtlMin: 60,
  listTtlMin: 900,
  ttlMax: 604_800,
  listMinTargets: 2,
  listMaxTargets: 1000,
  /** ± timestamp skew accepted by /message/auth. */
  authSkewMs: 10 * 60_000,
  /** authToken life; vivo advises refreshing every 1–2 h. */
  tokenLifetimeMs: 24 * 3_600_000,
} as const;

/** vivo result codes (docs/vendors/vivo.md#authentication and #error-codes-and-outcomes). */
export const VIVO_CODES = {
  ok: 0,
  authTokenInvalid: 10000,
  paramFirst: 10050,
  paramLast: 10069,
  /** Daily total send volume exceeded. */
  quotaTotal: 10070,
  /** "Too frequent" per one production gateway: meaning UNVERIFIED. */
  tooFrequent: 10072,
  appIdMismatch: 10094,
  categoryInvalid: 10096,
  categoryMismatch: 10097,
  listSizeInvalid: 10153,
  authAppIdEmpty: 10200,
  authAppKeyEmpty: 10201,
  authAppKeyIllegal: 10202,
  authTimestampEmpty: 10203,
  authSignEmpty: 10204,
  authAppIdUnknown: 10205,
  authSignError: 10206,
  authTimestampInvalid: 10207,
  authRateLimited: 10250,
  /** List-message body quota exceeded (saveListPayload). */
  quotaListPayload: 10252,
  /** /message/all count exceeded. */
  quotaAll: 10254,
  targetInvalid: 10302,
  requestIdInvalid: 10353,
  classificationError: 11000,
} as const;

/**
 * A vivo delivery receipt entry. The body format is UNVERIFIED (docs/vendors/vivo.md#receipts): reportedly a JSON object
 * keyed by taskId, each value `{ param, targets: "regId1,regId2", ackTime?, ackType? }`.
 */
export interface VivoReceiptEntry {
  taskId?: string | number;
  param?: string;
  targets?: string | string[];
  ackType?: string | number;
  status?: string | number;
  ackTime?: number | string;
}
