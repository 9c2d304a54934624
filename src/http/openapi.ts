/**
 * /openapi.json (OpenAPI 3.1), generated from one table of routes → zod schemas: the request
 * schemas that validate input and the response schemas in responses.ts. Nothing here is written
 * by hand as JSON Schema. test/api/openapi-*.test.ts lint the document, check that it lists
 * exactly the express routes, and call every operation through a client built from it.
 */
import { z } from 'zod';
import type { AnyProviderDefinition } from '../../providers/types.js';
import { ERROR_CODES } from './errors.js';
import * as res from './responses.js';
import {
  deadLettersQuerySchema,
  deleteDeviceSchema,
  deliverySummaryQuerySchema,
  idSchema,
  lanesQuerySchema,
  listDevicesQuerySchema,
  listMessagesQuerySchema,
  messageDeliveriesQuerySchema,
  messageQuerySchema,
  receiptQuerySchema,
  registerDeviceSchema,
  replayDeliveriesSchema,
  replayMessageSchema,
  sendMessageSchema,
  webhookDeliveriesQuerySchema,
  webhookRetrySchema,
} from './schemas.js';

type Method = 'get' | 'post' | 'delete';
/** server: server key only (a client key is 403); any: server or client key; none: no key. */
type Auth = 'server' | 'any' | 'none';
type Tag = 'devices' | 'users' | 'messages' | 'lanes' | 'webhooks' | 'receipts' | 'operations';

interface Reply {
  description: string;
  /** Absent: no body (204). */
  schema?: z.ZodType;
  /** Default application/json. */
  type?: string;
}

export interface RouteDoc {
  method: Method;
  /** OpenAPI path template; express writes `{id}` as `:id`. */
  path: string;
  operationId: string;
  tag: Tag;
  summary: string;
  auth: Auth;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: { schema: z.ZodType; types?: string[] };
  /** Answers that are not the error shape (successes, and /readyz's 503). */
  replies: Record<number, Reply>;
  /** Error statuses beyond those every route can give (see errorStatuses). */
  errors?: number[];
  /** Served while shutting down (no 503 not_ready). */
  alwaysUp?: boolean;
}

const param = (description: string) => idSchema.meta({ description });
const json = (description: string, schema: z.ZodType): Reply => ({ description, schema });
const replayKey = z.object({ 'Idempotency-Key': z.string().max(255).optional().meta({ description: 'The same key and body within 24 h returns the first answer and requeues nothing new.' }) });

