/**
 * Huawei answer → pushgate Outcome, in one place (docs/vendors/huawei.md#authentication, #error-codes-and-outcomes;
 * HMS-java ResponceCodeProcesser.java, HMS-go pushclient.go).
 */
import type { Outcome } from '../types.js';
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
