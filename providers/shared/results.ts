/**
 * Results every adapter builds the same way: one result copied to every target of a whole-request answer, a
 * transport failure as `retry`, the HTTP statuses vendors agree on, and the error a credential fetch throws.
 */
import type { DeliveryTarget, Outcome, SendResult } from '../types.js';
import { parseRetryAfter, transportReason } from './http.js';

/** A result before it is given to a target. */
export type TargetResult = Omit<SendResult, 'deliveryId'>;

/** The same result for every target (the vendor answered for the whole request); undefined fields left out. */
export function sameResult(targets: readonly Pick<DeliveryTarget, 'deliveryId'>[], result: TargetResult): SendResult[] {
  const clean = Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined)) as TargetResult;
  return targets.map((t) => ({ deliveryId: t.deliveryId, ...clean }));
}

/**
 * No answer came back (refused, reset, timeout): the vendor may or may not have taken the request, so every target
 * is retried. `describe` words the message from the bounded reason (`econnreset`, `etimedout`…).
 */
export function transportRetry(err: unknown, describe: (reason: string) => string = (r) => `transport: ${r}`): TargetResult {
  return { outcome: 'retry', vendorMessage: describe(transportReason(err)) };
}

/**
 * What an HTTP status means when the body carries no vendor code, where vendors agree: 429 → rate_limited,
 * 401/403 → auth_error, 5xx and 408 → retry, other 4xx → rejected, anything else (2xx/3xx without a readable
 * answer: its fate is unknown) → retry. Vendors with their own rule (Huawei's 503 flow control) check it first.
 */
export function httpStatusOutcome(status: number): Outcome {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth_error';
  if (status >= 500 || status === 408) return 'retry';
  if (status >= 400) return 'rejected';
  return 'retry';
}

/** The vendor's Retry-After header in ms (seconds or an HTTP date), for rate_limited / retry results. */
export function retryAfterOf(headers: Record<string, unknown> | undefined, now: number): number | undefined {
  return parseRetryAfter(headers?.['retry-after'], now);
}

/**
 * Why no credential could be had, already as the result every target of the batch gets. Thrown by an adapter's
 * credential fetch (through CredentialCache), turned back into results by `credentialFailure`.
 */
export class CredentialError extends Error {
  constructor(readonly result: TargetResult) {
    super(result.vendorMessage ?? result.outcome);
    this.name = 'CredentialError';
  }
}

/** The result for a failed credential fetch: its own when it is a CredentialError, else `retry`. */
export function credentialFailure(err: unknown): TargetResult {
  return err instanceof CredentialError ? err.result : { outcome: 'retry', vendorMessage: String(err) };
}
