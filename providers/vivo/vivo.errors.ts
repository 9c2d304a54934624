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
import type { CodeExplanation, Outcome } from '../types.js';
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

/**
 * The codes recorded as `vendorCode` in words (docs/vendors/vivo.md#error-codes-and-outcomes), for the
 * API's explanations. Keys as recorded: vivo's numeric `result` as a string.
 */
const authRefused = (what: string): CodeExplanation => ({
  meaning: `vivo refused the authentication: ${what}; the lane paused.`,
  action: "Check the tenant's vivo appId, appKey and appSecret (vivo push console) and this host's clock, then replay.",
});
const paramRefused: CodeExplanation = {
  meaning: 'vivo refused a parameter of the message (10050–10069: title, content, skip type, ttl, data…).',
  action: 'Read lastError.message for the field vivo names; fix the message or options.overrides.vivo and send again.',
};
const quota = (what: string): CodeExplanation => ({
  meaning: `vivo's daily ${what} quota is used up; that class waits until midnight Beijing time (vivo asks for no more sends of it that day).`,
  action: 'Send fewer operations (news, marketing) messages, classify system messages correctly, or ask vivo for more quota; replay after the reset.',
});
export const VIVO_EXPLANATIONS: Readonly<Record<string, CodeExplanation>> = {
  ...Object.fromEntries(Array.from({ length: VIVO_CODES.paramLast - VIVO_CODES.paramFirst + 1 }, (_, i) => [String(VIVO_CODES.paramFirst + i), paramRefused])),
  [VIVO_CODES.authTokenInvalid]: authRefused('the auth token is invalid or expired (10000), also after a new one was fetched'),
  [VIVO_CODES.quotaTotal]: quota('send'),
  [VIVO_CODES.tooFrequent]: { meaning: 'vivo answered "too frequent" (10072); pushgate paused the lane.', action: "Lower the lane's rateLimit.perSecond." },
  [VIVO_CODES.appIdMismatch]: authRefused('the appId does not match (10094)'),
  [VIVO_CODES.categoryInvalid]: { meaning: 'vivo refused the message category (10096).', action: 'Send with an options.category vivo accepts for the app (docs/vendors/vivo.md#categories).' },
  [VIVO_CODES.categoryMismatch]: { meaning: "vivo says the category does not match the message's classification or content (10097).", action: 'Check options.category: vivo reviews system categories (im, account, order…) against the content.' },
  [VIVO_CODES.listSizeInvalid]: { meaning: 'vivo refused the size of the target list (10153).', action: 'Report it: pushgate batches within vivo’s list limits.' },
  [VIVO_CODES.authAppIdEmpty]: authRefused('the appId is empty (10200)'),
  [VIVO_CODES.authAppKeyEmpty]: authRefused('the appKey is empty (10201)'),
  [VIVO_CODES.authAppKeyIllegal]: authRefused('the appKey is illegal (10202)'),
  [VIVO_CODES.authTimestampEmpty]: authRefused('the timestamp is empty (10203)'),
  [VIVO_CODES.authSignEmpty]: authRefused('the signature is empty (10204)'),
  [VIVO_CODES.authAppIdUnknown]: authRefused('the appId is unknown (10205)'),
  [VIVO_CODES.authSignError]: authRefused('the signature is wrong (10206): usually the appSecret'),
  [VIVO_CODES.authTimestampInvalid]: authRefused("the timestamp is invalid (10207): this host's clock is off"),
  [VIVO_CODES.authRateLimited]: { meaning: 'vivo limits auth calls to 10 a second per app (10250); pushgate waited a second.', action: 'Nothing if rare; replay the deliveries that ran out of time.' },
  [VIVO_CODES.quotaListPayload]: quota('list-message'),
  [VIVO_CODES.quotaAll]: quota('broadcast'),
  [VIVO_CODES.targetInvalid]: {
    meaning: 'vivo called the regId invalid (10302): it does not exist, the app was uninstalled or its notifications are off, or the device was offline for long (the device was pruned); or, with pushMode 1, the device is not a test device (device kept).',
    action: 'Nothing for dead regIds: the app registers a new one on its next start. For test pushes, add the device as a test device in vivo’s console.',
  },
  [VIVO_CODES.requestIdInvalid]: { meaning: 'vivo refused the requestId (10353).', action: 'Report it: pushgate derives requestId from the delivery id.' },
  [VIVO_CODES.classificationError]: { meaning: 'vivo refused the message classification (11000).', action: 'Check options.category and the tenant’s vivo classification settings (docs/vendors/vivo.md#categories).' },
};
