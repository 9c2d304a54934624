export * from './client.js';
export { PushgateError, type ApiErrorBody, type ApiErrorCode, type ApiErrorDetail } from './errors.js';
export { parseRetryAfter, type RetryOptions, type FetchLike } from './retry.js';
export type { components, operations, paths } from './schema.js';
export * from './webhooks.js';
