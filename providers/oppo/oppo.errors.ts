/**
 * OPPO answer code → pushgate outcome: the one table (docs/vendors/oppo.md#error-codes-and-outcomes; OPPO-java `ErrorCode.java`,
 * opush-server-sdk `ReturnCode`, OPPO doc "调用地址，公共参数和返回码" for -2/33/55/67).
 *
 * Codes that stop every send of the app (bad AppKey/sign/clock, IP blacklist, permission, app
 * disabled) are `auth_error`: the dispatcher refreshes the token once, then pauses the lane and
 * drops pushgate_provider_up, which is what an operator must see. Codes that only condemn this
 * payload are `rejected`.
 */
import type { CodeExplanation, Outcome } from '../types.js';
import { OPPO_CODES as C } from './oppo.wire.js';

interface Row {
  outcome: Outcome;
  meaning: string;
}

const TABLE: ReadonlyMap<number, Row> = new Map<number, Row>([
  [C.FLOW_CONTROL, { outcome: 'rate_limited', meaning: 'service flow control' }],
  [C.SERVICE_UNAVAILABLE, { outcome: 'retry', meaning: 'service unavailable' }],
  [C.SUCCESS, { outcome: 'sent', meaning: 'success' }],
  [C.INVALID_AUTH_TOKEN, { outcome: 'auth_error', meaning: 'invalid or expired auth_token' }],
  [C.HTTP_ACTION_NOT_ALLOWED, { outcome: 'rejected', meaning: 'wrong HTTP method' }],
  [C.APP_CALL_LIMITED, { outcome: 'rate_limited', meaning: 'app call limit exceeded (includes frequency)' }],
  [C.INVALID_APP_KEY, { outcome: 'auth_error', meaning: 'invalid AppKey' }],
  [C.MISSING_APP_KEY, { outcome: 'auth_error', meaning: 'missing AppKey' }],
  [C.INVALID_SIGNATURE, { outcome: 'auth_error', meaning: 'invalid sign (check masterSecret)' }],
  [C.MISSING_SIGNATURE, { outcome: 'auth_error', meaning: 'missing sign' }],
  [C.MISSING_TIMESTAMP, { outcome: 'auth_error', meaning: 'missing timestamp' }],
  [C.INVALID_TIMESTAMP, { outcome: 'auth_error', meaning: 'illegal timestamp (clock more than 10 minutes off?)' }],
  [20, { outcome: 'rejected', meaning: 'no such method' }],
  [21, { outcome: 'rejected', meaning: 'missing method' }],
  [22, { outcome: 'rejected', meaning: 'missing version' }],
  [23, { outcome: 'rejected', meaning: 'illegal version' }],
  [24, { outcome: 'rejected', meaning: 'unsupported version' }],
  [C.INVALID_ENCODING, { outcome: 'rejected', meaning: 'encoding error (not UTF-8)' }],
  [C.IP_BLACK_LIST, { outcome: 'auth_error', meaning: 'IP blacklisted' }],
  [C.ACCESS_DENIED, { outcome: 'auth_error', meaning: 'access denied: no permission for this function' }],
  [C.APP_DISABLED, { outcome: 'auth_error', meaning: 'app disabled' }],
  [C.MISSING_AUTH_TOKEN, { outcome: 'auth_error', meaning: 'missing auth_token' }],
  [C.API_PERMISSION_DENIED, { outcome: 'auth_error', meaning: 'app has no API push permission' }],
  [C.DATA_NOT_EXIST, { outcome: 'rejected', meaning: 'data does not exist' }],
  [C.DATA_DUPLICATE, { outcome: 'rejected', meaning: 'duplicate data' }],
  [C.DAILY_LIMIT, { outcome: 'quota_exceeded', meaning: 'daily message count exceeded' }],
  [C.MISSING_REQUIRED_ARGUMENTS, { outcome: 'rejected', meaning: 'missing required argument' }],
  [C.INVALID_ARGUMENTS, { outcome: 'rejected', meaning: 'invalid argument' }],
  [C.FREQUENCY_LIMIT, { outcome: 'rate_limited', meaning: 'frequency limit' }],
  [C.CATEGORY_ERROR, { outcome: 'rejected', meaning: 'category / notify_level not allowed' }],
  [C.INVALID_REGISTRATION_ID, { outcome: 'invalid_token', meaning: 'registration_id invalid' }],
  [C.REGISTRATION_ID_UNSUBSCRIBED, { outcome: 'invalid_token', meaning: 'registration_id unsubscribed (push switched off)' }],
  [C.INVALID_ALIAS, { outcome: 'invalid_token', meaning: 'alias invalid' }],
  [C.ALIAS_UNSUBSCRIBED, { outcome: 'invalid_token', meaning: 'alias unsubscribed' }],
  [C.DUPLICATE_REGISTRATION_ID, { outcome: 'rejected', meaning: 'duplicate registration_id in request' }],
  [C.DUPLICATE_ALIAS, { outcome: 'rejected', meaning: 'duplicate alias in request' }],
]);

