/**
 * FCM answers → pushgate outcomes, in one place (docs/vendors/fcm.md#error-codes-and-outcomes;
 * https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode,
 * https://firebase.google.com/docs/cloud-messaging/manage-tokens).
 *
 * | FCM answer (errorCode / status, HTTP)                 | outcome                                         |
 * |-------------------------------------------------------|-------------------------------------------------|
 * | 200 `{name}`                                          | sent (name = vendorMessageId)                   |
 * | UNREGISTERED (404) / NOT_FOUND                        | invalid_token                                   |
 * | SENDER_ID_MISMATCH (403)                              | invalid_token; auth_error when EVERY target of the batch got it |
 * | INVALID_ARGUMENT (400)                                | rejected; invalid_token when the same payload was sent to another token of the batch |
 * | QUOTA_EXCEEDED / RESOURCE_EXHAUSTED / any 429         | rate_limited, retryAfterMs = max(Retry-After, 60 s) |
 * | UNAVAILABLE (503), INTERNAL (500), other 5xx          | retry, retryAfterMs = Retry-After when given    |
 * | UNAUTHENTICATED / any 401, THIRD_PARTY_AUTH_ERROR, APNS_AUTH_ERROR | auth_error                         |
 * | PERMISSION_DENIED / other 403                         | auth_error                                      |
 * | no status (refused stream, GOAWAY, reset, timeout)    | retry                                           |
 * | other 4xx (incl. UNSPECIFIED_ERROR)                   | rejected                                        |
 *
 * The code is read the way firebase-admin does (messaging-errors-internal.ts:68-75): the
 * `errorCode` of the `google.firebase.fcm.v1.FcmError` detail, else `error.status`.
 */
import type { CodeExplanation, Outcome, SendResult } from '../types.js';
import { FCM_ERROR_TYPE, type FcmErrorBody } from './fcm.wire.js';

/** FCM's ErrorCode reference: "exponential backoff with a minimum initial delay of 1 minute". */
export const FCM_QUOTA_MIN_BACKOFF_MS = 60_000;

/** What came back on one stream, before the batch rules. */
export interface FcmAnswer {
  /** HTTP status; absent for a stream that failed without one. */
  status?: number | undefined;
  /** FcmError errorCode, else error.status; or the transport reason when there is no status. */
  code?: string | undefined;
  message?: string | undefined;
  retryAfterMs?: number | undefined;
  /** `projects/{p}/messages/{id}` on success. */
  name?: string | undefined;
}

/** The FCM error code of an error body: FcmError `errorCode`, else `error.status`. */
export function fcmErrorCodeOf(body: unknown): string | undefined {
  const err = (body as Partial<FcmErrorBody> | undefined)?.error;
  if (!err || typeof err !== 'object') return undefined;
  if (Array.isArray(err.details)) {
    for (const d of err.details) {
      if (d && d['@type'] === FCM_ERROR_TYPE && typeof d.errorCode === 'string') return d.errorCode;
    }
  }
  return typeof err.status === 'string' ? err.status : undefined;
}

/** One stream's outcome on its own. */
export function fcmOutcomeOf(a: FcmAnswer): { outcome: Outcome; retryAfterMs?: number | undefined } {
  const { status, code } = a;
  if (status === undefined) return { outcome: 'retry' };
  if (status >= 200 && status < 300) return { outcome: 'sent' };
  if (status === 429 || code === 'QUOTA_EXCEEDED' || code === 'RESOURCE_EXHAUSTED') {
    return { outcome: 'rate_limited', retryAfterMs: Math.max(a.retryAfterMs ?? 0, FCM_QUOTA_MIN_BACKOFF_MS) };
  }
  switch (code) {
    case 'UNREGISTERED':
    case 'NOT_FOUND':
    case 'SENDER_ID_MISMATCH':
      return { outcome: 'invalid_token' };
    case 'INVALID_ARGUMENT':
      return { outcome: 'rejected' };
    case 'UNAVAILABLE':
    case 'INTERNAL':
      return { outcome: 'retry', retryAfterMs: a.retryAfterMs };
    case 'UNAUTHENTICATED':
    case 'THIRD_PARTY_AUTH_ERROR':
    case 'APNS_AUTH_ERROR':
    case 'PERMISSION_DENIED':
      return { outcome: 'auth_error' };
  }
  if (status >= 500) return { outcome: 'retry', retryAfterMs: a.retryAfterMs };
  if (status === 401 || status === 403) return { outcome: 'auth_error' };
  return { outcome: 'rejected' };
}

/** One target's answer plus the key of the payload it was sent (`android`, `ios:<topic>`…). */
export interface FcmTargetAnswer {
  deliveryId: string;
  payloadKey: string;
  answer: FcmAnswer;
}

/**
 * The batch's results: each answer's outcome, then the two rules that need the whole batch.
 * - SENDER_ID_MISMATCH everywhere means our credentials/project are wrong, not the tokens
 *   (the same 403 family as IAM PERMISSION_DENIED): auth_error, nothing pruned.
 * - INVALID_ARGUMENT prunes only when the payload is known good, i.e. the same payload was
 *   accepted for another token of the batch (FCM token guide: "if you are certain the payload is valid").
 */
