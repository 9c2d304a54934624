import type { components } from './schema.js';

type ErrorResponses = components['responses'];
/** The API's error body: `{ error: { code, message, details? } }`, the same on every route. */
export type ApiErrorBody = ErrorResponses[keyof ErrorResponses]['content']['application/json'];
/** Every stable error code the API documents (docs/errors.md in the gateway's repository). */
export type ApiErrorCode = ApiErrorBody['error']['code'];
/** One problem of a 400: `field` names the input (`to.userIds`, `query.limit`, `Idempotency-Key`…). */
export type ApiErrorDetail = NonNullable<ApiErrorBody['error']['details']>[number];

/**
 * A non-2xx answer. `code` is the API's stable code, or `http_error` when the body is not the
 * API's error shape (a proxy's HTML page, say); `message` then holds the start of that body.
 */
export class PushgateError extends Error {
  override readonly name = 'PushgateError';

  constructor(
    readonly status: number,
    readonly code: ApiErrorCode | 'http_error',
    message: string,
    readonly details: readonly ApiErrorDetail[] = [],
    /** From `Retry-After` on a 429 or 503 that was not retried (attempts used up, or a wait over `maxDelayMs`). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** The details of one field, e.g. `err.field('to.userIds')`. */
  field(name: string): ApiErrorDetail | undefined {
    return this.details.find((d) => d.field === name);
  }
}

function isApiErrorBody(body: unknown): body is ApiErrorBody {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof e?.code === 'string' && typeof e.message === 'string';
}

/** The error for an answer whose body openapi-fetch already read (JSON when it parsed, else text). */
export function errorFromResponse(response: Response, body: unknown, retryAfterMs?: number): PushgateError {
  if (isApiErrorBody(body)) return new PushgateError(response.status, body.error.code, body.error.message, body.error.details ?? [], retryAfterMs);
  const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
  return new PushgateError(response.status, 'http_error', `HTTP ${response.status} ${response.statusText}${text ? `: ${text}` : ''}`.trim(), [], retryAfterMs);
}
