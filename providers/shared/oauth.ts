/**
 * The OAuth 2.0 client-credentials exchange (RFC 6749 §4.4) that Huawei and Honor share: POST the
 * vendor's token request, keep `access_token` for `expires_in` seconds counted from the request
 * (the vendor's clock started no later than that), and turn a refusal into a `CredentialError`
 * carrying the vendor's outcome, so every target of the batch gets it. Each vendor keeps its own
 * request builder, its status → outcome table and the way it words its error body.
 */
import type { Logger } from 'pino';
import type { FetchedCredential } from './credentials.js';
import type { VendorHttp, VendorResponse } from './http.js';
import { CredentialError, retryAfterOf, transportRetry } from './results.js';
import { clip, parseJsonObject } from './text.js';
import type { Outcome } from '../types.js';

export interface OAuthTokenExchange {
  provider: string;
  http: VendorHttp;
  request: { path: string; body: unknown; headers: Record<string, string> };
  now(): number;
  logger: Logger;
  /** Lifetime assumed when the answer carries no usable `expires_in`. */
  defaultLifetimeSeconds: number;
  /** The vendor's outcome for a refused token request (HTTP status ≠ 200). */
  failureOutcome(status: number): Outcome;
  /** The vendor's error code and its words for the refusal, from the parsed body. */
  describeError(data: Record<string, unknown> | undefined, status: number): { vendorCode: string; detail: string };
}

export async function fetchOAuthToken(x: OAuthTokenExchange): Promise<FetchedCredential<string>> {
  const requestedAt = x.now();
  let res: VendorResponse;
  try {
    res = await x.http.post(x.request.path, x.request.body, x.request.headers);
  } catch (err) {
    throw new CredentialError(transportRetry(err, (r) => `token request failed: ${r}`));
  }
  const data = parseJsonObject(res.data);
  const token = data?.['access_token'];
  if (res.status === 200 && typeof token === 'string' && token !== '') {
    const expiresIn = data?.['expires_in'];
    const seconds = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : x.defaultLifetimeSeconds;
    return { value: token, expiresAt: requestedAt + seconds * 1000 };
  }
  const outcome = res.status === 200 ? 'retry' : x.failureOutcome(res.status);
  const { vendorCode, detail } = x.describeError(data, res.status);
  x.logger.warn({ provider: x.provider, status: res.status, vendorCode }, `${x.provider} OAuth token request refused`);
  throw new CredentialError({
    outcome,
    vendorCode,
    vendorMessage: clip(`OAuth token request refused (HTTP ${res.status})${detail ? `: ${detail}` : ''}`),
    retryAfterMs: outcome === 'rate_limited' ? retryAfterOf(res.headers, x.now()) : undefined,
  });
}
