/**
 * Meizu Flyme Push server API wire types (docs/vendors/meizu.md; https://github.com/MEIZUPUSH/PushAPI).
 * Types and constants only: the signature lives in meizu.signer.ts, builders in meizu.request.ts,
 * the outcome tables in meizu.errors.ts.
 */

/** Notification ("varnished") message to up to 100 pushIds (docs/vendors/meizu.md#endpoints). */
export const MEIZU_VARNISHED_PATH = '/garcia/api/server/push/varnished/pushByPushId';
/** Pass-through ("unvarnished") message to pushIds; restricted by Meizu since 2018-06-16 (docs/vendors/meizu.md#endpoints). */
export const MEIZU_UNVARNISHED_PATH = '/garcia/api/server/push/unvarnished/pushByPushId';

/**
 * Most pushIds one request may carry: 100 since 2023-08-21 (it was 1000; the official Java SDK's
 * commit 967298d, https://github.com/MEIZUPUSH/JavaSdk; docs/vendors/meizu.md#limits).
 */
export const MEIZU_MAX_PUSH_IDS = 100;

/** `noticeBarInfo.title` 1..32 and `content` 1..100 characters (docs/vendors/meizu.md#request). */
export const MEIZU_TITLE_MAX_CHARS = 32;
export const MEIZU_CONTENT_MAX_CHARS = 100;
/** Pass-through `content` ≤ 2000 bytes (the SDK README says 3800; the API doc's 2000 is the stricter reading). */
export const MEIZU_PASS_THROUGH_MAX_BYTES = 2000;
/**
 * pushgate's own bound on a notification's `messageJson` (UTF-8 bytes, before URL-encoding), receipt
 * fields left out. Meizu documents no size limit for it nor for `clickTypeInfo.parameters` (UNVERIFIED,
 * docs/vendors/meizu.md#limits), so pushgate refuses at accept what is over the 4 KB every other vendor
 * documents, instead of sending tens of kilobytes on a guess: a message that fits elsewhere fits here.
 */
export const MEIZU_MAX_MESSAGE_JSON_BYTES = 4096;
/** `pushTimeInfo.validTime`: whole hours, 1..72, default 24 (docs/vendors/meizu.md#ttl). */
export const MEIZU_VALID_TIME_MIN_HOURS = 1;
export const MEIZU_VALID_TIME_MAX_HOURS = 72;
/** `extra.callback` ≤ 128 bytes, `extra.callback.param` ≤ 64 bytes (docs/vendors/meizu.md#receipts). */
export const MEIZU_CALLBACK_MAX_BYTES = 128;
export const MEIZU_CALLBACK_PARAM_MAX_BYTES = 64;
/** `advanceInfo.notifyKey`: ≤ 8 characters of `0-9 a-z A-Z _ -`; the same key shows only the latest message. */
export const MEIZU_NOTIFY_KEY = /^[0-9A-Za-z_-]{1,8}$/;

/** Push hosts (docs/vendors/meizu.md#endpoints). */
export const MEIZU_REGION_HOSTS = {
  china: 'https://server-api-push.meizu.com',
  overseas: 'https://server-api-push.in.meizu.com',
} as const;

export type MeizuRegion = keyof typeof MEIZU_REGION_HOSTS;

/** `noticeBarInfo.noticeMsgType`: 0 public (公信, default, capped per device per day), 1 private (私信). */
export const MeizuNoticeMsgType = { public: 0, private: 1 } as const;
export type MeizuMessageClass = keyof typeof MeizuNoticeMsgType;

/** `clickTypeInfo.clickType`: 0 open the app, 1 open an Activity, 2 open a URI. 3 is deprecated (broken on Android 12+). */
export const MeizuClickType = { app: 0, activity: 1, uri: 2 } as const;

/** `extra.callback.type`: 1 delivered, 2 clicked, 3 both (Meizu's default). */
export const MeizuReceiptType = { delivered: 1, clicked: 2, both: 3 } as const;

/** Top-level `code` values (docs/vendors/meizu.md#error-codes-and-outcomes). Codes are strings on the wire. */
export const MeizuCode = {
  ok: '200',
  other: '500',
  systemError: '1001',
  serverBusy: '1003',
  parameterError: '1005',
  signatureFailed: '1006',
  invalidAppId: '110000',
  invalidAppKey: '110001',
  pushIdNotRegistered: '110002',
  illegalPushId: '110003',
  emptyParameter: '110004',
  blacklisted: '110009',
  /** At request level: the app pushes too fast. As a per-target key: that user switched messages off. */
  tooFast: '110010',
  dailyPushLimit: '110019',
  invalidPackageName: '110031',
  invalidTaskId: '110032',
  invalidAppSecret: '110033',
  callLimit: '110051',
  passThroughLimit: '110053',
} as const;

/** Per-target keys inside `value` of a `code:"200"` answer (docs/vendors/meizu.md#error-codes-and-outcomes). */
export const MeizuTargetCode = {
  noPermission: '201',
  dbError: '501',
  pushFailed: '513',
  overSpeed: '518',
  overloaded: '519',
  collapsed: '520',
  notRegistered: '110002',
  illegal: '110003',
  aliasInvalid: '110005',
  switchedOff: '110010',
  publicDailyLimit: '110011',
} as const;

/** The form fields of a push request; every one of them except `sign` is signed. */
export interface MeizuPushForm {
  appId: string;
  /** Comma-joined pushIds, ≤ 100. */
  pushIds: string;
  messageJson: string;
  /** Optional comma list of package names (multi-package apps). */
  restrictedPackageNames?: string;
  sign: string;
}

export interface MeizuPushTimeInfo {
  /** 1: keep for an offline device `validTime` hours; 0: deliver now or never. */
  offLine: 0 | 1;
  validTime?: number;
}

/** `messageJson` of a notification message (docs/vendors/meizu.md#request). */
export interface MeizuNotificationJson {
  noticeBarInfo: { noticeMsgType: 0 | 1; noticeBarType: 0 | 2; title: string; content: string };
  noticeExpandInfo?: { noticeExpandType: 0 | 1; noticeExpandContent?: string };
  clickTypeInfo: { clickType: 0 | 1 | 2; url?: string; activity?: string; parameters?: Record<string, string> };
  pushTimeInfo: MeizuPushTimeInfo;
  advanceInfo?: {
    suspend?: 0 | 1;
    clearNoticeBar?: 0 | 1;
    notificationType?: { vibrate?: 0 | 1; lights?: 0 | 1; sound?: 0 | 1 };
    notifyKey?: string;
  };
  extra?: { callback: string; 'callback.param'?: string; 'callback.type'?: string };
}

/** `messageJson` of a pass-through message. */
export interface MeizuPassThroughJson {
  title?: string;
  content: string;
  pushTimeInfo: MeizuPushTimeInfo;
}

/** The answer envelope; `code` is a string, `value` maps per-target codes to pushIds on success. */
export interface MeizuResponse {
  code?: string | number;
  message?: string;
  value?: Record<string, unknown> | string;
  redirect?: string;
  msgId?: string;
}

/** One entry of a receipt's `cb` JSON, keyed `"<msgId>-<type>"`. */
export interface MeizuReceiptEntry {
  param?: string;
  type: number;
  targets: string[];
}
