/**
 * Failed deliveries in words: what a recorded error means and what to do about it. A delivery's
 * `lastError` holds pushgate's normalized reason (`code`: the adapter's outcome, or one of the
 * dispatcher's own such as `expired`) and, when the adapter recorded one, the vendor's own code
 * (`vendorCode`). The vendor code is explained by the vendor's table (`ProviderDefinition.errors`,
 * in each vendor folder); codes pushgate's vendor kit records for any vendor (`http_<status>`,
 * transport failures) and the normalized reasons are explained here, once.
 */
import type { AnyProviderDefinition, CodeExplanation } from '../../providers/types.js';

export interface Explanation extends CodeExplanation {
  /** Which field was explained: the vendor's code (most specific) or pushgate's normalized reason. */
  of: 'vendorCode' | 'errorCode';
}

/** pushgate's normalized reasons, as `lastError.code` records them. */
export const REASON_EXPLANATIONS: Readonly<Record<string, CodeExplanation>> = {
  invalid_token: {
    meaning: 'The vendor says the push token is dead (app uninstalled, token expired or from another app). pushgate deleted the device.',
    action: 'Nothing to fix on the server: the app registers its new token on its next start. Replaying these deliveries skips them.',
  },
  rejected: {
    meaning: 'The vendor refused this message for this device, and sending it again unchanged would fail again (invalid field, category not allowed, content or size refused).',
    action: "Read lastError.message and the vendor code's explanation, fix the message or the tenant's provider config, then send again.",
  },
  retry: {
    meaning: 'The vendor did not take the message (server error, timeout, no answer, or a code pushgate does not know); pushgate retried with backoff until ttlSeconds or dispatch.maxAttempts ran out.',
    action: 'Check whether the vendor is up (GET /v1/lanes, pushgate_provider_up), then replay with POST /v1/deliveries/retry.',
  },
  rate_limited: {
    meaning: "The vendor throttled the lane; pushgate paused it for the vendor's Retry-After and the delivery ran out of time or attempts while waiting.",
    action: "Lower the lane's rateLimit.perSecond if it happens often, or ask the vendor for a higher limit; then replay.",
  },
  quota_exceeded: {
    meaning: "The vendor's daily quota for this message class is used up; the class waits until the vendor's day ends (midnight Beijing time for the Chinese vendors).",
    action: 'Send fewer messages of this class, move traffic to a class with its own quota (e.g. im or account instead of marketing), or ask the vendor for more; replay after the reset.',
  },
  auth_error: {
    meaning: "The vendor refused the tenant's credentials, even after pushgate fetched new ones; the lane paused and pushgate_provider_up dropped to 0.",
    action: "Check the tenant's credentials for this provider (app id, secret, key, certificate, region endpoint), fix the config and restart, then replay.",
  },
  expired: {
    meaning: 'ttlSeconds passed before the delivery could be sent, so it was never sent.',
    action: 'Replay with extendTtlSeconds if the message still matters; send time-critical messages with a longer ttlSeconds.',
  },
  token_unavailable: {
    meaning: "The stored token could not be decrypted: the user was erased, or the token was encrypted with a key no longer in security.encryptionKey's key list.",
    action: 'For an erased user, nothing. Otherwise add the old key back (see npm run rotate-keys) and replay.',
  },
  recalled: {
    meaning: 'The message was taken back from the vendor by DELETE /v1/messages/{id}.',
    action: 'Nothing: it was canceled on purpose.',
  },
};

/** Transport failures as pushgate's vendor kit records them (the Node error code, lowercased). */
const TRANSPORT: Readonly<Record<string, CodeExplanation>> = {
  econnrefused: { meaning: "The vendor's endpoint refused the connection.", action: "Check the provider's endpoint in the config (region, proxy, firewall) and whether the vendor is up." },
  econnreset: { meaning: 'The connection to the vendor was reset before an answer came.', action: 'Usually transient; if it persists, check proxies and firewalls between pushgate and the vendor.' },
  etimedout: { meaning: 'The connection to the vendor timed out.', action: 'Check network reachability of the vendor endpoint from this host.' },
  econnaborted: { meaning: "No answer from the vendor within the adapter's timeout.", action: "Usually transient; if it persists, check the vendor's status and raise the provider's timeoutMs." },
  enotfound: { meaning: "The vendor's host name did not resolve.", action: "Check the provider's endpoint in the config and this host's DNS." },
  eai_again: { meaning: "The vendor's host name could not be resolved right now (DNS).", action: "Check this host's DNS resolver." },
  transport: { meaning: 'The request to the vendor failed without an answer.', action: 'Usually transient; check network reachability of the vendor if it persists.' },
};

/** `http_<status>`: the vendor (or a proxy before it) answered a status without a code pushgate could read. */
function httpStatusExplanation(status: number): CodeExplanation | undefined {
  if (status === 429) return { meaning: 'The vendor answered HTTP 429 Too Many Requests.', action: "Lower the lane's rateLimit.perSecond, or ask the vendor for a higher limit." };
  if (status === 401 || status === 403) return { meaning: `The vendor answered HTTP ${status}: the credentials or the app's permissions were refused.`, action: "Check the tenant's credentials and the app's push permission in the vendor's console." };
  if (status === 408 || status >= 500) return { meaning: `The vendor (or a proxy before it) answered HTTP ${status}: a server-side failure.`, action: "Transient as a rule: check the vendor's status, then replay." };
  if (status >= 400) return { meaning: `The vendor answered HTTP ${status} without a code of its own: the request was refused.`, action: "Check the provider's endpoint (a wrong path or region answers like this) and lastError.message." };
  if (status >= 200 && status < 400) return { meaning: `The vendor answered HTTP ${status} with a body pushgate could not read, so the message's fate is unknown.`, action: "Check the provider's endpoint: something other than the vendor's API may be answering." };
  return undefined;
}

function kitExplanation(vendorCode: string): CodeExplanation | undefined {
  const http = /^http_(\d{3})$/.exec(vendorCode);
  if (http) return httpStatusExplanation(Number(http[1]));
  return Object.hasOwn(TRANSPORT, vendorCode) ? TRANSPORT[vendorCode] : undefined;
}

/**
 * The explanation of a recorded error: its vendor code when the vendor's table (or the kit's) knows
 * it, else its normalized reason; null for no error, or for codes nothing here knows.
 */
export function explainError(def: Pick<AnyProviderDefinition, 'errors'> | undefined, errorCode: string | null, vendorCode: string | null | undefined): Explanation | null {
  if (errorCode === null) return null;
  if (vendorCode) {
    const table = def?.errors;
    const vendor = table && Object.hasOwn(table, vendorCode) ? table[vendorCode] : kitExplanation(vendorCode);
    if (vendor) return { ...vendor, of: 'vendorCode' };
  }
  return Object.hasOwn(REASON_EXPLANATIONS, errorCode) ? { ...REASON_EXPLANATIONS[errorCode]!, of: 'errorCode' } : null;
}
