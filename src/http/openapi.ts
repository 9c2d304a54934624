/** /openapi.json, generated from the same zod schemas that validate requests. */
import { z } from 'zod';
import { ERROR_CODES } from './errors.js';
import { deleteDeviceSchema, sendMessageSchema } from './schemas.js';

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_CODES) },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object' } },
      },
    },
  },
};

const json = (schema: z.ZodType) => ({ 'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) } });
const errors = { default: { description: 'Error (see docs/errors.md)', content: { 'application/json': { schema: errorBody } } } };
const bearer = [{ serverKey: [] }];

export function openApiDocument(providers: string[]) {
  const registerBody = {
    type: 'object',
    required: ['provider', 'token'],
    additionalProperties: false,
    properties: {
      provider: { type: 'string', enum: providers },
      token: { type: 'string', description: 'The one identifier the provider needs (validated per provider).' },
      userId: { type: 'string', maxLength: 128 },
      apns: { type: 'object', properties: { environment: { enum: ['production', 'sandbox'] }, topic: { type: 'string' } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'pushgate', version: '1', description: 'Unified offline-push gateway.' },
    components: { securitySchemes: { serverKey: { type: 'http', scheme: 'bearer' }, clientKey: { type: 'http', scheme: 'bearer' } } },
    paths: {
      '/v1/devices': {
        post: { summary: 'Register or refresh a device (client or server key)', security: [{ clientKey: [] }, ...bearer], requestBody: { content: { 'application/json': { schema: registerBody } } }, responses: { 201: { description: 'registered' }, 200: { description: 'already registered; refreshed' }, ...errors } },
        delete: { summary: 'Unregister by provider and token (client or server key)', security: [{ clientKey: [] }, ...bearer], requestBody: { content: json(deleteDeviceSchema) }, responses: { 204: { description: 'removed' }, ...errors } },
        get: { summary: "A user's devices, tokens masked", security: bearer, parameters: [{ name: 'userId', in: 'query', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'devices' }, ...errors } },
      },
      '/v1/devices/{id}': { delete: { summary: 'Remove a device by id', security: bearer, responses: { 204: { description: 'removed' }, ...errors } } },
      '/v1/users/{userId}/data': { get: { summary: 'Export everything stored about a user', security: bearer, responses: { 200: { description: 'export' }, ...errors } } },
      '/v1/users/{userId}': { delete: { summary: "Erase a user's devices and pending deliveries", security: bearer, responses: { 200: { description: 'counts removed' }, ...errors } } },
      '/v1/messages': {
        post: {
          summary: 'Send a notification; 202 once durably stored',
          security: bearer,
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } }],
          requestBody: { content: json(sendMessageSchema) },
          responses: { 202: { description: 'accepted' }, 409: { description: 'Idempotency-Key reused with another body' }, 429: { description: 'backlog full; see Retry-After' }, ...errors },
        },
      },
      '/v1/messages/{id}': { get: { summary: 'Status, counts and deliveries (paginated)', security: bearer, parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }, { name: 'cursor', in: 'query', schema: { type: 'string' } }], responses: { 200: { description: 'status' }, ...errors } } },
      '/v1/receipts/{provider}/{tenant}': { post: { summary: 'Vendor delivery receipts (vendor signature or ?secret=)', responses: { 200: { description: 'applied' }, ...errors } } },
      '/healthz': { get: { summary: 'Process up', responses: { 200: { description: 'ok' } } } },
      '/readyz': { get: { summary: 'Can accept durably (store and queue reachable, not shutting down); lists every lane as up, paused or down', responses: { 200: { description: 'ready (vendor outages show in lanes[], not in the status)' }, 503: { description: 'store or queue unreachable, or shutting down' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text exposition' } } } },
    },
  };
}
