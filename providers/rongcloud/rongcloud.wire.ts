/**
 * RongCloud server API wire types for `POST /push/user.json` (push-only notification to userIds).
 * Sources: docs/vendors/rongcloud.md; https://docs.rongcloud.cn/platform-chat-api/system/send-push-by-user ;
 * rongcloud/server-sdk-go v4 `rongcloud/push.go` (PushUserRequest, PushUserNotificationIOS,
 * PushAndroid*); rongcloud/server-sdk-java `models/message/PushUserMessage.java`,
 * `models/push/PlatformNotification.java`.
 */

export const RC_PUSH_USER_PATH = '/push/user.json';

/** At most 100 userIds per `/push/user.json` call (docs/vendors/rongcloud.md#request). */
export const RC_MAX_USER_IDS = 100;

/** `notification.title` is at most 50 characters (docs send-push-by-user). */
export const RC_MAX_TITLE_CHARS = 50;

/** `Nonce` is a random string of at most 18 characters (docs/vendors/rongcloud.md#authentication). */
export const RC_MAX_NONCE_CHARS = 18;

/** Request headers (RongCloud also accepts `RC-` prefixed variants: `RC-App-Key`, `RC-Nonce`, …). */
export interface RcAuthHeaders {
  'App-Key': string;
  Nonce: string;
  Timestamp: string;
  Signature: string;
}

export interface RcPushUserRequest {
  /** 1..100 RongCloud user ids. */
  userIds: string[];
  notification: RcPushUserNotification;
}

export interface RcPushUserNotification {
  /** Notification-bar title, ≤50 characters. */
  title?: string;
  /** Required: the text shown in the notification. */
  pushContent: string;
  ios?: RcIosNotification;
  android?: RcAndroidNotification;
}

export interface RcIosNotification {
  /** Absent: badge unchanged; 0 or negative: cleared; otherwise set (≤9999). */
  badge?: number;
  'thread-id'?: string;
  /** APNs `apns-collapse-id` (iOS 10+). */
  'apns-collapse-id'?: string;
  /** Rich-push category (with richMediaUri): NOT the cross-vendor message class. */
  category?: string;
  richMediaUri?: string;
  'interruption-level'?: 'passive' | 'active' | 'time-sensitive' | 'critical';
  contentAvailable?: 0 | 1;
  /** Custom key/values the app reads from the payload. */
  extras?: Record<string, string>;
}

export interface RcAndroidNotification {
  hw?: RcHuaweiOptions;
  honor?: RcHonorOptions;
  mi?: RcXiaomiOptions;
  oppo?: RcOppoOptions;
  vivo?: RcVivoOptions;
  fcm?: RcFcmOptions;
  /** Custom key/values the app reads from the payload. */
  extras?: Record<string, string>;
}

export type RcImportance = 'NORMAL' | 'LOW';

export interface RcHuaweiOptions {
  channelId?: string;
  /** NORMAL (service & communication) or LOW (news & marketing). */
  importance?: RcImportance;
  /** https URL, <512 KB. */
  image?: string;
  /** Huawei self-classification (`IM`, `ACCOUNT`, …; uppercase). */
  category?: string;
}

export interface RcHonorOptions {
  importance?: RcImportance;
  image?: string;
}

export interface RcXiaomiOptions {
  /** Xiaomi notification channel registered in the Xiaomi console (private vs public messages). */
  channelId?: string;
  large_icon_uri?: string;
}

/** OPPO `notify_level`: 1 shade, 2 shade + lock screen, 16 + banner, vibrate, sound (needs `category`). */
export type RcOppoNotifyLevel = 1 | 2 | 16;

export interface RcOppoOptions {
  channelId?: string;
  category?: string;
  notify_level?: RcOppoNotifyLevel;
}

export interface RcVivoOptions {
  /** "0" operations/marketing, "1" system (a string in both official SDKs). */
  classification?: '0' | '1';
  category?: string;
}

export interface RcFcmOptions {
  channelId?: string;
  collapse_key?: string;
  imageUrl?: string;
}

/** Every answer: `{ code, ... }`; `/push/user.json` success is `{ code: 200, id }`. */
export interface RcResponse {
  code: number;
  /** The push id on success. */
  id?: string;
  errorMessage?: string;
}

/** RongCloud server status codes (docs/vendors/rongcloud.md#error-codes-and-outcomes) with the HTTP status each is sent with. */
export const RC_CODES = {
  OK: 200,
  INTERNAL_ERROR: 1000, // HTTP 500
  APP_SECRET_MISMATCH: 1001, // HTTP 401 (also: unknown App-Key)
  PARAMETER_ERROR: 1002, // HTTP 400
  NO_POST_DATA: 1003, // HTTP 400
  SIGNATURE_ERROR: 1004, // HTTP 401
  PARAMETER_TOO_LONG: 1005, // HTTP 400
  APP_LOCKED_OR_DELETED: 1006, // HTTP 401
  METHOD_RESTRICTED: 1007, // HTTP 401
  RATE_LIMITED: 1008, // HTTP 429
  SERVICE_NOT_ENABLED: 1009, // HTTP 430
  INTERNAL_TIMEOUT: 1050, // HTTP 504
  TOO_MANY_TEST_USERS: 2007,
} as const;