export interface CodeVerdict {
  outcome: Outcome;
  vendorCode: string;
  vendorMessage: string;
}

/**
 * The outcome for an OPPO code. Unknown codes are `rejected` (a bounded failure, visible with the
 * vendor's own text) rather than retried forever; unknown negative codes are server-side, so `retry`.
 */
export function oppoOutcome(code: number, vendorMessage?: string): CodeVerdict {
  const row = TABLE.get(code);
  const outcome: Outcome = row?.outcome ?? (code < 0 ? 'retry' : 'rejected');
  const text = vendorMessage && vendorMessage.length > 0 ? vendorMessage : (row?.meaning ?? 'unknown OPPO code');
  return { outcome, vendorCode: String(code), vendorMessage: text };
}

/** OPPO sends codes as numbers; older SDKs read them as strings. Undefined when not a code. */
export function parseOppoCode(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,9}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** The whole table, for docs and tests. */
export function oppoOutcomeTable(): ReadonlyArray<{ code: number; outcome: Outcome; meaning: string }> {
  return [...TABLE].map(([code, row]) => ({ code, ...row }));
}

/** What to do about an OPPO code, by what pushgate did with it; a few codes have their own advice below. */
const ACTION: Readonly<Partial<Record<Outcome, string>>> = {
  invalid_token: 'Nothing: the device was pruned, and the app registers a new registration_id on its next start.',
  auth_error: "Check the tenant's oppo appKey and masterSecret (OPPO push console) and the app's push permission, then replay.",
  rate_limited: "Lower the lane's rateLimit.perSecond; pushgate resumes by itself.",
  quota_exceeded: 'Send fewer messages of this class, or ask OPPO for more quota; the class resumes after midnight Beijing time.',
  rejected: 'Read lastError.message; fix the message or options.overrides.oppo and send again.',
  retry: 'Transient: replay when OPPO recovers.',
};
const OWN_ACTION: Readonly<Record<number, string>> = {
  [C.INVALID_TIMESTAMP]: "Fix this host's clock (NTP), then replay.",
  [C.IP_BLACK_LIST]: "Check in OPPO's console whether this host's public IP is blocked, then replay.",
  [C.CATEGORY_ERROR]: 'Send with an options.category OPPO allows for the app (docs/vendors/oppo.md#categories).',
  [C.DUPLICATE_REGISTRATION_ID]: 'Report it: pushgate sends each token once per request.',
};

const DID: Readonly<Record<Outcome, string>> = {
  sent: 'counted it as sent',
  invalid_token: 'pruned the device',
  retry: 'retried until ttlSeconds or the attempt limit',
  rate_limited: 'paused the lane',
  quota_exceeded: 'held the class until the quota resets',
  rejected: 'failed the delivery without retrying',
  auth_error: 'paused the lane',
};

/**
 * The codes recorded as `vendorCode` in words (docs/vendors/oppo.md#error-codes-and-outcomes), for the
 * API's explanations: the table above, each code with what pushgate did and what to do.
 */
export const OPPO_EXPLANATIONS: Readonly<Record<string, CodeExplanation>> = Object.fromEntries(
  [...TABLE]
    .filter(([code]) => code !== C.SUCCESS)
    .map(([code, row]) => [String(code), { meaning: `OPPO: ${row.meaning} (${code}); pushgate ${DID[row.outcome]}.`, action: OWN_ACTION[code] ?? ACTION[row.outcome] ?? '' }]),
);
