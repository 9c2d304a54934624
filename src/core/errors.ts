/**
 * Domain errors: what the core refuses, as a stable code with a message that says how to fix it.
 * The core knows no HTTP: src/http/errors.ts maps each code to its status and the one error body.
 */

/** The codes the core raises (a subset of the API's catalogue, src/http/errors.ts ERROR_CODES). */
export type DomainErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'field_not_allowed'
  | 'unknown_provider'
  | 'provider_not_configured'
  | 'empty_message'
  | 'message_not_deliverable'
  | 'unauthorized'
  | 'not_found'
  | 'idempotency_conflict'
  | 'backlog_full';

/** One problem, usually naming the field to fix; some codes add their own keys (provider, reason). */
export interface ErrorDetail {
  field?: string;
  message: string;
  [k: string]: unknown;
}

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    /** For back-pressure: when the caller may try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** zod issues (of a schema the core checks: a provider's token, device fields, overrides) → one invalid_request naming every field. */
export function invalidFields(issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string; keys?: string[] }>, prefix = ''): DomainError {
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
  return new DomainError('invalid_request', `The request body is invalid: ${summary}`, details);
}
