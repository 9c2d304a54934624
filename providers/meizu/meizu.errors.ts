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
import type { CodeExplanation, Outcome } from '../types.js';
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

/**
 * The codes recorded as `vendorCode` in words (docs/vendors/meizu.md#error-codes-and-outcomes), for the
 * API's explanations. Keys as recorded: the request's `code`, or a target's key in `value` (the same
 * number can mean different things at the two levels: 110010), and `invalid_request` for a message
 * pushgate could not encode for Meizu.
 */
const credentials = (what: string): CodeExplanation => ({
  meaning: `Meizu refused the app's credentials: ${what}; the lane paused.`,
  action: "Check the tenant's meizu appId and appSecret (Meizu push console) and its region/endpoint, then replay.",
});
const fixMessage = (what: string): CodeExplanation => ({ meaning: `Meizu refused the request: ${what}.`, action: 'Read lastError.message; fix the message or options.overrides.meizu and send again.' });
const transient = (what: string): CodeExplanation => ({ meaning: `Meizu answered ${what}; pushgate retried until ttlSeconds or the attempt limit.`, action: 'Transient: replay when Meizu recovers.' });
const deadPushId = (what: string): CodeExplanation => ({
  meaning: `Meizu says the pushId is ${what}. Per device (or for a one-device request) the device was pruned; for a whole request of several devices nothing was pruned on a guess and the deliveries were retried.`,
  action: 'Nothing: the app registers a new pushId on its next start.',
});
export const MEIZU_EXPLANATIONS: Readonly<Record<string, CodeExplanation>> = {
  invalid_request: { meaning: 'pushgate could not build a Meizu request from this message.', action: 'Read lastError.message for the field, fix the message and send again.' },
  [C.other]: transient('"other error" (500)'),
  [C.systemError]: transient('a system error (1001)'),
  [C.serverBusy]: transient('that its server is busy (1003)'),
  [C.parameterError]: fixMessage('a parameter error (1005)'),
  [C.signatureFailed]: credentials('the signature failed (1006), usually a wrong appSecret'),
  [C.invalidAppId]: credentials('the appId is invalid (110000)'),
  [C.invalidAppKey]: credentials('the app key is invalid (110001)'),
  [C.invalidAppSecret]: credentials('the appSecret is invalid (110033)'),
  [C.emptyParameter]: fixMessage('an empty parameter (110004)'),
  [C.blacklisted]: { meaning: 'Meizu has blacklisted the app (110009).', action: "Check the app's standing in Meizu's console." },
  [C.invalidPackageName]: { meaning: 'Meizu refused the package name (110031).', action: "Check the tenant's meizu restrictedPackageNames and the app's package in Meizu's console." },
  [C.invalidTaskId]: fixMessage('the taskId is invalid (110032)'),
  [C.passThroughLimit]: { meaning: 'Meizu restricts pass-through (data-only) messages for this app (110053).', action: "Send with a notification, or set the tenant's meizu passThrough to false so data-only messages are refused at accept." },
  [C.dailyPushLimit]: { meaning: "The app's daily push count at Meizu is used up (110019); the class waits until the vendor's day ends.", action: 'Send fewer messages, or ask Meizu for a higher limit; replay after the reset.' },
  [C.callLimit]: { meaning: "Meizu's call-count limit for the app is reached (110051); the class waits until the vendor's day ends.", action: 'Send fewer requests, or ask Meizu for a higher limit; replay after the reset.' },
  [C.pushIdNotRegistered]: deadPushId('not registered (110002)'),
  [C.illegalPushId]: deadPushId('illegal (110003)'),
  [C.tooFast]: {
    meaning: "Two meanings at Meizu (110010): for the whole request, the app pushes too fast (errorCode rate_limited: the lane paused); for one device, its user switched the app's messages off (errorCode rejected: the device was kept).",
    action: "Too fast: lower the lane's rateLimit.perSecond. Switched off: nothing until the user turns messages back on.",
  },
  [T.noPermission]: { meaning: 'Meizu says there is no permission to push to this device (201).', action: "Check the app's push permissions in Meizu's console." },
  [T.dbError]: transient('a database error for this device (501)'),
  [T.pushFailed]: transient('that the push failed for this device (513)'),
  [T.overSpeed]: { meaning: 'Meizu says the configured speed is exceeded for this device (518); pushgate paused the lane.', action: "Lower the lane's rateLimit.perSecond." },
  [T.overloaded]: transient('that it is overloaded (519)'),
  [T.collapsed]: { meaning: "Meizu collapsed the message: the device got this app's messages too often within a minute (520), and Meizu dropped it.", action: 'Send fewer messages to one device per minute; use collapseKey for updates that replace each other.' },
  [T.aliasInvalid]: { meaning: 'Meizu answered "alias not subscribed or switched off" (110005) for this device; it was kept.', action: 'Nothing on the server; the device receives again once the user turns messages back on.' },
  [T.publicDailyLimit]: { meaning: "The device's daily cap of public messages at Meizu is reached (110011); this device only.", action: 'Send public (news, marketing) messages less often to one device.' },
};
