/**
 * OPPO Push (OPUSH / HeyTap) server API, wire shapes only. Source: docs/vendors/oppo.md
 * (OPPO-java `ups-oppo-push-java-sdk`, OPPO-go `316014408/oppo-push`, modood `oppopush/message.go`,
 * https://open.oppomobile.com/new/developmentDoc/info?id=11236 notification fields,
 * https://open.oppomobile.com/new/developmentDoc/info?id=11238 unicast).
 * Every call is `POST`, `application/x-www-form-urlencoded`; the JSON goes inside form fields.
 */

export const OPPO_HOSTS = {
  china: 'https://api.push.oppomobile.com',
  global: 'https://api-intl.push.oppomobile.com',
} as const;

export const OPPO_PATHS = {
  auth: '/server/v1/auth',
  unicast: '/server/v1/message/notification/unicast',
  unicastBatch: '/server/v1/message/notification/unicast_batch',
} as const;

/** `POST /server/v1/auth` form: sign = sha256(app_key + timestamp + master_secret), lowercase hex. */
export interface OppoAuthForm {
  app_key: string;
  /** 13-digit ms since epoch; OPPO refuses it when more than 10 minutes away from its clock. */
  timestamp: string;
  sign: string;
}

export interface OppoAuthData {
  auth_token: string;
  create_time?: number;
}

/** Common envelope of every answer. `code` is a number; older SDKs read it as a string, so accept both. */
export interface OppoEnvelope<D = unknown> {
  code: number | string;
  message?: string;
  data?: D;
}

/** OPPO's message categories since 2024-11-20 (https://open.oppomobile.com/new/developmentDoc/info?id=13189). */
export const OPPO_SERVICE_CATEGORIES = ['IM', 'ACCOUNT', 'TODO', 'DEVICE_REMINDER', 'ORDER', 'SUBSCRIPTION'] as const;
export const OPPO_CONTENT_CATEGORIES = ['NEWS', 'CONTENT', 'MARKETING', 'SOCIAL'] as const;
export type OppoServiceCategory = (typeof OPPO_SERVICE_CATEGORIES)[number];
export type OppoContentCategory = (typeof OPPO_CONTENT_CATEGORIES)[number];
export type OppoCategory = OppoServiceCategory | OppoContentCategory;

/** 1 shade only; 2 shade + lock screen; 16 shade + lock screen + banner + vibrate + sound (service categories only). */
export type OppoNotifyLevel = 1 | 2 | 16;

/** 0 open app; 1 activity by action; 2 URL; 4 activity by class name; 5 intent scheme URL. */
export type OppoClickActionType = 0 | 1 | 2 | 4 | 5;

/** The `notification` object of a unicast message (docs/vendors/oppo.md#request). */
export interface OppoNotification {
  app_message_id?: string;
  style?: 1 | 2 | 3;
  title: string;
  sub_title?: string;
  content: string;
  click_action_type?: OppoClickActionType;
  click_action_activity?: string;
  click_action_url?: string;
  /** JSON object as a string, ≤4000 chars. */
  action_parameters?: string;
  off_line?: boolean;
  /** Seconds, ≤864000 (10 days). */
  off_line_ttl?: number;
  channel_id?: string;
  call_back_url?: string;
  call_back_parameter?: string;
  notify_id?: number;
  show_ttl?: number;
  show_time_type?: 0 | 1;
  show_start_time?: number;
  show_end_time?: number;
  network_type?: 0 | 1;
  category?: OppoCategory;
  notify_level?: OppoNotifyLevel;
  big_picture_id?: string;
  small_picture_id?: string;
  private_msg_template_id?: string;
  private_title_parameters?: string;
  private_content_parameters?: string;
}

/** One unicast message: form field `message` (unicast) or one item of `messages` (unicast_batch). */
export interface OppoUnicastMessage {
  /** 2 registration_id, 5 alias. */
  target_type: 2 | 5;
  target_value: string;
  verify_registration_id?: boolean;
  notification: OppoNotification;
}

/** unicast success `data`. */
export interface OppoUnicastData {
  messageId: string;
}

/** One item of unicast_batch `data`; `errorCode` set for a failed target. */
export interface OppoBatchItem {
  messageId?: string;
  registrationId?: string;
  errorCode?: number | string;
  errorMessage?: string;
}

/** One delivery receipt (docs/vendors/oppo.md#receipts); OPPO POSTs a JSON array of these to `call_back_url`. */
export interface OppoReceiptItem {
  messageId: string;
  appId?: string;
  taskId?: string;
  /** Comma-separated registration ids. */
  registrationIds: string;
  eventTime?: number;
  /** Our `call_back_parameter`, echoed. */
  param?: string;
  eventType: 'push_arrive' | 'regid_invalid' | 'user_daily_limit' | (string & {});
}

/** Codes from OPPO-java `ErrorCode.java`, opush-server-sdk `ReturnCode` and OPPO's 返回码 doc (docs/vendors/oppo.md#error-codes-and-outcomes). */
export const OPPO_CODES = {
  FLOW_CONTROL: -2,
  SERVICE_UNAVAILABLE: -1,
  SUCCESS: 0,
  INVALID_AUTH_TOKEN: 11,
  HTTP_ACTION_NOT_ALLOWED: 12,
  APP_CALL_LIMITED: 13,
  INVALID_APP_KEY: 14,
  MISSING_APP_KEY: 15,
  INVALID_SIGNATURE: 16,
  MISSING_SIGNATURE: 17,
  MISSING_TIMESTAMP: 18,
  INVALID_TIMESTAMP: 19,
  INVALID_ENCODING: 25,
  IP_BLACK_LIST: 26,
  ACCESS_DENIED: 27,
  APP_DISABLED: 28,
  MISSING_AUTH_TOKEN: 29,
  API_PERMISSION_DENIED: 30,
  DATA_NOT_EXIST: 31,
  DATA_DUPLICATE: 32,
  DAILY_LIMIT: 33,
  MISSING_REQUIRED_ARGUMENTS: 40,
  INVALID_ARGUMENTS: 41,
  FREQUENCY_LIMIT: 55,
  CATEGORY_ERROR: 67,
  INVALID_REGISTRATION_ID: 10000,
  REGISTRATION_ID_UNSUBSCRIBED: 10001,
  INVALID_ALIAS: 10002,
  ALIAS_UNSUBSCRIBED: 10003,
  DUPLICATE_REGISTRATION_ID: 10004,
  DUPLICATE_ALIAS: 10005,
} as const;