export function fcmBatchResults(answers: readonly FcmTargetAnswer[]): SendResult[] {
  const everyMismatch = answers.length > 0 && answers.every((t) => t.answer.code === 'SENDER_ID_MISMATCH');
  const goodPayloads = new Set<string>();
  for (const t of answers) if (t.answer.status !== undefined && t.answer.status >= 200 && t.answer.status < 300) goodPayloads.add(t.payloadKey);

  return answers.map(({ deliveryId, payloadKey, answer }) => {
    const base = fcmOutcomeOf(answer);
    const { retryAfterMs } = base;
    let { outcome } = base;
    if (answer.code === 'SENDER_ID_MISMATCH' && everyMismatch) outcome = 'auth_error';
    if (answer.code === 'INVALID_ARGUMENT' && outcome === 'rejected' && goodPayloads.has(payloadKey)) outcome = 'invalid_token';
    const r: SendResult = { deliveryId, outcome };
    if (answer.code !== undefined) r.vendorCode = answer.code;
    else if (answer.status !== undefined && outcome !== 'sent') r.vendorCode = `http_${answer.status}`;
    if (answer.message !== undefined) r.vendorMessage = answer.message;
    if (outcome === 'sent' && answer.name !== undefined) r.vendorMessageId = answer.name;
    if (retryAfterMs !== undefined) r.retryAfterMs = retryAfterMs;
    return r;
  });
}

/**
 * The codes recorded as `vendorCode` in words (docs/vendors/fcm.md#error-codes-and-outcomes,
 * https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode), for the API's explanations. Keys
 * as recorded: the FcmError `errorCode` (else `error.status`), and `oauth_<error>` / `app_<code>` when
 * the service account's access token could not be had.
 */
const serviceAccount = (what: string): CodeExplanation => ({
  meaning: `Google refused the service account: ${what}; the lane paused.`,
  action: "Check the tenant's fcm service account (a current key of the Firebase project, with the Firebase Cloud Messaging API enabled) and projectId, then replay.",
});
export const FCM_EXPLANATIONS: Readonly<Record<string, CodeExplanation>> = {
  UNREGISTERED: { meaning: 'FCM says the registration token is no longer valid (the app was uninstalled, or the token expired or was rotated). The device was pruned.', action: 'Nothing: the app registers its new token on its next start.' },
  NOT_FOUND: { meaning: 'FCM does not know the registration token. The device was pruned.', action: 'Nothing: the app registers its new token on its next start.' },
  SENDER_ID_MISMATCH: {
    meaning: "The token belongs to another Firebase project. For some tokens of a batch: those devices were pruned. For every token: the tenant's project is wrong, nothing was pruned and the lane paused.",
    action: "If every token fails, check the tenant's fcm projectId and service account against the app's google-services.json.",
  },
  INVALID_ARGUMENT: {
    meaning: 'FCM refused the message or the token as invalid. When the same payload went through for another token of the batch the token is the bad part and the device was pruned; otherwise the message failed.',
    action: 'Read lastError.message for the field FCM names; fix the message or options.overrides.fcm and send again.',
  },
  QUOTA_EXCEEDED: { meaning: "The project's or the device's message rate is over FCM's limit; pushgate paused the lane for at least a minute.", action: "Send less to one device, or lower the lane's rateLimit.perSecond; replay the deliveries that ran out of time." },
  RESOURCE_EXHAUSTED: { meaning: "FCM's quota is exhausted for now; pushgate paused the lane for at least a minute.", action: "Lower the lane's rateLimit.perSecond; replay the deliveries that ran out of time." },
  UNAVAILABLE: { meaning: 'FCM was overloaded (503); pushgate retried, honouring Retry-After.', action: 'Transient: replay when FCM recovers.' },
  INTERNAL: { meaning: 'FCM had an internal error (500); pushgate retried.', action: 'Transient: replay when FCM recovers.' },
  UNAUTHENTICATED: serviceAccount('the access token was not accepted (401)'),
  PERMISSION_DENIED: serviceAccount('it has no permission to send for this project (403)'),
  THIRD_PARTY_AUTH_ERROR: { meaning: 'FCM could not deliver to iOS/web because the APNs certificate or key (or web push auth) in the Firebase project is invalid or missing.', action: "Upload a valid APNs auth key to the Firebase project's Cloud Messaging settings, then replay." },
  APNS_AUTH_ERROR: { meaning: 'FCM could not reach APNs for an iOS device: the APNs key or certificate in the Firebase project is invalid.', action: "Upload a valid APNs auth key to the Firebase project's Cloud Messaging settings, then replay." },
  UNSPECIFIED_ERROR: { meaning: 'FCM refused the message without saying why.', action: 'Read lastError.message; check the message against docs/vendors/fcm.md#request.' },
  oauth_invalid_grant: serviceAccount('invalid_grant from the token exchange (a deleted or disabled key, or this host’s clock is off)'),
  oauth_invalid_client: serviceAccount('invalid_client from the token exchange'),
  oauth_unauthorized_client: serviceAccount('unauthorized_client from the token exchange'),
  oauth_transport: { meaning: "Google's OAuth token endpoint could not be reached.", action: 'Check network access from this host to the oauthEndpoint; transient as a rule.' },
  app_invalid_credential: serviceAccount('firebase-admin could not use the service account file'),
};
