/**
 * Xiaomi result code → pushgate outcome, in one place (docs/vendors/xiaomi.md#error-codes-and-outcomes;
 * https://dev.mi.com/xiaomihyperos/documentation/detail?pId=1560, XM-JavaSDK `ErrorCode.java`).
 * Codes on a success answer (`bad_regids`) are handled per target by the provider.
 */
import { httpStatusOutcome } from '../shared/results.js';
import type { CodeExplanation, Outcome } from '../types.js';
import { XiaomiCode as C } from './xiaomi.wire.js';

export const XIAOMI_OUTCOMES: ReadonlyMap<number, Outcome> = new Map<number, Outcome>([
  [C.success, 'sent'],
  // Transient vendor trouble: back off and resend.
  [C.unknown, 'retry'],
  [C.systemError, 'retry'],
  [C.serviceBusy, 'retry'],
  [C.remoteServiceError, 'retry'],
  [C.requestExpired, 'retry'],
  // QPS exceeded (10027 = this app calls this API too often): pause the lane.
  [C.frequencyExceeded22, 'rate_limited'],
  [C.frequencyExceeded23, 'rate_limited'],
  [C.appTooFrequent, 'rate_limited'],
  // Daily quota (200001: public-message quota; 10034: too many messages today): wait for midnight.
  [C.dailyQuotaExceeded, 'quota_exceeded'],
  [C.tooManyToday, 'quota_exceeded'],
  // No valid target in the request: every target is dead, prune them all.
  [C.noValidTarget, 'invalid_token'],
  // The AppSecret is static: nothing to refresh, the lane pauses until the config is fixed.
  [C.authFailed, 'auth_error'],
  [C.tokenAuthFailed, 'auth_error'],
  // Permanent: the same request would fail again.
  [C.parameterError, 'rejected'],
  [C.missingParameter, 'rejected'],
  [C.invalidParameter, 'rejected'],
  [C.missingRequiredParameter, 'rejected'],
  [C.invalidPackageName, 'rejected'],
  [C.channelMismatch, 'rejected'],
  [C.contentTooLong, 'rejected'],
  [C.callbackUrlError36, 'rejected'],
  [C.callbackUrlError37, 'rejected'],
  [C.callbackUrlError38, 'rejected'],
  [C.blacklisted, 'rejected'],
  // "Invalid device". UNVERIFIED whether it is per-target (docs/vendors/xiaomi.md#error-codes-and-outcomes and docs/vendors/README.md#open-questions;
  // pId=1560): it arrives for a whole request, which may hold valid regIds, so pruning every
  // target could delete live devices. We fail the deliveries instead and keep the devices; dead
  // regIds are still pruned through `bad_regids`, code 20301 and receipt type 16.
  [C.invalidDevice, 'rejected'],
]);

/**
 * Outcome for a Xiaomi code. Unknown codes → 'retry': Xiaomi adds codes over time and a new
 * transient one (busy, maintenance) must not drop messages; a new permanent one costs a bounded
 * number of attempts (the dispatcher stops at ttlSeconds / the attempt limit, then `failed`,
 * with the code kept for the operator). Rejected requests do not consume quota.
 */
export function xiaomiOutcomeOf(code: number): Outcome {
  return XIAOMI_OUTCOMES.get(code) ?? 'retry';
}

/**
 * Outcome for an HTTP answer that carries no Xiaomi result code (a proxy, a load balancer): the shared rule
 * (5xx/408 → retry, 429 → rate_limited, 401/403 → auth_error, any other 4xx → rejected, else retry).
 */
export function xiaomiHttpOutcomeOf(status: number): Outcome {
  return httpStatusOutcome(status);
}

/**
 * The codes recorded as `vendorCode` in words (docs/vendors/xiaomi.md#error-codes-and-outcomes,
 * https://dev.mi.com/xiaomihyperos/documentation/detail?pId=1560), for the API's explanations.
 * Keys as recorded: Xiaomi's numeric `code` as a string, and `bad_regids` for targets listed there.
 */