/** Every route, in one table. Adding an express route without a row here fails openapi-routes.test.ts. */
export function routeTable(defs: readonly AnyProviderDefinition[]): RouteDoc[] {
  const providerIds = defs.map((d) => d.id);
  return [
    { method: 'post', path: '/v1/devices', operationId: 'registerDevice', tag: 'devices', auth: 'any', summary: 'Register or refresh a device', body: { schema: registerDeviceSchema(defs) },
      replies: { 201: json('Registered.', res.deviceSchema(defs)), 200: json('Already registered: lastSeenAt and userId refreshed.', res.deviceSchema(defs)) } },
    { method: 'delete', path: '/v1/devices', operationId: 'unregisterDevice', tag: 'devices', auth: 'any', summary: 'Unregister a device by provider and token', body: { schema: deleteDeviceSchema },
      replies: { 204: { description: 'Removed.' } }, errors: [404] },
    { method: 'get', path: '/v1/devices', operationId: 'listDevices', tag: 'devices', auth: 'server', summary: "A user's devices, tokens masked", query: listDevicesQuerySchema,
      replies: { 200: json("The user's devices.", res.deviceListSchema(defs)) } },
    { method: 'delete', path: '/v1/devices/{id}', operationId: 'deleteDevice', tag: 'devices', auth: 'server', summary: 'Remove a device by id', params: z.object({ id: param('The device id.') }),
      replies: { 204: { description: 'Removed.' } }, errors: [404] },
    { method: 'get', path: '/v1/users/{userId}/data', operationId: 'exportUserData', tag: 'users', auth: 'server', summary: 'Export everything stored about a user', params: z.object({ userId: param('Your user id.') }),
      replies: { 200: json('Devices and deliveries of the user.', res.userExportSchema(defs)) } },
    { method: 'delete', path: '/v1/users/{userId}', operationId: 'eraseUser', tag: 'users', auth: 'server', summary: "Erase a user's devices and pending deliveries", params: z.object({ userId: param('Your user id.') }),
      replies: { 200: json('What was removed.', res.userErasureSchema) } },
    { method: 'post', path: '/v1/messages', operationId: 'sendMessage', tag: 'messages', auth: 'server', summary: 'Send a notification; 202 once durably stored', body: { schema: sendMessageSchema(defs) },
      headers: z.object({ 'Idempotency-Key': z.string().max(255).optional().meta({ description: 'The same key and body within 24 h returns the first answer and sends nothing new.' }) }),
      replies: { 202: json('Accepted: the message and its deliveries are stored.', res.messageAcceptedSchema) }, errors: [409, 429] },
    { method: 'get', path: '/v1/messages/{id}', operationId: 'getMessage', tag: 'messages', auth: 'server', summary: 'Status, counts and deliveries (paginated)', params: z.object({ id: param('The message id from sendMessage.') }), query: messageQuerySchema,
      replies: { 200: json('Status of the message.', res.messageStatusSchema) }, errors: [404] },
    { method: 'get', path: '/v1/messages', operationId: 'listMessages', tag: 'messages', auth: 'server', summary: 'Your messages, newest first, with per-state counts (paginated, filtered)', query: listMessagesQuerySchema,
      replies: { 200: json('One page of messages.', res.messageListSchema) } },
    { method: 'get', path: '/v1/messages/{id}/deliveries', operationId: 'listMessageDeliveries', tag: 'messages', auth: 'server', summary: "A message's deliveries, filtered by state, provider and error code (paginated)",
      params: z.object({ id: param('The message id from sendMessage.') }), query: messageDeliveriesQuerySchema(defs),
      replies: { 200: json('One page of deliveries, tokens masked.', res.deliveryListSchema) }, errors: [404] },
    { method: 'get', path: '/v1/deliveries', operationId: 'listDeadLetters', tag: 'messages', auth: 'server', summary: 'Failed and expired deliveries across your messages, most recent first (paginated)', query: deadLettersQuerySchema(defs),
      replies: { 200: json('One page of deliveries, tokens masked.', res.deliveryListSchema) } },
    { method: 'get', path: '/v1/deliveries/summary', operationId: 'getDeliverySummary', tag: 'messages', auth: 'server', summary: 'Finished deliveries since a time, counted by provider, state, error code and vendor code, each group explained', query: deliverySummaryQuerySchema,
      replies: { 200: json('The counts.', res.deliverySummarySchema) } },
    { method: 'post', path: '/v1/messages/{id}/retry', operationId: 'retryMessage', tag: 'messages', auth: 'server', summary: "Replay a message's failed and expired deliveries (optionally by provider and error code)",
      params: z.object({ id: param('The message id from sendMessage.') }), body: { schema: replayMessageSchema(defs) }, headers: replayKey,
      replies: { 200: json('What was requeued and what was skipped, by reason.', res.messageReplaySchema) }, errors: [404, 409] },
    { method: 'post', path: '/v1/deliveries/retry', operationId: 'retryDeliveries', tag: 'messages', auth: 'server', summary: 'Replay failed and expired deliveries across your messages, with the dead-letter filters; at most 10,000 per call',
      body: { schema: replayDeliveriesSchema(defs) }, headers: replayKey,
      replies: { 200: json('What was requeued and skipped, and whether more remain.', res.deliveriesReplaySchema) }, errors: [409] },
    { method: 'delete', path: '/v1/messages/{id}', operationId: 'cancelMessage', tag: 'messages', auth: 'server', summary: 'Cancel queued deliveries; recall sent ones where the vendor can',
      params: z.object({ id: param('The message id from sendMessage.') }),
      replies: { 200: json('The counts: canceled, in flight, recalled, not recallable, already final.', res.messageCancelSchema) }, errors: [404] },
    { method: 'get', path: '/v1/lanes', operationId: 'listLanes', tag: 'lanes', auth: 'server', summary: 'Your lanes, one per configured provider: queue, pauses, vendor condition, quota, sends in the last minute', query: lanesQuerySchema,
      replies: { 200: json('Every lane of your tenant, in config order.', res.laneListSchema) } },
    { method: 'get', path: '/v1/webhooks/deliveries', operationId: 'listWebhookDeliveries', tag: 'webhooks', auth: 'server', summary: 'Webhook events by state (failed by default), newest first (paginated)', query: webhookDeliveriesQuerySchema,
      replies: { 200: json('One page of webhook events.', res.webhookDeliveryListSchema) } },
    { method: 'post', path: '/v1/webhooks/deliveries/retry', operationId: 'retryWebhookDeliveries', tag: 'webhooks', auth: 'server', summary: 'Send failed webhook events again (these ids, or the oldest 1000)', body: { schema: webhookRetrySchema },
      replies: { 200: json('How many were put back.', res.webhookRetryReplySchema) } },
    { method: 'post', path: '/v1/receipts/{provider}/{tenant}', operationId: 'postReceipt', tag: 'receipts', auth: 'none', summary: 'Vendor delivery receipts (vendor signature or ?secret=)',
      params: z.object({ provider: z.enum(providerIds as [string, ...string[]]).meta({ description: 'The vendor sending the receipt.' }), tenant: param('Your tenant id.') }), query: receiptQuerySchema,
      body: { schema: z.record(z.string(), z.unknown()).meta({ description: "The vendor's own receipt format." }), types: ['application/json', 'application/x-www-form-urlencoded'] },
      replies: { 200: json('Applied.', res.receiptReplySchema) }, errors: [401, 404] },
    { method: 'get', path: '/healthz', operationId: 'getHealth', tag: 'operations', auth: 'none', summary: 'Process up', alwaysUp: true, replies: { 200: json('Up.', res.healthSchema) } },
    { method: 'get', path: '/readyz', operationId: 'getReadiness', tag: 'operations', auth: 'none', summary: 'Can accept durably (store and queue reachable, not shutting down); lists every lane',
      replies: { 200: json('Ready.', res.readinessSchema), 503: json('Not ready: a check failed, or shutting down.', z.union([res.readinessSchema, res.errorBodySchema(503)])) } },
    { method: 'get', path: '/metrics', operationId: 'getMetrics', tag: 'operations', auth: 'none', summary: 'Prometheus metrics', alwaysUp: true,
      replies: { 200: { description: 'Metrics.', schema: res.metricsSchema, type: 'text/plain' } } },
    { method: 'get', path: '/openapi.json', operationId: 'getOpenApi', tag: 'operations', auth: 'none', summary: 'This document', replies: { 200: json('OpenAPI 3.1.', res.openApiDocumentSchema) } },
  ];
}

