/**
 * The error catalogue: every API error is one of these stable codes, with its HTTP status owned
 * here, answered as `{ error: { code, message, details? } }`. docs/errors.md lists every code and
 * test/api/errors-catalogue.test.ts fails when one is missing there.
 */
import { invalidFields, type DomainError, type DomainErrorCode, type ErrorDetail } from '../core/errors.js';

export const ERROR_CODES = {
  invalid_request: 400,
  malformed_json: 400,
  field_not_allowed: 400,
  invalid_token: 400,
  unknown_provider: 400,
  provider_not_configured: 400,
  empty_message: 400,
  message_not_deliverable: 400,
  unauthorized: 401,
  forbidden: 403,
  csrf_token_invalid: 403,
  not_found: 404,
  idempotency_conflict: 409,
  body_too_large: 413,
  unsupported_media_type: 415,
  backlog_full: 429,
  too_many_sign_in_attempts: 429,
  internal: 500,
  not_ready: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export type { ErrorDetail };

// Every code the core raises has a status here: adding one to DomainErrorCode without it fails the build.
const _everyDomainCodeHasAStatus: Record<DomainErrorCode, number> = ERROR_CODES;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = ERROR_CODES[code];
  }

  toBody(): { error: { code: ErrorCode; message: string; details?: ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, ...(this.details?.length ? { details: this.details } : {}) } };
  }
}

/** A core refusal → the API error with its status (and Retry-After for back-pressure). */
export function toApiError(e: DomainError): ApiError {
  return new ApiError(e.code, e.message, e.details, e.retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(e.retryAfterSeconds) });
}

/** zod issues of a request schema → one 400 naming every field and what it expects. */
export function fromZodIssues(issues: Parameters<typeof invalidFields>[0], prefix = ''): ApiError {
  return toApiError(invalidFields(issues, prefix));
}
