/**
 * FCM HTTP v1 and Google OAuth 2.0 wire types (docs/vendors/fcm.md#request, #error-codes-and-outcomes;
 * https://firebase.google.com/docs/reference/fcm/rest/v1/projects.messages). Field names are the
 * REST (snake_case) spelling; nothing here does anything.
 */

/** The production host. firebase-admin 13 hard-codes it (`FCM_SEND_HOST`, messaging.ts:40). */
export const FCM_DEFAULT_ENDPOINT = 'https://fcm.googleapis.com';
/** Google's OAuth token URL that google-auth-library posts the JWT assertion to (gtoken/getToken.js:19). */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const GOOGLE_TOKEN_HOST = 'oauth2.googleapis.com';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Scopes that let an access token send FCM messages (docs/vendors/fcm.md#request). */
export const FCM_SCOPES = ['https://www.googleapis.com/auth/firebase.messaging', 'https://www.googleapis.com/auth/cloud-platform'] as const;

/** FCM's multicast/sendEach batch size (`FCM_MAX_BATCH_SIZE`, messaging.ts:46): one stream per token. */
export const FCM_MAX_BATCH = 500;
/** Payload limit for token messages (docs/vendors/fcm.md#request): data + notification, in bytes. */
export const FCM_MAX_PAYLOAD_BYTES = 4096;
/** Longest `android.ttl` FCM accepts: 4 weeks. */
export const FCM_MAX_TTL_SECONDS = 2_419_200;
/** Data keys FCM reserves (REST reference, `Message.data`): these words, and the prefixes below. */
export const FCM_RESERVED_DATA_KEYS = ['from', 'notification', 'message_type'] as const;
export const FCM_RESERVED_DATA_PREFIXES = ['google.', 'gcm.'] as const;

export const fcmSendPath = (project: string): string => `/v1/projects/${encodeURIComponent(project)}/messages:send`;

export type AndroidPriority = 'HIGH' | 'NORMAL';

export interface FcmNotification {
  title?: string;
  body?: string;
  image?: string;
}

export interface AndroidNotification {
  title?: string;
  body?: string;
  image?: string;
  click_action?: string;
  sound?: string;
  channel_id?: string;
  [extra: string]: unknown;
}

export interface AndroidConfig {
  priority?: AndroidPriority | Lowercase<AndroidPriority>;
  /** A protobuf Duration: seconds with an `s` suffix, e.g. "3600s" or "3.5s". */
  ttl?: string;
  collapse_key?: string;
  restricted_package_name?: string;
  data?: Record<string, string>;
  notification?: AndroidNotification;
  direct_boot_ok?: boolean;
  [extra: string]: unknown;
}

export interface ApnsAps {
  alert?: { title?: string; body?: string } | string;
  badge?: number;
  sound?: string;
  category?: string;
  'content-available'?: 1;
  'mutable-content'?: 1;
  [extra: string]: unknown;
}

export interface ApnsConfig {
  /** APNs request headers, all strings (`apns-priority`, `apns-expiration`, `apns-collapse-id`, …). */
  headers?: Record<string, string>;
  payload?: { aps?: ApnsAps; [extra: string]: unknown };
  fcm_options?: { analytics_label?: string; image?: string };
  live_activity_token?: string;
}

export interface WebpushConfig {
  headers?: Record<string, string>;
  data?: Record<string, string>;
  notification?: Record<string, unknown>;
  fcm_options?: { link?: string; analytics_label?: string };
}

export interface FcmMessage {
  token?: string;
  topic?: string;
  condition?: string;
  data?: Record<string, string>;
  notification?: FcmNotification;
  android?: AndroidConfig;
  apns?: ApnsConfig;
  webpush?: WebpushConfig;
  fcm_options?: { analytics_label?: string };
}

export interface FcmSendRequest {
  validate_only?: boolean;
  message: FcmMessage;
}

/** 200: `projects/{project_id}/messages/{message_id}`. */
export interface FcmSendResponse {
  name: string;
}

/** `google.firebase.fcm.v1.ErrorCode` (https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode). */
export type FcmErrorCode =
  | 'UNSPECIFIED_ERROR'
  | 'INVALID_ARGUMENT'
  | 'UNREGISTERED'
  | 'SENDER_ID_MISMATCH'
  | 'QUOTA_EXCEEDED'
  | 'UNAVAILABLE'
  | 'INTERNAL'
  | 'THIRD_PARTY_AUTH_ERROR';

/** Canonical `google.rpc.Code` names that appear in `error.status`. */
export type GoogleRpcStatus =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'INTERNAL'
  | 'UNKNOWN';

export const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
export const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';
export const QUOTA_FAILURE_TYPE = 'type.googleapis.com/google.rpc.QuotaFailure';

export interface FcmErrorDetail {
  '@type': string;
  errorCode?: FcmErrorCode | string;
  fieldViolations?: { field: string; description: string }[];
  violations?: { subject?: string; description?: string }[];
  [extra: string]: unknown;
}

/** Every FCM error body: `{ error: { code, message, status, details? } }`. */
export interface FcmErrorBody {
  error: {
    code: number;
    message: string;
    status: GoogleRpcStatus | string;
    details?: FcmErrorDetail[];
  };
}

/** Google's OAuth 2.0 token endpoint answer (RFC 6749 §5.1). */
export interface GoogleTokenResponse {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
}

/**
 * Google's OAuth error (RFC 6749 §5.2; service-account error table at
 * https://developers.google.com/identity/protocols/oauth2/service-account#error-codes).
 */
export interface GoogleTokenError {
  error: 'invalid_grant' | 'unsupported_grant_type' | 'invalid_request' | 'invalid_scope' | 'unauthorized_client' | string;
  error_description?: string;
}

/** The service-account key JSON a Google Cloud console download contains. */
export interface ServiceAccountJson {
  type?: string;
  project_id: string;
  private_key_id?: string;
  private_key: string;
  client_email: string;
  client_id?: string;
  token_uri?: string;
  [extra: string]: unknown;
}
