/**
 * Huawei Push Kit REST API v1: request/response shapes and codes, nothing else.
 * Source: docs/vendors/huawei.md (HMS-java/-node/-go server demos; https-send-api doc
 * https://developer.huawei.com/consumer/cn/doc/HMSCore-References/https-send-api-0000001050986197).
 */

/** `android.category` self-classification values (docs/vendors/huawei.md#categories). */
export const HUAWEI_CATEGORIES = [
  'IM',
  'VOIP',
  'SUBSCRIPTION',
  'TRAVEL',
  'HEALTH',
  'WORK',
  'ACCOUNT',
  'EXPRESS',
  'FINANCE',
  'DEVICE_REMINDER',
  'SYSTEM_REMINDER',
  'MAIL',
  'PLAY_VOICE',
  'MARKETING',
  'MISS_CALL',
] as const;
export type HuaweiCategory = (typeof HUAWEI_CATEGORIES)[number];

/** `click_action.type`: 1 intent/action, 2 open URL, 3 open app, 4 rich resource. */
export type HuaweiClickAction =
  | { type: 1; intent?: string; action?: string }
  | { type: 2; url: string }
  | { type: 3 }
  | { type: 4; rich_resource: string };

export interface HuaweiBadge {
  add_num?: number;
  set_num?: number;
  class?: string;
}

export interface HuaweiAndroidNotification {
  title?: string;
  body?: string;
  image?: string;
  icon?: string;
  color?: string;
  sound?: string;
  default_sound?: boolean;
  click_action: HuaweiClickAction;
  channel_id?: string;
  importance?: 'LOW' | 'NORMAL' | 'HIGH';
  notify_id?: number;
  tag?: string;
  style?: 0 | 1 | 3;
  big_title?: string;
  big_body?: string;
  visibility?: 'VISIBILITY_UNSPECIFIED' | 'PRIVATE' | 'PUBLIC' | 'SECRET';
  foreground_show?: boolean;
  auto_clear?: number;
  when?: string;
  badge?: HuaweiBadge;
  inbox_content?: string[];
  [key: string]: unknown;
}

export interface HuaweiAndroidConfig {
  collapse_key?: number;
  urgency?: 'HIGH' | 'NORMAL';
  category?: HuaweiCategory;
  /** Seconds as a string with an optional `s` suffix, e.g. "86400s". */
  ttl?: string;
  bi_tag?: string;
  receipt_id?: string;
  fast_app_target?: 1 | 2;
  target_user_type?: 0 | 1;
  data?: string;
  notification?: HuaweiAndroidNotification;
  [key: string]: unknown;
}

export interface HuaweiMessage {
  /** Pass-through payload: a string (pushgate sends the data map JSON-encoded). */
  data?: string;
  notification?: { title?: string; body?: string; image?: string };
  android?: HuaweiAndroidConfig;
  /** 1..1000 push tokens; exactly one of token / topic / condition. */
  token?: string[];
  topic?: string;
  condition?: string;
}

export interface HuaweiSendRequest {
  validate_only: boolean;
  message: HuaweiMessage;
}

/** Every send answer; `code` is a string. */
export interface HuaweiSendResponse {
  code: string;
  msg: string;
  requestId?: string;
}

/**
 * The JSON inside `msg` of an 80100000 answer. Key names are UNVERIFIED for v1
 * (docs/vendors/huawei.md#error-codes-and-outcomes): the Android form is reported as `illegal_tokens` (array), the v3 docs show
 * `illegalTokens` (reason → array). Both are accepted.
 */
export interface HuaweiPartialMsg {
  success?: number;
  failure?: number;
  illegal_tokens?: string[];
  illegalTokens?: Record<string, string[]>;
}

/** `POST /oauth2/v3/token` success. */
export interface HuaweiTokenResponse {
  access_token: string;
  expires_in: number;
  token_type?: string;
}

/** `POST /oauth2/v3/token` failure (HTTP 400), e.g. `{error:1101, sub_error:20002}`. */
export interface HuaweiTokenError {
  error: number;
  sub_error?: number;
  error_description?: string;
}

export const HUAWEI_CODES = {
  SUCCESS: '80000000',
  PARTIAL_SUCCESS: '80100000',
  PARAM_ERROR: '80100001',
  SYS_MESSAGE_TOKEN_COUNT: '80100002',
  BAD_MESSAGE_STRUCTURE: '80100003',
  BAD_TTL: '80100004',
  BAD_COLLAPSE_KEY: '80100013',
  SENSITIVE_CONTENT: '80100016',
  TOPIC_MESSAGES_IN_FLIGHT: '80100017',
  BAD_MESSAGE_BODY: '80100018',
  OAUTH_AUTH_ERROR: '80200001',
  OAUTH_TOKEN_EXPIRED: '80200003',
  APP_FORBIDDEN: '80300002',
  ALL_TOKENS_INVALID: '80300007',
  BODY_TOO_LARGE: '80300008',
  TOO_MANY_TOKENS: '80300010',
  NO_HIGH_PRIORITY_PERMISSION: '80300011',
  OAUTH_SERVICE_FAILED: '80600003',
  INTERNAL_ERROR: '81000001',
} as const;

/** Limits of the send API. */
export const HUAWEI_MAX_TOKENS = 1000;
/** Message body limit in bytes, not counting the token list. */
export const HUAWEI_MAX_BODY_BYTES = 4096;

/** One V1 receipt status (docs/vendors/huawei.md#receipts). */
export interface HuaweiReceiptStatus {
  biTag?: string;
  appid?: string;
  token?: string;
  status: number;
  timestamp?: number;
  requestId?: string;
}

export interface HuaweiReceiptBody {
  statuses: HuaweiReceiptStatus[];
}

/** Header Huawei signs receipts with: `timestamp=<ms>;nonce=<uuid>;value=<base64 HMAC>`. */
export const HUAWEI_CALLBACK_HEADER = 'x-huawei-callback-id';
