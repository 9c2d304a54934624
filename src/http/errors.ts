/**
 * The error catalogue: every API error is one of these stable codes, with its HTTP status owned
 * here, answered as `{ error: { code, message, details? } }`. docs/errors.md lists every code and
 * test/api/errors-catalogue.test.ts fails when one is missing there.
 */
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
  not_found: 404,
  idempotency_conflict: 409,
  body_too_large: 413,
  unsupported_media_type: 415,
  backlog_full: 429,
  internal: 500,
  not_ready: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  field?: string;
  message: string;
  [k: string]: unknown;
}

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

/** zod issues → one 400 naming every field and what it expects. */
export function fromZodIssues(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string; keys?: string[] }>,
  prefix = '',
): ApiError {
  const details: ErrorDetail[] = [];
  for (const i of issues) {
    const base = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
    if (i.code === 'unrecognized_keys' && i.keys) {
      for (const k of i.keys) details.push({ field: base ? `${base}.${k}` : k, message: 'unknown field; remove it' });
    } else {
      details.push({ field: base || '(body)', message: i.message });
    }
  }
  const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
  return new ApiError('invalid_request', `The request body is invalid: ${summary}`, details);
}
