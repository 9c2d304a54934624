/**
 * Honor answer → pushgate Outcome, in one place (docs/vendors/honor.md#error-codes-and-outcomes).
 *
 * Honor's code table ("下行消息响应码") was not public when this was written, so almost every code
 * is UNVERIFIED. The rules follow from that:
 * - success is recognised in every form seen: `data.sendResult: true`, or `code` 200 / "200" /
 *   "80000000" (and 0) on an HTTP 2xx answer;
 * - `data.expireTokens` ("失效的pushTokens") are the only tokens pruned; `data.failTokens` are retried;
 * - HTTP 401/403 and the HMS-style 80200001/80200003 → auth_error (the dispatcher refreshes the
 *   token once and resends, so a wrong reading costs one request);
 * - HTTP 429/503 → rate_limited; HTTP 400/413 → rejected (the request itself was refused);
 * - any other code → retry, keeping the code visible: never prune or drop on a guess. Tenants map
 *   codes they confirm in `codes` (config), which wins over everything but success.
 * Sources: https://developer.honor.com/cn/docs/11002/reference/downlink-message (Honor's reference),
 * https://help.aliyun.com/document_detail/2853108.html (lists Honor's response-code page).
 */
import type { CodeExplanation, Outcome } from '../types.js';
import { HONOR_HMS_CODES as C, HONOR_SUCCESS_CODES, type HonorSendResponse } from './honor.wire.js';

const AUTH_CODES: ReadonlySet<string> = new Set([C.OAUTH_AUTH_ERROR, C.OAUTH_TOKEN_EXPIRED]);

/** The fields of a send answer pushgate reads, whichever spelling the answer used. */
export interface HonorAnswer {
  code: string | undefined;
  message: string | undefined;
  requestId: string | undefined;
  sendResult: boolean | undefined;
  expireTokens: ReadonlySet<string>;
  failTokens: ReadonlySet<string>;
}

export function readHonorAnswer(body: unknown): HonorAnswer {
  const b = (isObject(body) ? body : {}) as HonorSendResponse & Record<string, unknown>;
  const data = (isObject(b.data) ? b.data : {}) as NonNullable<HonorSendResponse['data']>;
  const code = typeof b.code === 'number' || (typeof b.code === 'string' && b.code !== '') ? String(b.code) : undefined;
  const message = typeof b.message === 'string' ? b.message : typeof b.msg === 'string' ? b.msg : undefined;
  const requestId = typeof data.requestId === 'string' ? data.requestId : typeof b.requestId === 'string' ? b.requestId : undefined;
  return {
    code,
    message,
    requestId,
    sendResult: typeof data.sendResult === 'boolean' ? data.sendResult : undefined,
    expireTokens: stringSet(data.expireTokens),
    failTokens: stringSet(data.failTokens),
  };
}

/**
 * Whether the request as a whole was accepted. An explicit `sendResult: false` (the answer when
 * every token failed) outweighs a success code.
 */
export function honorAccepted(a: HonorAnswer, httpStatus: number): boolean {
  if (httpStatus < 200 || httpStatus >= 300) return false;
  if (a.sendResult !== undefined) return a.sendResult;
  return a.code !== undefined && HONOR_SUCCESS_CODES.has(a.code);
}

/** The outcome of a refused request (every token alike), from its code and HTTP status. */
export function honorOutcomeFor(code: string | undefined, httpStatus: number, configured?: Readonly<Record<string, Outcome>>): Outcome {
  const mapped = code !== undefined ? configured?.[code] : undefined;
  if (mapped) return mapped;
  if (httpStatus === 401 || httpStatus === 403 || (code !== undefined && AUTH_CODES.has(code))) return 'auth_error';
  if (httpStatus === 429 || httpStatus === 503) return 'rate_limited';
  if (httpStatus === 400 || httpStatus === 413) return 'rejected';
  return 'retry';
}

/**
 * The token endpoint's answer when it gave no token: 429/503 → rate_limited; 5xx → retry; other
 * 4xx (`invalid_client`, `unauthorized_client`, `invalid_grant`: wrong Client ID or Secret) → auth_error.
 */
export function honorTokenFailureOutcome(httpStatus: number): Outcome {
  if (httpStatus === 503 || httpStatus === 429) return 'rate_limited';
  if (httpStatus >= 500) return 'retry';
  if (httpStatus >= 400) return 'auth_error';
  return 'retry';
}

function stringSet(list: unknown): ReadonlySet<string> {
  return new Set(Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string') : []);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The codes recorded as `vendorCode` in words (docs/vendors/honor.md#error-codes-and-outcomes), for the
 * API's explanations. Honor's code table is not public, so only what pushgate maps itself is here:
 * a success code on a delivery that failed means Honor listed its token; the HMS-style auth codes;
 * the OAuth errors of the token endpoint. Codes a tenant maps in `codes` are explained by their outcome.
 */
const listedToken: CodeExplanation = {
  meaning: 'Honor accepted the request but listed this token: in data.expireTokens (an expired token: the device was pruned) or in data.failTokens (no reason given: retried until ttlSeconds or the attempt limit, never pruned). lastError.message says which.',
  action: 'Expired: nothing, the app registers a new token on its next start. Failed: replay; if a token keeps failing, check the device in Honor’s console.',
};
const credentials = (what: string): CodeExplanation => ({
  meaning: `Honor refused the credentials: ${what}, also after pushgate fetched a new token; the lane paused.`,
  action: "Check the tenant's honor appId, clientId and clientSecret (Honor developer console) and its authEndpoint, then replay.",
});
export const HONOR_EXPLANATIONS: Readonly<Record<string, CodeExplanation>> = {
  ...Object.fromEntries([...HONOR_SUCCESS_CODES].map((code) => [code, listedToken])),
  [C.OAUTH_AUTH_ERROR]: credentials('OAuth authentication error (80200001)'),
  [C.OAUTH_TOKEN_EXPIRED]: credentials('the access token expired (80200003)'),
  invalid_client: credentials('invalid_client from the token endpoint (wrong client id or secret)'),
  unauthorized_client: credentials('unauthorized_client from the token endpoint'),
  invalid_grant: credentials('invalid_grant from the token endpoint'),
};