/**
 * Error statuses of a route. The body parsers run on every route, so any request can be 400
 * (malformed JSON), 413 or 415 (charset), and any can be 500.
 */
export function errorStatuses(r: RouteDoc): number[] {
  const auth = r.auth === 'server' ? [401, 403] : r.auth === 'any' ? [401] : [];
  const stopping = r.alwaysUp || r.replies[503] ? [] : [503];
  return [...new Set([400, ...auth, ...(r.errors ?? []), 413, 415, 500, ...stopping])].sort((a, b) => a - b);
}

const ERROR_MEANING: Record<number, string> = {
  400: 'The request is invalid; error.details names each field.',
  401: 'No key, an unknown key, or a receipt that could not be authenticated.',
  403: 'A client key on a server-only route, or a web console session call without its CSRF token.',
  404: 'No such object in your tenant.',
  409: 'Idempotency-Key reused with a different body (or on another route).',
  413: 'The body is over server.bodyLimit.',
  415: 'The body is not UTF-8 JSON.',
  429: 'Backlog full (or, at console sign-in only, too many attempts); retry after Retry-After seconds. Nothing was stored.',
  500: 'A bug; the request was not applied.',
  503: 'Shutting down; retry on another instance.',
};

/** JSON Schema 2020-12 (what OpenAPI 3.1 uses) of a zod schema, without the $schema header. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function parameters(r: RouteDoc) {
  const from = (where: 'path' | 'query' | 'header', obj: z.ZodObject | undefined) =>
    Object.entries(obj?.shape ?? {}).map(([name, s]) => {
      const { description, ...schema } = schemaOf(s as z.ZodType, 'input');
      return { name, in: where, required: where === 'path' || !(s as z.ZodType).safeParse(undefined).success, ...(description ? { description } : {}), schema };
    });
  return [...from('path', r.params), ...from('query', r.query), ...from('header', r.headers)];
}

function operation(r: RouteDoc) {
  const responses: Record<string, unknown> = {};
  for (const [status, reply] of Object.entries(r.replies)) {
    responses[status] = reply.schema ? { description: reply.description, content: { [reply.type ?? 'application/json']: { schema: schemaOf(reply.schema, 'output') } } } : { description: reply.description };
  }
  for (const status of errorStatuses(r)) responses[status] = { $ref: `#/components/responses/Error${status}` };
  const params = parameters(r);
  return {
    operationId: r.operationId,
    tags: [r.tag],
    summary: r.summary,
    security: r.auth === 'server' ? [{ serverKey: [] }] : r.auth === 'any' ? [{ serverKey: [] }, { clientKey: [] }] : [],
    ...(params.length ? { parameters: params } : {}),
    ...(r.body ? { requestBody: { required: true, content: Object.fromEntries((r.body.types ?? ['application/json']).map((t) => [t, { schema: schemaOf(r.body!.schema, 'input') }])) } } : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
  };
}

export function openApiDocument(defs: readonly AnyProviderDefinition[]) {
  const routes = routeTable(defs);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method] = operation(r);
  const statuses = [...new Set(routes.flatMap(errorStatuses))].sort((a, b) => a - b);
  return {
    openapi: '3.1.0',
    info: {
      title: 'pushgate',
      version: '1',
      description: `Unified offline-push gateway: one API for every registered provider (${defs.map((d) => d.id).join(', ')}). Every error answers { error: { code, message, details? } }; the codes are listed in docs/errors.md.`,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    // Relative: resolved against wherever this document was fetched, so it is right behind any proxy.
    servers: [{ url: '/', description: 'The pushgate instance serving this document.' }],
    tags: [
      { name: 'devices', description: 'Device registry: one push token per device, nothing else.' },
      { name: 'users', description: 'Export and erasure of what is stored about a user.' },
      { name: 'messages', description: 'Send notifications and follow their deliveries.' },
      { name: 'lanes', description: 'One queue per provider of your tenant: what waits, what is paused and why, whether the vendor answers, quota.' },
      { name: 'webhooks', description: 'Signed event POSTs to your backend: what was sent, what failed, send again.' },
      { name: 'receipts', description: 'Delivery receipts posted by the vendors.' },
      { name: 'operations', description: 'Health, readiness, metrics and this document.' },
    ],
    paths,
    components: {
      securitySchemes: {
        serverKey: { type: 'http', scheme: 'bearer', description: 'A server key of your tenant (backend only): every /v1 route.' },
        clientKey: { type: 'http', scheme: 'bearer', description: 'A client key of your tenant (apps): only registerDevice and unregisterDevice.' },
      },
      responses: Object.fromEntries(
        statuses.map((s) => [
          `Error${s}`,
          {
            description: `${ERROR_MEANING[s] ?? 'Error.'} Codes: ${Object.keys(ERROR_CODES).filter((c) => ERROR_CODES[c as keyof typeof ERROR_CODES] === s).join(', ')}.`,
            ...(s === 429 ? { headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer', minimum: 0 } } } } : {}),
            content: { 'application/json': { schema: schemaOf(res.errorBodySchema(s), 'output') } },
          },
        ]),
      ),
    },
  };
}
