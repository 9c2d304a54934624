/**
 * Query-string validation for any route: a strict zod object of the allowed parameters. Problems
 * name the parameter (`query.limit`), list the allowed ones for an unknown parameter, and never
 * call the query "the body".
 */
import type { z } from 'zod';
import { ApiError, type ErrorDetail } from './errors.js';

export function parseQuery<S extends z.ZodObject>(schema: S, query: unknown): z.output<S> {
  const allowed = Object.keys(schema.shape);
  const details: ErrorDetail[] = [];
  const raw = (query ?? {}) as Record<string, unknown>;
  // The "simple" parser turns `?limit=1&limit=2` into an array: say so rather than "expected number".
  for (const [k, v] of Object.entries(raw)) if (Array.isArray(v) && allowed.includes(k)) details.push({ field: `query.${k}`, message: `query parameter ${k} is given ${v.length} times; give it once` });
  if (!details.length) {
    const r = schema.safeParse(raw);
    if (r.success) return r.data;
    for (const i of r.error.issues) {
      if (i.code === 'unrecognized_keys') {
        for (const k of i.keys) details.push({ field: `query.${k}`, message: `unknown query parameter ${k}; allowed: ${allowed.join(', ') || '(none)'}` });
      } else {
        const name = i.path.map(String).join('.');
        details.push({ field: name ? `query.${name}` : 'query', message: name ? `query parameter ${name}: ${i.message}` : i.message });
      }
    }
  }
  throw new ApiError('invalid_request', `The query string is invalid: ${details.map((d) => d.message).join('; ')}`, details);
}