const transient = (what: string): CodeExplanation => ({ meaning: `Xiaomi answered ${what}; pushgate retried until ttlSeconds or the attempt limit.`, action: 'Transient: replay when Xiaomi recovers.' });
const refused = (what: string, action: string): CodeExplanation => ({ meaning: `Xiaomi refused the request: ${what}.`, action });
const checkSecret = "Check the tenant's xiaomi appSecret, and that its endpoint is the region the app is registered in.";
export const XIAOMI_EXPLANATIONS: Readonly<Record<string, CodeExplanation>> = {
  bad_regids: { meaning: 'Xiaomi listed this regId in data.bad_regids: it is not valid for the app any more. The device was pruned.', action: 'Nothing: the app registers a new regId on its next start.' },
  [C.unknown]: transient('an unknown error (-1)'),
  [C.systemError]: transient('a system error (10001)'),
  [C.serviceBusy]: transient('that it is busy (10002)'),
  [C.remoteServiceError]: transient('a remote service error (10003)'),
  [C.requestExpired]: transient('that the request expired (10037)'),
  [C.frequencyExceeded22]: { meaning: 'Xiaomi says the request frequency is exceeded (10022); pushgate paused the lane.', action: "Lower the lane's rateLimit.perSecond; Xiaomi's QPS depends on the app's size." },
  [C.frequencyExceeded23]: { meaning: 'Xiaomi says the request frequency is exceeded (10023); pushgate paused the lane.', action: "Lower the lane's rateLimit.perSecond; Xiaomi's QPS depends on the app's size." },
  [C.appTooFrequent]: { meaning: 'Xiaomi says this app calls this API too often (10027); pushgate paused the lane.', action: "Lower the lane's rateLimit.perSecond." },
  [C.dailyQuotaExceeded]: { meaning: "The app's daily quota of public messages is used up (200001); the public class waits until midnight Beijing time.", action: 'Send fewer public (news, marketing) messages, or ask Xiaomi for more quota; private classes (im, account, order) keep flowing.' },
  [C.tooManyToday]: { meaning: 'Xiaomi says the app sent too many messages today (10034); the class waits until midnight Beijing time.', action: 'Send fewer messages of this class, or ask Xiaomi for more quota.' },
  [C.noValidTarget]: { meaning: 'Xiaomi found no valid regId in the request (20301); the devices were pruned.', action: 'Nothing: the apps register new regIds on their next start.' },
  [C.authFailed]: { meaning: 'Xiaomi refused the AppSecret (21301); the lane paused.', action: checkSecret },
  [C.tokenAuthFailed]: { meaning: 'Xiaomi refused the authentication (21302); the lane paused.', action: checkSecret },
  [C.parameterError]: refused('a parameter error (10008)', 'Read lastError.message for the parameter; fix the message or options.overrides.xiaomi.'),
  [C.missingParameter]: refused('a missing parameter (10016)', 'Read lastError.message for the parameter; fix the message or options.overrides.xiaomi.'),
  [C.invalidParameter]: refused('an invalid parameter (10017)', 'Read lastError.message for the parameter; fix the message or options.overrides.xiaomi.'),
  [C.missingRequiredParameter]: refused('a missing required parameter (21305)', 'Read lastError.message for the parameter; fix the message or options.overrides.xiaomi.'),
  [C.invalidPackageName]: refused('the package name is not the app’s (22022)', "Set the tenant's xiaomi packageName to the app's package (restricted_package_name)."),
  [C.channelMismatch]: refused('the channel id does not match (27001)', "Check the tenant's xiaomi channels: each category must map to a channel registered in Xiaomi's console."),
  [C.contentTooLong]: refused('the content is too long (65009)', 'Shorten the title, body or data.'),
  [C.callbackUrlError36]: refused('the receipt callback URL (65036)', 'Check server.publicBaseUrl: Xiaomi must be able to reach it over http(s).'),
  [C.callbackUrlError37]: refused('the receipt callback URL (65037)', 'Check server.publicBaseUrl: Xiaomi must be able to reach it over http(s).'),
  [C.callbackUrlError38]: refused('the receipt callback URL (65038)', 'Check server.publicBaseUrl: Xiaomi must be able to reach it over http(s).'),
  [C.blacklisted]: refused('the app or content is blacklisted (10031)', "Check the app's standing in Xiaomi's console."),
  [C.invalidDevice]: {
    meaning: 'Xiaomi answered "invalid device" (10029) for the request. Whether it concerns every target is not known, so pushgate failed the deliveries and kept the devices.',
    action: 'Dead regIds are still pruned through bad_regids, 20301 and receipts; replay if the devices should be reachable.',
  },
};
