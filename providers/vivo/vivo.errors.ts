/**
 * vivo result code → pushgate outcome, in one place (docs/vendors/vivo.md#error-codes-and-outcomes).
 *
 * | vivo code                         | outcome          | why |
 * |-----------------------------------|------------------|-----|
 * | 0                                 | sent             | success (`taskId` is the vendor message id) |
 * | 10302 + invalidUser(s) status 1/2/3 | invalid_token  | regId does not exist / uninstalled or notifications off / offline for long: prune |
 * | invalidUser(s) status 4           | rejected         | not a test device (pushMode 1): not the device's fault |
 * | 10000                             | auth_error       | authToken invalid/expired: the dispatcher refreshes once and resends |
 * | 10200–10207, 10094                | auth_error       | credentials / appId mismatch / clock skew: config, lane pauses if it persists |
 * | 10250                             | rate_limited     | auth endpoint limit (10 calls/s per app): retry after 1 s |
 * | 10072                             | rate_limited     | "too frequent" (meaning UNVERIFIED, docs/vendors/vivo.md#error-codes-and-outcomes) |
 * | 10070, 10252, 10254               | quota_exceeded   | daily quota of the message's class (system/operation): no send, |
 * |                                   |                  | saveListPayload or pushToList for that class again that Beijing day |
 * | 10050–10069, 10096, 10097, 10153, 10353, 11000 | rejected | invalid parameters / category / list size / requestId / classification |
 * | HTTP 5xx/404/408, transport error, answer without `result` | retry | vivo answers HTTP 500 "Internet server error!" on outages |
 * | other HTTP 4xx without a vivo body | rejected        | |
 * | HTTP 429                          | rate_limited     | a gateway in front of vivo; Retry-After honoured |
 * | HTTP 401/403                      | auth_error       | |
 * | any other code                    | rejected         | unknown business codes are parameter/permission problems in vivo's tables; retrying them
 * |                                   |                  | would spend quota and, per vivo, can lower the app's push level |
 */
import { httpStatusOutcome } from '../shared/results.js';
import type { Outcome } from '../types.js';
import { VIVO_CODES } from './vivo.wire.js';

const QUOTA_CODES: ReadonlySet<number> = new Set([VIVO_CODES.quotaTotal, VIVO_CODES.quotaListPayload, VIVO_CODES.quotaAll]);

/** Outcome for a vivo `result` code (HTTP 200 answers). */
export function vivoOutcome(code: number): Outcome {
  if (code === VIVO_CODES.ok) return 'sent';
  if (code === VIVO_CODES.targetInvalid) return 'invalid_token';
  if (code === VIVO_CODES.authTokenInvalid) return 'auth_error';
  if (code === VIVO_CODES.appIdMismatch) return 'auth_error';
  if (code >= VIVO_CODES.authAppIdEmpty && code <= VIVO_CODES.authTimestampInvalid) return 'auth_error';
  if (code === VIVO_CODES.authRateLimited || code === VIVO_CODES.tooFrequent) return 'rate_limited';
  if (QUOTA_CODES.has(code)) return 'quota_exceeded';
  return 'rejected';
}

/** True for the codes after which vivo asks not to call send, saveListPayload or pushToList again that day. */
export function isVivoQuotaCode(code: number): boolean {
  return QUOTA_CODES.has(code);
}

/** invalidUser status → outcome for that target: 1/2/3 prune, anything else (4: not a test user) rejected. */
export function vivoInvalidUserOutcome(status: number): Outcome {
  return status === 1 || status === 2 || status === 3 ? 'invalid_token' : 'rejected';
}

/** Outcome for an HTTP status that carries no vivo JSON answer: the shared rule, but 404 is retried. */
export function vivoHttpOutcome(status: number): Outcome {
  // 404/408 without a vivo body come from a gateway in front of vivo (deploys, timeouts), not from the message.
  return status === 404 ? 'retry' : httpStatusOutcome(status);
}

/** How long vivo implies waiting for a rate-limit code when no Retry-After is given. */
export function vivoRateLimitWaitMs(code: number): number | undefined {
  // The auth API allows 10 calls/s per app (vendor doc v2.9.2): the next second is free again.
  return code === VIVO_CODES.authRateLimited ? 1000 : undefined;
}
