/**
 * RongCloud answer → pushgate outcome, in one place (docs/vendors/rongcloud.md#error-codes-and-outcomes; RongCloud server status
 * codes; https://docs.rongcloud.cn/platform-chat-api/push/send-push-by-tag).
 *
 * | code | HTTP | meaning                              | outcome       | failover to backup host |
 * |------|------|--------------------------------------|---------------|-------------------------|
 * | 200  | 200  | success                              | sent          | —                       |
 * | 1000 | 500  | internal server error                | retry         | yes                     |
 * | 1050 | 504  | internal timeout                     | retry         | yes                     |
 * | 1001 | 401  | App Secret mismatch / unknown key    | auth_error    | no                      |
 * | 1004 | 401  | signature error (clock, nonce)       | auth_error    | no                      |
 * | 1006 | 401  | app locked or deleted                | auth_error    | no                      |
 * | 1007 | 401  | method restricted / not enabled      | auth_error    | no                      |
 * | 1008 | 429  | call rate exceeded                   | rate_limited  | no                      |
 * | 1002 | 400  | parameter error                      | rejected      | no                      |
 * | 1003 | 400  | no POST data                         | rejected      | no                      |
 * | 1005 | 400  | parameter too long (title > 50)      | rejected      | no                      |
 * | 1009 | 430  | service not enabled                  | rejected      | no                      |
 * | 2007 | —    | too many test users (dev env limit)  | rejected      | no                      |
 * | other code / no code: by HTTP status — 429 rate_limited; 401/403 auth_error; 5xx retry (failover);
 * |   2xx without a known code: retry (an unexpected answer, e.g. a proxy page); other 4xx rejected.
 * | transport error / timeout                   | retry         | yes                     |
 *
 * There is no invalid_token outcome: RongCloud addresses the app's own user ids, and a user with no
 * reachable device is simply not pushed (success for the call). Auth errors are static-signature
 * problems (wrong secret, clock skew): the adapter has nothing to refresh, so the lane pauses.
 */
import type { CodeExplanation, Outcome } from '../types.js';
import { RC_CODES } from './rongcloud.wire.js';

export interface RcClassification {
  outcome: Outcome;
  /** True when the official SDKs would switch to the backup host (network error, 5xx, 1000/1050). */
  failover: boolean;
  /** Our description of the code (used when RongCloud sends no errorMessage). */
  meaning: string;
}

const TABLE: Readonly<Record<number, RcClassification>> = {
  [RC_CODES.OK]: { outcome: 'sent', failover: false, meaning: 'success' },
  [RC_CODES.INTERNAL_ERROR]: { outcome: 'retry', failover: true, meaning: 'RongCloud internal server error' },
  [RC_CODES.INTERNAL_TIMEOUT]: { outcome: 'retry', failover: true, meaning: 'RongCloud internal timeout' },
  [RC_CODES.APP_SECRET_MISMATCH]: { outcome: 'auth_error', failover: false, meaning: 'App Key unknown or App Secret mismatch: check appKey/appSecret' },
  [RC_CODES.SIGNATURE_ERROR]: { outcome: 'auth_error', failover: false, meaning: 'signature error: check appSecret and this host’s clock' },
  [RC_CODES.APP_LOCKED_OR_DELETED]: { outcome: 'auth_error', failover: false, meaning: 'the RongCloud app is locked or deleted' },
  [RC_CODES.METHOD_RESTRICTED]: { outcome: 'auth_error', failover: false, meaning: 'this API is restricted or not enabled for the app' },
  [RC_CODES.RATE_LIMITED]: { outcome: 'rate_limited', failover: false, meaning: 'RongCloud call rate exceeded' },
  [RC_CODES.PARAMETER_ERROR]: { outcome: 'rejected', failover: false, meaning: 'parameter error' },
  [RC_CODES.NO_POST_DATA]: { outcome: 'rejected', failover: false, meaning: 'no POST data' },
  [RC_CODES.PARAMETER_TOO_LONG]: { outcome: 'rejected', failover: false, meaning: 'parameter too long (title is at most 50 characters)' },
  [RC_CODES.SERVICE_NOT_ENABLED]: { outcome: 'rejected', failover: false, meaning: 'service not enabled for the app' },
  [RC_CODES.TOO_MANY_TEST_USERS]: { outcome: 'rejected', failover: false, meaning: 'too many test users in the development environment' },
};

/** Classify one answer: the body's `code` first, the HTTP status when the code is unknown or absent. */
export function classifyRongCloud(httpStatus: number, code: number | undefined): RcClassification {
  if (code !== undefined) {
    const known = TABLE[code];
    // A success code on an error status is not a success: fall through to the status.
    if (known && !(code === RC_CODES.OK && httpStatus !== 200)) return known;
  }
  if (httpStatus === 429) return { outcome: 'rate_limited', failover: false, meaning: 'HTTP 429' };
  if (httpStatus === 401 || httpStatus === 403) return { outcome: 'auth_error', failover: false, meaning: `HTTP ${httpStatus}` };
  if (httpStatus >= 500) return { outcome: 'retry', failover: true, meaning: `HTTP ${httpStatus}` };
  if (httpStatus >= 200 && httpStatus < 300) return { outcome: 'retry', failover: false, meaning: `unexpected answer (HTTP ${httpStatus}, code ${code ?? 'none'})` };
  return { outcome: 'rejected', failover: false, meaning: `HTTP ${httpStatus}` };
}

/** A transport failure (refused, reset, timeout): retry, and try the backup host first. */
export const TRANSPORT_FAILURE: RcClassification = { outcome: 'retry', failover: true, meaning: 'transport error' };

/**
 * The codes recorded as `vendorCode` in words (docs/vendors/rongcloud.md#error-codes-and-outcomes), for
 * the API's explanations: the table above, each code with what to do. Keys as recorded: RongCloud's
 * numeric `code` as a string, and `data_only` for a message without a notification.
 */
const ACTION: Readonly<Partial<Record<Outcome, string>>> = {
  auth_error: "Check the tenant's rongcloud appKey, appSecret and region, and this host's clock; enable the push API for the app in RongCloud's console. Then replay.",
  rate_limited: "Lower the lane's rateLimit.perSecond; pushgate resumes by itself.",
  rejected: 'Read lastError.message; fix the message or options.overrides.rongcloud and send again.',
  retry: 'Transient (pushgate also tried the backup host): replay when RongCloud recovers.',
};
export const RONGCLOUD_EXPLANATIONS: Readonly<Record<string, CodeExplanation>> = {
  ...Object.fromEntries(
    Object.entries(TABLE)
      .filter(([code]) => Number(code) !== RC_CODES.OK)
      .map(([code, row]) => [code, { meaning: `RongCloud: ${row.meaning} (${code}).`, action: ACTION[row.outcome] ?? '' }]),
  ),
  [RC_CODES.SERVICE_NOT_ENABLED]: { meaning: 'RongCloud: the push service is not enabled for the app (1009).', action: "Enable push for the app in RongCloud's console, then replay." },
  [RC_CODES.TOO_MANY_TEST_USERS]: { meaning: 'RongCloud: too many test users in the development environment (2007).', action: 'Use a production app key, or fewer test users.' },
  data_only: { meaning: 'RongCloud pushes notifications only; this message had none.', action: 'Send with a notification {title, body}.' },
};
