/**
 * Huawei answer → pushgate Outcome, in one place (docs/vendors/huawei.md#authentication, #error-codes-and-outcomes;
 * HMS-java ResponceCodeProcesser.java, HMS-go pushclient.go).
 */
import type { CodeExplanation, Outcome } from '../types.js';
import { HUAWEI_CODES as C, type HuaweiPartialMsg } from './huawei.wire.js';

/** Codes with a fixed outcome. 80100000 (partial success) is per token: see `parseIllegalTokens`. */
export const HUAWEI_OUTCOMES: Readonly<Record<string, Outcome>> = {
  [C.SUCCESS]: 'sent',
  [C.ALL_TOKENS_INVALID]: 'invalid_token',
  // The demos refresh the OAuth token and resend once on these, whatever the HTTP status:
  // the dispatcher does that after auth_error (refreshCredentials + resend).
  [C.OAUTH_AUTH_ERROR]: 'auth_error',
  [C.OAUTH_TOKEN_EXPIRED]: 'auth_error',
  [C.APP_FORBIDDEN]: 'auth_error',
  // 80100001..80100018: parameter / structure errors, final — except 80100017, "at most 100
  // topic messages in flight", which clears by itself.
  ...Object.fromEntries(
    Array.from({ length: 18 }, (_, i) => [String(80100001 + i), i + 1 === 17 ? 'rate_limited' : 'rejected'] as const),
  ),
  [C.BODY_TOO_LARGE]: 'rejected',
  // pushgate never sends more than 1000 tokens (limits.maxTargetsPerRequest); if it did, resending
  // the same batch could not help.
  [C.TOO_MANY_TOKENS]: 'rejected',
  [C.NO_HIGH_PRIORITY_PERMISSION]: 'rejected',
  [C.OAUTH_SERVICE_FAILED]: 'retry',
  [C.INTERNAL_ERROR]: 'retry',
};

const AUTH_CODES: ReadonlySet<string> = new Set([C.OAUTH_AUTH_ERROR, C.OAUTH_TOKEN_EXPIRED]);

/**
 * The outcome of a whole send answer (every token alike), from its body code and HTTP status.
 * - 80200001/80200003 → auth_error at any HTTP status (the demos key off the code).
 * - HTTP 503 is Huawei's flow control → rate_limited.
 * - A known code → the table.
 * - An unknown code → retry, keeping the code: Huawei adds codes over time and an unknown one is
 *   more often a new transient condition than a permanent verdict on the payload; retry is bounded
 *   by ttlSeconds and the attempt limit, so a permanent one still ends `failed` with the code visible,
 *   whereas `rejected` would lose a message on a transient one.
 * - No code at all (a proxy or gateway answered): by HTTP status.
 */
export function huaweiOutcomeFor(code: string | undefined, httpStatus: number): Outcome {
  if (code !== undefined && AUTH_CODES.has(code)) return 'auth_error';
  if (httpStatus === 503) return 'rate_limited';
  if (code !== undefined) return HUAWEI_OUTCOMES[code] ?? 'retry';
  if (httpStatus === 401 || httpStatus === 403) return 'auth_error';
  if (httpStatus === 429) return 'rate_limited';
  if (httpStatus >= 400 && httpStatus < 500) return 'rejected';
  return 'retry';
}

/**
 * The OAuth token endpoint's answer when it gave no token: 503 (flow control) / 429 → rate_limited;
 * 5xx → retry; 4xx (400 `{error:1101, sub_error:20002…}` bad client id/secret) → auth_error.
 */
export function huaweiTokenFailureOutcome(httpStatus: number): Outcome {
  if (httpStatus === 503 || httpStatus === 429) return 'rate_limited';
  if (httpStatus >= 500) return 'retry';
  if (httpStatus >= 400) return 'auth_error';
  return 'retry';
}

/**
 * The failed tokens of an 80100000 answer, token → reason. `msg` is a JSON-encoded string; the v1
 * key names are UNVERIFIED (docs/vendors/huawei.md#error-codes-and-outcomes, https://docs.getui.com/getui/server/oh/push-scenariozed-api-response),
 * so both `illegal_tokens: string[]` and `illegalTokens: {reason: string[]}` are read, and an
 * already-decoded object is accepted too. Undefined when no token list can be found.
 */
