/**
 * Honor Push server API: request/response shapes and limits, nothing else
 * (docs/vendors/honor.md; Honor's downlink-message reference
 * https://developer.honor.com/cn/docs/11002/reference/downlink-message).
 *
 * The API is modelled on Huawei's but is not the same: camelCase fields, no `message` wrapper,
 * `POST /api/v1/{appId}/sendMessage`, a `timestamp` header, and a `{code, message, data}` answer.
 */

/** `android.notification.importance`: LOW = 资讯营销 (news & marketing), NORMAL = 服务与通讯 (service & communication). */
export type HonorImportance = 'LOW' | 'NORMAL';

/** `clickAction.type`: 1 open a custom page (`intent` or `action`), 2 open a URL (HTTPS), 3 open the app. */
export type HonorClickAction = { type: 1; intent?: string; action?: string } | { type: 2; url: string } | { type: 3 };

export interface HonorBadge {
  addNum?: number;
  setNum?: number;
  badgeClass: string;
}

export interface HonorButton {
  name: string;
  actionType: 0 | 1 | 2;
  intentType?: 0 | 1;
  intent?: string;
  data?: string;
}

export interface HonorAndroidNotification {
  title?: string;
  body?: string;
  clickAction: HonorClickAction;
  image?: string;
  style?: 0 | 1;
  bigTitle?: string;
  bigBody?: string;
  importance?: HonorImportance;
  when?: string;
  buttons?: HonorButton[];
  badge?: HonorBadge;
  notifyId?: number;
  tag?: string;
  group?: string;
}

export interface HonorAndroidConfig {
  /** Seconds with an `s` suffix, e.g. "86400s"; default 1 day, at most 15 days. */
  ttl?: string;
  /** Echoed in receipts. */
  biTag?: string;
  data?: string;
  /** 0 normal (default), 1 test message (1000 per app per day). */
  targetUserType?: 0 | 1;
  notification?: HonorAndroidNotification;
}

/** The whole send body: no `message` wrapper (unlike Huawei). */
export interface HonorSendRequest {
  token: string[];
  /** Pass-through payload (a string); a body with only `data` is a pass-through (透传) message. */
  data?: string;
  notification?: { title?: string; body?: string; image?: string };
  android?: HonorAndroidConfig;
}

/**
 * The send answer as two independent clients read it. `code` is a number in some, a string in
 * others; some answers carry `msg` and a top-level `requestId` instead (all UNVERIFIED,
 * docs/vendors/honor.md#error-codes-and-outcomes).
 */
export interface HonorSendResponse {
  code?: number | string;
  message?: string;
  msg?: string;
  requestId?: string;
  data?: {
    sendResult?: boolean;
    requestId?: string;
    failTokens?: string[];
    expireTokens?: string[];
  };
}

/** `POST /auth/token` success. */
export interface HonorTokenResponse {
  access_token: string;
  expires_in: number;
  token_type?: string;
}

/** `POST /auth/token` failure: OAuth 2 (Keycloak) JSON. */
export interface HonorTokenError {
  error: string;
  error_description?: string;
}

/**
 * Codes pushgate reads as success besides `data.sendResult: true` (UNVERIFIED, sources disagree:
 * docs/vendors/honor.md#error-codes-and-outcomes). `0` is in no source; no vendor uses it for a failure.
 */
export const HONOR_SUCCESS_CODES: ReadonlySet<string> = new Set(['200', '80000000', '0']);

/**
 * HMS-style codes (Honor's API is derived from Huawei's). UNVERIFIED for Honor: used only where a
 * wrong reading costs little (auth_error refreshes the token once), never to prune.
 */
export const HONOR_HMS_CODES = {
  OAUTH_AUTH_ERROR: '80200001',
  OAUTH_TOKEN_EXPIRED: '80200003',
  PARAM_ERROR: '80100001',
  ALL_TOKENS_INVALID: '80300007',
  BODY_TOO_LARGE: '80300008',
  TOO_MANY_TOKENS: '80300010',
  INTERNAL_ERROR: '81000001',
} as const;

/** Max tokens per request: UNVERIFIED, Huawei's 1000 (docs/vendors/honor.md#limits). */
export const HONOR_MAX_TOKENS = 1000;
/** Body limit without the token list: UNVERIFIED, Huawei's 4096 bytes (docs/vendors/honor.md#limits). */
export const HONOR_MAX_BODY_BYTES = 4096;
/** `android.ttl` at most 15 days. */
export const HONOR_MAX_TTL_SECONDS = 1_296_000;
/** At most 3 buttons, name ≤ 40 characters, data ≤ 1024. */
export const HONOR_MAX_BUTTONS = 3;

/** One receipt status, by analogy with HMS (UNVERIFIED, docs/vendors/honor.md#receipts). */
export interface HonorReceiptStatus {
  biTag?: string;
  appid?: string;
  token?: string;
  status: number | string;
  timestamp?: number;
  requestId?: string;
}
