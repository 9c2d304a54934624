/** A request body against a strict zod schema; problems become one invalid_request naming each field. */
import type { z } from 'zod';
import { ApiError } from './errors.js';

export function parseBody<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  throw new ApiError(
    'invalid_request',
    `Invalid request: ${r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
    r.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
  );
}