export function parseIllegalTokens(msg: unknown): Map<string, string> | undefined {
  let parsed: unknown = msg;
  if (typeof msg === 'string') {
    try {
      parsed = JSON.parse(msg);
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const m = parsed as HuaweiPartialMsg & Record<string, unknown>;
  let found = false;
  const out = new Map<string, string>();
  const add = (list: unknown, reason: string) => {
    if (!Array.isArray(list)) return;
    found = true;
    for (const t of list) if (typeof t === 'string') out.set(t, reason);
  };
  add(m.illegal_tokens, 'illegal token');
  const byReason = m.illegalTokens as unknown;
  if (Array.isArray(byReason)) add(byReason, 'illegal token');
  else if (typeof byReason === 'object' && byReason !== null) {
    for (const [reason, list] of Object.entries(byReason)) add(list, reason);
  }
  return found ? out : undefined;
}

/**
 * The codes recorded as `vendorCode` in words (docs/vendors/huawei.md#error-codes-and-outcomes), for
 * the API's explanations. Keys as recorded: Huawei's `code` string (the OAuth endpoint's numeric
 * `error` when the token request failed).
 */
const PARAMETER_ERROR = {
  meaning: 'Huawei refused a parameter of the message (80100001–80100018: structure, ttl, collapse key, content…).',
  action: "Read lastError.message for the field Huawei names; fix the message or options.overrides.huawei and send again.",
};
export const HUAWEI_EXPLANATIONS: Readonly<Record<string, CodeExplanation>> = {
  ...Object.fromEntries(Array.from({ length: 18 }, (_, i) => [String(80100001 + i), PARAMETER_ERROR])),
  [C.PARTIAL_SUCCESS]: {
    meaning: 'Huawei took the request but refused some of its tokens as illegal (80100000, partial success); these deliveries are the refused ones, their devices pruned.',
    action: 'Nothing: dead tokens are removed and the app registers a new one on its next start.',
  },
  [C.SYS_MESSAGE_TOKEN_COUNT]: { meaning: 'Huawei refused the number of tokens for this kind of message (80100002).', action: 'Send it to fewer devices per message, and check lastError.message for the limit Huawei names.' },
  [C.BAD_MESSAGE_STRUCTURE]: { meaning: 'Huawei found the message structure invalid (80100003).', action: 'Check options.overrides.huawei and the notification fields against docs/vendors/huawei.md#request.' },
  [C.BAD_TTL]: { meaning: 'Huawei refused the ttl (80100004).', action: 'Send with a shorter ttlSeconds (pushgate caps it at 15 days, docs/vendors/huawei.md#ttl).' },
  [C.BAD_COLLAPSE_KEY]: { meaning: 'Huawei refused the collapse key (80100013).', action: 'Report it: pushgate maps collapseKey into the range Huawei allows (−1..100). Meanwhile send without collapseKey.' },
  [C.SENSITIVE_CONTENT]: { meaning: 'Huawei refused the content of the message as sensitive (80100016).', action: 'Reword the title and body, then send again.' },
  [C.TOPIC_MESSAGES_IN_FLIGHT]: { meaning: 'Too many messages in flight at Huawei (80100017); pushgate paused the lane, as for a rate limit.', action: 'Nothing if rare: the lane resumes by itself. Replay the deliveries that ran out of time.' },
  [C.BAD_MESSAGE_BODY]: { meaning: 'Huawei refused the message body (80100018).', action: 'Check data, notification and options.overrides.huawei against docs/vendors/huawei.md#request.' },
  [C.OAUTH_AUTH_ERROR]: { meaning: "Huawei refused the OAuth access token (80200001), even after pushgate fetched a new one.", action: "Check the tenant's huawei appId and clientSecret (AppGallery Connect)." },
  [C.OAUTH_TOKEN_EXPIRED]: { meaning: 'The OAuth access token expired (80200003) and a fresh one was refused too.', action: "Check the tenant's huawei appId and clientSecret, and this host's clock." },
  [C.APP_FORBIDDEN]: { meaning: 'Huawei forbids this app to send (80300002): Push Kit is not enabled, or the app is restricted.', action: 'Enable Push Kit for the app in AppGallery Connect, then replay.' },
  [C.ALL_TOKENS_INVALID]: { meaning: 'Huawei called every token of the request invalid (80300007); the devices were pruned.', action: 'Nothing: the apps register new tokens on their next start.' },
  [C.BODY_TOO_LARGE]: { meaning: 'The message is over Huawei’s 4 KB body limit (80300008).', action: 'Shorten data and notification; send large content by reference.' },
  [C.TOO_MANY_TOKENS]: { meaning: 'Huawei refused the request for more than 1000 tokens (80300010).', action: 'Report it: pushgate never sends more than 1000 tokens per request.' },
  [C.NO_HIGH_PRIORITY_PERMISSION]: { meaning: 'The app has no permission for high-priority data messages (80300011).', action: 'Send with priority normal, or apply for the permission in AppGallery Connect.' },
  [C.OAUTH_SERVICE_FAILED]: { meaning: "Huawei's OAuth service failed (80600003).", action: 'Transient: replay when Huawei recovers.' },
  [C.INTERNAL_ERROR]: { meaning: 'Huawei had an internal error (81000001).', action: 'Transient: replay when Huawei recovers.' },
  '1101': { meaning: "Huawei's OAuth endpoint refused the client id or secret (error 1101).", action: "Check the tenant's huawei appId and clientSecret, and the authEndpoint." },
};
