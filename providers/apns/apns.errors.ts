/**
 * APNs answers → pushgate outcomes, in one place (docs/vendors/apns.md#error-codes-and-outcomes; Apple "Handling
 * notification responses from APNs"). Apple: "Don't retry notification responses with the error
 * code BadDeviceToken, DeviceTokenNotForTopic, Forbidden, ExpiredToken, Unregistered, or
 * PayloadTooLarge."
 */
import type { Outcome } from '../types.js';
import type { ApnsReason } from './apns.wire.js';

/** What one failed stream told us. `status` is absent for transport failures. */
export interface ApnsFailure {
  status?: number | undefined;
  reason?: string | undefined;
  /** The transport's reason when no answer came (refused stream, timeout, reset, TLS…). */
  errorMessage?: string | undefined;
}

export interface ApnsOutcome {
  outcome: Outcome;
  vendorCode: string;
  vendorMessage: string;
}

/** Reasons with a fixed outcome whatever else is known. */
const BY_REASON: Partial<Record<ApnsReason, Outcome>> = {
  // 410: the token is no longer valid for the topic — prune (Apple DTS: "irrecoverable and final").
  Unregistered: 'invalid_token',
  ExpiredToken: 'invalid_token',
  // The token belongs to another bundle id / push type: prune it for this topic.
  DeviceTokenNotForTopic: 'invalid_token',
  // 403: credentials or configuration; the dispatcher refreshes the JWT once, then pauses the lane.
  ExpiredProviderToken: 'auth_error',
  InvalidProviderToken: 'auth_error',
  MissingProviderToken: 'auth_error',
  UnrelatedKeyIdInToken: 'auth_error',
  BadCertificate: 'auth_error',
  BadCertificateEnvironment: 'auth_error',
  Forbidden: 'auth_error',
  // 429: too many requests to one device, or JWT churn — back off; never refresh credentials for it.
  TooManyRequests: 'rate_limited',
  TooManyProviderTokenUpdates: 'rate_limited',
  // Our payload or headers: fix, don't retry, don't prune.
  PayloadTooLarge: 'rejected',
  // Transient on Apple's side: retry with backoff.
  InternalServerError: 'retry',
  ServiceUnavailable: 'retry',
  Shutdown: 'retry',
  IdleTimeout: 'retry',
};

/**
 * @param environmentCertain the device registered its token with `apns.environment`: only then is
 *   BadDeviceToken proof of a dead token — Apple answers the same when a sandbox token is sent to
 *   production (and vice versa), so a raw token is rejected and flagged, not pruned.
 */
export function apnsOutcome(failure: ApnsFailure, ctx: { environmentCertain: boolean }): ApnsOutcome {
  const { status, reason } = failure;
  if (status === undefined) {
    // Refused stream (the session's stream limit), timeout, GOAWAY, TLS or connection failure:
    // nothing was decided about this notification; the dispatcher retries with backoff.
    return { outcome: 'retry', vendorCode: 'transport', vendorMessage: failure.errorMessage ?? 'APNs connection failed' };
  }
  const vendorCode = reason ?? `http_${status}`;
  const describe = (what: string) => `APNs ${status}${reason ? ` ${reason}` : ''}: ${what}`;
  if (reason === 'BadDeviceToken') {
    return ctx.environmentCertain
      ? { outcome: 'invalid_token', vendorCode, vendorMessage: describe('the device token is not valid for its registered environment') }
      : {
          outcome: 'rejected',
          vendorCode,
          vendorMessage: describe(
            'the token is malformed or belongs to the other APNs environment (sandbox vs production); not pruned — register the device with apns.environment',
          ),
        };
  }
  const fixed = reason === undefined ? undefined : BY_REASON[reason as ApnsReason];
  if (fixed) return { outcome: fixed, vendorCode, vendorMessage: describe(messageFor(fixed)) };
  if (status === 410) return { outcome: 'invalid_token', vendorCode, vendorMessage: describe(messageFor('invalid_token')) };
  if (status === 403 || status === 401) return { outcome: 'auth_error', vendorCode, vendorMessage: describe(messageFor('auth_error')) };
  if (status === 429) return { outcome: 'rate_limited', vendorCode, vendorMessage: describe(messageFor('rate_limited')) };
  if (status === 408 || status >= 500) return { outcome: 'retry', vendorCode, vendorMessage: describe(messageFor('retry')) };
  // 400 Bad*/Missing*/InvalidPushType/TopicDisallowed…, 404 BadPath, 405, 413 and anything unknown.
  return { outcome: 'rejected', vendorCode, vendorMessage: describe(messageFor('rejected')) };
}

function messageFor(outcome: Outcome): string {
  switch (outcome) {
    case 'invalid_token':
      return 'the device token is no longer valid for this topic';
    case 'auth_error':
      return 'APNs refused the provider credentials (check the .p8 key, keyId, teamId or certificate)';
    case 'rate_limited':
      return 'APNs asks to slow down';
    case 'retry':
      return 'APNs is temporarily unavailable';
    default:
      return 'APNs rejected the notification (payload or headers)';
  }
}
