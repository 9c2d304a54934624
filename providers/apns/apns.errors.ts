/**
 * APNs answers → pushgate outcomes, in one place (docs/vendors/apns.md#error-codes-and-outcomes; Apple "Handling
 * notification responses from APNs"). Apple: "Don't retry notification responses with the error
 * code BadDeviceToken, DeviceTokenNotForTopic, Forbidden, ExpiredToken, Unregistered, or
 * PayloadTooLarge."
 */
import type { CodeExplanation, Outcome } from '../types.js';
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
  // 429 TooManyRequests is about one device ("too many requests were made consecutively to the same
  // device token"; Apple: retry with a delay): that target backs off, the lane keeps sending to everyone
  // else. TooManyProviderTokenUpdates is our JWT churn: the whole lane waits. Never refresh credentials for either.
  TooManyRequests: 'retry',
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

/**
 * The reasons recorded as `vendorCode` in words (docs/vendors/apns.md#error-codes-and-outcomes; Apple
 * "Handling notification responses from APNs"), for the API's explanations. Keys as recorded: Apple's
 * `reason`, `transport` for a stream without an answer, `credentials` when no provider token or
 * certificate could be loaded.
 */
const credentials = (what: string): CodeExplanation => ({
  meaning: `APNs refused the credentials: ${what}; the lane paused.`,
  action: "Check the tenant's apns key (.p8, keyId, teamId) or certificate, topic (bundle id) and production flag, then replay.",
});
const fixRequest = (what: string): CodeExplanation => ({ meaning: `APNs refused the request: ${what}.`, action: 'Read lastError.message; fix the message, options.overrides.apns or the topic, and send again.' });
const EXPLANATIONS: Record<ApnsReason | 'transport' | 'credentials', CodeExplanation> = {
  BadCollapseId: fixRequest('the collapse id is over 64 bytes (BadCollapseId)'),
  BadDeviceToken: {
    meaning: 'APNs refused the device token (BadDeviceToken). For a device registered with its environment it is dead and was pruned; for a raw token or unknown environment it may be a sandbox token sent to production (or the reverse), so it was kept.',
    action: 'Register devices with apns.environment so dead tokens are pruned; check that the app build and the environment match.',
  },
  BadExpirationDate: fixRequest('the expiration date is invalid (BadExpirationDate)'),
  BadMessageId: fixRequest('the apns-id is invalid (BadMessageId)'),
  BadPriority: fixRequest('the priority is invalid (BadPriority)'),
  BadTopic: fixRequest('the topic is invalid (BadTopic)'),
  DeviceTokenNotForTopic: { meaning: 'The device token belongs to another topic (bundle id or push type) (DeviceTokenNotForTopic). The device was pruned for this topic.', action: "If it happens for every device, check the tenant's apns topic." },
  DuplicateHeaders: fixRequest('a header was repeated (DuplicateHeaders)'),
  IdleTimeout: { meaning: 'APNs closed the idle connection (IdleTimeout); pushgate retried.', action: 'Nothing: transient.' },
  InvalidPushType: fixRequest('the apns-push-type is invalid (InvalidPushType)'),
  MissingDeviceToken: fixRequest('no device token (MissingDeviceToken)'),
  MissingTopic: fixRequest('no topic with a multi-topic certificate (MissingTopic): set apns topic'),
  PayloadEmpty: fixRequest('the payload is empty (PayloadEmpty)'),
  TopicDisallowed: fixRequest('pushing to this topic is not allowed (TopicDisallowed)'),
  BadCertificate: credentials('the certificate was bad (BadCertificate)'),
  BadCertificateEnvironment: credentials('the certificate is for the other environment (BadCertificateEnvironment)'),
  ExpiredProviderToken: credentials('the provider token is stale (ExpiredProviderToken), also after pushgate signed a new one'),
  Forbidden: credentials('the action is forbidden for these credentials (Forbidden)'),
  InvalidProviderToken: credentials('the provider token is invalid: wrong key, key id or team id (InvalidProviderToken)'),
  MissingProviderToken: credentials('no provider token and no certificate (MissingProviderToken)'),
  UnrelatedKeyIdInToken: credentials('the key id does not belong to the team (UnrelatedKeyIdInToken)'),
  BadPath: fixRequest('the request path is wrong (BadPath): check the apns address'),
  MethodNotAllowed: fixRequest('the method is not POST (MethodNotAllowed)'),
  ExpiredToken: { meaning: 'The device token has expired (ExpiredToken). The device was pruned.', action: 'Nothing: the app registers its new token on its next start.' },
  Unregistered: { meaning: 'The device token is no longer active for the topic (Unregistered, 410): the app was uninstalled or notifications were revoked. The device was pruned.', action: 'Nothing: the app registers its new token on its next start.' },
  PayloadTooLarge: { meaning: 'The payload is over 4 KB (5 KB for VoIP) (PayloadTooLarge).', action: 'Shorten the notification and data.' },
  TooManyProviderTokenUpdates: { meaning: 'The provider token was refreshed too often (TooManyProviderTokenUpdates); pushgate paused the lane.', action: 'Nothing if rare; it resumes by itself.' },
  TooManyRequests: { meaning: 'Too many notifications to this one device in a short time (TooManyRequests); pushgate retries this device later with back-off, the lane keeps sending to the others.', action: 'Send less often to one device; use collapseKey for updates that replace each other.' },
  InternalServerError: { meaning: 'APNs had an internal error (InternalServerError); pushgate retried.', action: 'Transient: replay when APNs recovers.' },
  ServiceUnavailable: { meaning: 'APNs was unavailable (ServiceUnavailable); pushgate retried.', action: 'Transient: replay when APNs recovers.' },
  Shutdown: { meaning: 'The APNs server was shutting down (Shutdown); pushgate retried.', action: 'Nothing: transient.' },
  transport: { meaning: 'The APNs stream failed without an answer (refused stream, timeout, GOAWAY, TLS or connection failure); pushgate retried.', action: 'Transient as a rule; if it persists check network access to APNs (port 443).' },
  credentials: credentials('the key or certificate could not be loaded'),
};
export const APNS_EXPLANATIONS: Readonly<Record<string, CodeExplanation>> = EXPLANATIONS;
