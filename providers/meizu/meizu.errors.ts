/**
 * Meizu codes → pushgate outcomes, in one place (docs/vendors/meizu.md#error-codes-and-outcomes;
 * https://github.com/MEIZUPUSH/PushAPI "Api returnCode定义" and "map部分code定义", the official Java
 * SDK's `ErrorCode.java`/`PushResponseCode.java`, https://github.com/MEIZUPUSH/JavaSdk).
 *
 * Two tables, because the same number means different things: `110010` at request level is "the
 * app pushes too fast" (rate_limited, resend everything), but as a per-target key inside `value` it is
 * "this user switched the app's messages off" — the device is alive, so that target is `rejected`
 * and never pruned.
 */
import type { Outcome } from '../types.js';
import { MeizuCode as C, MeizuTargetCode as T } from './meizu.wire.js';

/** Request-level `code` (anything but 200). */
export const MEIZU_REQUEST_OUTCOMES: ReadonlyMap<string, Outcome> = new Map<string, Outcome>([
  // Transient: back off and resend. 500 is "other error", which on a push call is not the message's fault.
  [C.other, 'retry'],
  [C.systemError, 'retry'],
  [C.serverBusy, 'retry'],
  [C.tooFast, 'rate_limited'],
  // Daily push count of the app (110019) and call-count limit (110051): wait for the next day.
  [C.dailyPushLimit, 'quota_exceeded'],
  [C.callLimit, 'quota_exceeded'],
  // Signature / app credentials: static secrets, nothing to refresh; the lane pauses until fixed.
  [C.signatureFailed, 'auth_error'],
  [C.invalidAppId, 'auth_error'],
  [C.invalidAppKey, 'auth_error'],
  [C.invalidAppSecret, 'auth_error'],
  // Permanent: the same request would fail again.
  [C.parameterError, 'rejected'],
  [C.emptyParameter, 'rejected'],
  [C.blacklisted, 'rejected'],
  [C.invalidPackageName, 'rejected'],
  [C.invalidTaskId, 'rejected'],
  // Pass-through restricted for this app (Meizu asks to use notifications): resending will not help.
  [C.passThroughLimit, 'rejected'],
]);

/** Per-target keys inside `value` of a `code:"200"` answer. */
export const MEIZU_TARGET_OUTCOMES: ReadonlyMap<string, Outcome> = new Map<string, Outcome>([
  [T.notRegistered, 'invalid_token'],
  [T.illegal, 'invalid_token'],
  // Messages switched off by the user: the pushId is valid; keep the device, fail this delivery.
  [T.switchedOff, 'rejected'],
  // Alias keys should not come back for pushIds; "not subscribed or switch off" is no proof of a dead device.
  [T.aliasInvalid, 'rejected'],
  [T.noPermission, 'rejected'],
  // Collapsed: the device got this app's messages too often within a minute; Meizu dropped it.
  [T.collapsed, 'rejected'],
  // This device's public (公信) messages for today are used up. Per device, so not `quota_exceeded`
  // (which would pause the tenant's whole public class); resending today cannot succeed.
  [T.publicDailyLimit, 'rejected'],
  [T.overSpeed, 'rate_limited'],
  [T.dbError, 'retry'],
  [T.pushFailed, 'retry'],
  [T.overloaded, 'retry'],
]);

/**
 * Outcome for a request-level code. Unknown codes → 'retry': Meizu adds codes over time, and a new
 * transient one must not drop messages; a new permanent one costs a bounded number of attempts.
 * 110002/110003 at request level (the single-target form) prune only a one-target request: with
 * more targets we cannot tell which one is dead, so nothing is pruned on a guess.
 */
export function meizuRequestOutcomeOf(code: string, targetCount: number): Outcome {
  if (code === C.pushIdNotRegistered || code === C.illegalPushId) return targetCount === 1 ? 'invalid_token' : 'retry';
  return MEIZU_REQUEST_OUTCOMES.get(code) ?? 'retry';
}

/** Outcome for a per-target key; unknown keys → 'retry' (never prune on a guess). */
export function meizuTargetOutcomeOf(code: string): Outcome {
  return MEIZU_TARGET_OUTCOMES.get(code) ?? 'retry';
}
