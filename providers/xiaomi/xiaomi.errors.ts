/**
 * Xiaomi result code → pushgate outcome, in one place (docs/vendors/xiaomi.md#error-codes-and-outcomes;
 * https://dev.mi.com/xiaomihyperos/documentation/detail?pId=1560, XM-JavaSDK `ErrorCode.java`).
 * Codes on a success answer (`bad_regids`) are handled per target by the provider.
 */
import { httpStatusOutcome } from '../shared/results.js';
import type { Outcome } from '../types.js';
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
