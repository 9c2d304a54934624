/**
 * HarmonyOS Push Kit v3 answer → pushgate Outcome, in one place (docs/vendors/harmony.md#error-codes-and-outcomes;
 * https://developer.huawei.com/consumer/en/doc/harmonyos-references-V13/push-scenariozed-api-response-V13/).
 */
import { httpStatusOutcome } from '../shared/results.js';
import { parseJsonObject } from '../shared/text.js';
import type { CodeExplanation, Outcome } from '../types.js';
import { HARMONY_CODES as C, HARMONY_TOKEN_REASONS as R, type HarmonyIllegalTokensMsg } from './harmony.wire.js';

/** Codes with one outcome for the whole request. 80100000 and 80300007 are per token: see `illegalTokenOutcome`. */
export const HARMONY_OUTCOMES: Readonly<Record<string, Outcome>> = {
  [C.SUCCESS]: 'sent',
  [C.PARAM_ERROR]: 'rejected',
  [C.BAD_PAYLOAD]: 'rejected',
  [C.BAD_TTL]: 'rejected',
  [C.IMAGE_NOT_VERIFIED]: 'rejected',
  // Missing/foreign JWT, wrong project id; an expired JWT is re-signed by refreshCredentials.
  [C.AUTH_ERROR]: 'auth_error',
  [C.JWT_EXPIRED]: 'auth_error',
  // Push not enabled for the project, or the project id does not match the app: configuration.
  [C.NO_PERMISSION]: 'auth_error',
  // A JWT valid for more than a day: pushgate's config allows at most 86400 s, so only a clock jump gets here.
  [C.JWT_LIFETIME_TOO_LONG]: 'auth_error',
  // The app is under penalty and cannot send: pausing the lane with pushgate_provider_up = 0 makes it an alert.
  [C.APP_PENALIZED]: 'auth_error',
  [C.BODY_TOO_LARGE]: 'rejected',
  // pushgate never sends more than the limit (maxTargetsPerRequest, 10 for test messages), so resending cannot help.
  [C.TOO_MANY_TOKENS]: 'rejected',
  [C.TEST_MESSAGE_TOO_MANY_TOKENS]: 'rejected',
  [C.TEST_MESSAGE_RATE_LIMITED]: 'rate_limited',
  [C.INTERNAL_ERROR]: 'retry',
};

const AUTH_CODES: ReadonlySet<string> = new Set([C.AUTH_ERROR, C.JWT_EXPIRED, C.JWT_LIFETIME_TOO_LONG]);

/**
 * The outcome of a whole answer, from its code and HTTP status.
 * - JWT codes → auth_error at any HTTP status; HTTP 503 is Huawei's flow control → rate_limited.
 * - A known code → the table; an unknown one → retry, keeping the code: Huawei adds codes over
 *   time, and retry is bounded by ttlSeconds and the attempt limit, whereas `rejected` would lose a
 *   message on a new transient condition.
 * - No code (a proxy answered): by HTTP status, as every vendor does (`httpStatusOutcome`).
 */
export function harmonyOutcomeFor(code: string | undefined, httpStatus: number): Outcome {
  if (code !== undefined && AUTH_CODES.has(code)) return 'auth_error';
  if (httpStatus === 503) return 'rate_limited';
  if (code !== undefined) return HARMONY_OUTCOMES[code] ?? 'retry';
  return httpStatusOutcome(httpStatus);
}

/**
 * What one `illegalTokens` reason means for its token:
 * - `tokenFormatError`, `tokenPlatformNotSupport` → the token is dead: pruned.
 * - `noRight` → the token belongs to another project, or the device moved to NEXT without fetching
 *   a new token; but a wrong `projectId` in our config gives the same reason for every token. So it
 *   prunes only once the project is known right (see `HarmonyProvider`); `prunable: 'if_project_ok'`.
 * - other documented reasons (no push-type permission, not subscribed, country, penalty, image
 *   policy, app info, voice, live view) → rejected: the token is fine, this message cannot go to it.
 * - an unknown reason → retry, never pruned (docs/vendors/harmony.md#error-codes-and-outcomes).
 */
export function illegalTokenOutcome(reason: string): { outcome: Outcome; prunable?: 'if_project_ok' } {
  if (reason === UNNAMED_REASON) return { outcome: 'invalid_token' };
  if (reason === R.TOKEN_FORMAT_ERROR || reason === R.TOKEN_PLATFORM_NOT_SUPPORT) return { outcome: 'invalid_token' };
  if (reason === R.NO_RIGHT) return { outcome: 'invalid_token', prunable: 'if_project_ok' };
  if (DOCUMENTED_REJECTIONS.has(reason)) return { outcome: 'rejected' };
  return { outcome: 'retry' };
}

/** A token listed without a reason (a bare list): the vendor called it illegal, as v1 does. */
export const UNNAMED_REASON = 'illegal token';

const DOCUMENTED_REJECTIONS: ReadonlySet<string> = new Set([
  R.NO_PUSH_TYPE_RIGHT,
  'atomicUnableSendUnsubscribedMsg',
  'countryNotSupport',
  'disableSendHuaweiMsgBecauseOfPenalty',
  'differentImgVerifyPolicy',
  'appinfoError',
  'notSupportPlayVoice',
  'noRightToSendThisLiveNotificationEvent',
]);

