/**
 * The APNs provider API on the wire (HTTP/2): request headers, payload and error reasons.
 * Sources: Apple "Sending notification requests to APNs" and "Handling notification responses
 * from APNs" (https://developer.apple.com/documentation/usernotifications/sending-notification-requests-to-apns,
 * https://developer.apple.com/documentation/usernotifications/handling-notification-responses-from-apns);
 * docs/vendors/apns.md#request.
 */

/** Which APNs service a device token belongs to (a sandbox token is unknown to production). */
export type ApnsEnvironment = 'production' | 'sandbox';

/** `apns-push-type` values (node-apn 8.1 adds `widgets`). */
export const APNS_PUSH_TYPES = [
  'alert',
  'background',
  'location',
  'voip',
  'complication',
  'fileprovider',
  'mdm',
  'liveactivity',
  'pushtotalk',
  'widgets',
] as const;
export type ApnsPushType = (typeof APNS_PUSH_TYPES)[number];

/** `apns-priority`: 10 immediate, 5 power-aware (required for background pushes), 1 lowest. */
export type ApnsPriority = 10 | 5 | 1;

/** Headers pushgate sets on `POST /3/device/<token>` (besides `authorization` and pseudo-headers). */
export type ApnsRequestHeaders = {
  'apns-push-type': ApnsPushType;
  'apns-priority': ApnsPriority;
  'apns-topic': string;
  /** Canonical UUID 8-4-4-4-12; echoed in the answer. */
  'apns-id': string;
  /** Epoch seconds; 0 = deliver once, do not store. Absent = APNs' storage policy. */
  'apns-expiration'?: number | undefined;
  /** ≤ 64 bytes. */
  'apns-collapse-id'?: string | undefined;
};

export type ApnsInterruptionLevel = 'passive' | 'active' | 'time-sensitive' | 'critical';

export interface ApnsAlert {
  title?: string | undefined;
  subtitle?: string | undefined;
  body?: string | undefined;
}

/** The `aps` dictionary (only the keys pushgate fills; overrides may add Apple's others). */
export interface ApnsAps {
  alert?: ApnsAlert | undefined;
  sound?: string | Record<string, unknown> | undefined;
  badge?: number | undefined;
  category?: string | undefined;
  'thread-id'?: string | undefined;
  'content-available'?: 1 | undefined;
  'mutable-content'?: 1 | undefined;
  'interruption-level'?: ApnsInterruptionLevel | undefined;
  [key: string]: unknown;
}

/** The JSON body: `aps` plus the app's custom keys. */
export interface ApnsPayload {
  aps: ApnsAps;
  [custom: string]: unknown;
}

/** Payload limits in bytes: 4096, or 5120 for VoIP pushes. */
export const APNS_MAX_PAYLOAD_BYTES = 4096;
export const APNS_MAX_VOIP_PAYLOAD_BYTES = 5120;
/** `apns-collapse-id` limit in bytes. */
export const APNS_MAX_COLLAPSE_ID_BYTES = 64;

/** Error body: `{ reason, timestamp? }` (timestamp, ms since epoch, with 410 only). */
export interface ApnsErrorBody {
  reason: ApnsReason | string;
  timestamp?: number | undefined;
}

/** Reasons APNs answers with (Apple's table "Understand error codes"). */
export type ApnsReason =
  | 'BadCollapseId'
  | 'BadDeviceToken'
  | 'BadExpirationDate'
  | 'BadMessageId'
  | 'BadPriority'
  | 'BadTopic'
  | 'DeviceTokenNotForTopic'
  | 'DuplicateHeaders'
  | 'IdleTimeout'
  | 'InvalidPushType'
  | 'MissingDeviceToken'
  | 'MissingTopic'
  | 'PayloadEmpty'
  | 'TopicDisallowed'
  | 'BadCertificate'
  | 'BadCertificateEnvironment'
  | 'ExpiredProviderToken'
  | 'Forbidden'
  | 'InvalidProviderToken'
  | 'MissingProviderToken'
  | 'UnrelatedKeyIdInToken'
  | 'BadPath'
  | 'MethodNotAllowed'
  | 'ExpiredToken'
  | 'Unregistered'
  | 'PayloadTooLarge'
  | 'TooManyProviderTokenUpdates'
  | 'TooManyRequests'
  | 'InternalServerError'
  | 'ServiceUnavailable'
  | 'Shutdown';

/** The ES256 provider-token (JWT) header and claims. */
export interface ApnsJwtHeader {
  alg: 'ES256';
  kid: string;
  typ?: string | undefined;
}
export interface ApnsJwtClaims {
  iss: string;
  iat: number;
}