/**
 * The failed tokens of an 80100000 / 80300007 answer, token → reason. `msg` is a JSON-encoded
 * string `{"illegalTokens":{"<reason>":["tok",…]},…}`; an already-decoded object is accepted, and
 * so is a bare list (`illegalTokens: [...]` or v1's `illegal_tokens: [...]`, reason unknown).
 * Undefined when no token list can be read.
 */
export function parseIllegalTokens(msg: unknown): Map<string, string> | undefined {
  const m = parseJsonObject(msg) as (HarmonyIllegalTokensMsg & { illegal_tokens?: unknown }) | undefined;
  if (!m) return undefined;
  const out = new Map<string, string>();
  let found = false;
  const add = (list: unknown, reason: string) => {
    if (!Array.isArray(list)) return;
    found = true;
    for (const t of list) if (typeof t === 'string') out.set(t, reason);
  };
  const byReason = m.illegalTokens as unknown;
  if (Array.isArray(byReason)) add(byReason, UNNAMED_REASON);
  else if (typeof byReason === 'object' && byReason !== null) for (const [reason, list] of Object.entries(byReason)) add(list, reason);
  add(m.illegal_tokens, UNNAMED_REASON);
  return found ? out : undefined;
}

/**
 * The codes recorded as `vendorCode` in words (docs/vendors/harmony.md#error-codes-and-outcomes), for
 * the API's explanations. Keys as recorded: the answer's `code` string. A token refused within an
 * 80100000/80300007 answer keeps that code; its reason (`illegalTokens` key) is in lastError.message.
 */
const jwtRefused = (what: string): CodeExplanation => ({
  meaning: `Push Kit refused the service-account JWT: ${what}, also after pushgate signed a new one; the lane paused.`,
  action: "Check the tenant's harmony serviceAccountFile (its key and key id), projectId and clientId, and this host's clock; then replay.",
});
const TOKEN_REASONS = 'tokenFormatError or tokenPlatformNotSupport: dead, pruned; noRight: another project, pruned once this project is known right; other documented reasons: this message cannot go to the token, kept';
export const HARMONY_EXPLANATIONS: Readonly<Record<string, CodeExplanation>> = {
  [C.PARTIAL_SUCCESS]: {
    meaning: `Push Kit took the request but refused some tokens (80100000); lastError.message gives this token's reason (${TOKEN_REASONS}).`,
    action: 'Pruned tokens: nothing, the app fetches a new token. Kept ones: read the reason (permission for the push type, subscription, country, penalty…).',
  },
  [C.ALL_TOKENS_INVALID]: {
    meaning: `Push Kit refused every token of the request (80300007); lastError.message gives this token's reason (${TOKEN_REASONS}). Without a readable list nothing was pruned and the deliveries were retried.`,
    action: 'If every token of a tenant fails with noRight, check the projectId first. Otherwise nothing: dead tokens are pruned.',
  },
  [C.PARAM_ERROR]: { meaning: 'Push Kit refused a parameter of the message (80100001).', action: 'Read lastError.message; fix the message or options.overrides.harmony and send again.' },
  [C.BAD_PAYLOAD]: { meaning: 'Push Kit refused the payload (80100003).', action: 'Check the notification, data and options.overrides.harmony against docs/vendors/harmony.md#request.' },
  [C.BAD_TTL]: { meaning: 'Push Kit refused the ttl (80100004).', action: 'Send with a shorter ttlSeconds.' },
  [C.IMAGE_NOT_VERIFIED]: { meaning: 'Push Kit refused the image (80100022): it is not verified for the app.', action: 'Use an image URL the app is allowed to show (AppGallery Connect), or none.' },
  [C.AUTH_ERROR]: jwtRefused('missing, foreign or with a wrong project id (80200001)'),
  [C.JWT_EXPIRED]: jwtRefused('expired (80200005)'),
  [C.JWT_LIFETIME_TOO_LONG]: jwtRefused('valid for more than a day (80300036), usually a clock jump'),
  [C.NO_PERMISSION]: { meaning: 'Push is not enabled for the project, or the project id does not match the app (80300002); the lane paused.', action: "Enable Push Kit for the project in AppGallery Connect and check the tenant's harmony projectId; then replay." },
  [C.APP_PENALIZED]: { meaning: 'The app is under penalty and cannot send (80300037); the lane paused.', action: 'See the penalty notice in AppGallery Connect; replay once it is lifted.' },
  [C.BODY_TOO_LARGE]: { meaning: 'The message is over Push Kit’s size limit (80300008).', action: 'Shorten data and notification.' },
  [C.TOO_MANY_TOKENS]: { meaning: 'Push Kit refused the request for too many tokens (80300010).', action: 'Report it: pushgate never sends more tokens than the limit.' },
  [C.TEST_MESSAGE_TOO_MANY_TOKENS]: { meaning: 'A test message may go to at most 10 tokens (80300030).', action: 'Send test messages to fewer devices.' },
  [C.TEST_MESSAGE_RATE_LIMITED]: { meaning: 'Test messages are sent too fast (80300029); pushgate paused the lane.', action: 'Send test messages less often.' },
  [C.INTERNAL_ERROR]: { meaning: 'Push Kit had an internal error (81000001).', action: 'Transient: replay when the service recovers.' },
};
