/**
 * createPushgateClient: typed methods for the calls a backend makes, over openapi-fetch with the
 * types generated from the gateway's /openapi.json (src/schema.ts), plus that raw typed client.
 * Every method resolves to the answer's body or throws a PushgateError.
 */
import createClient, { type Client } from 'openapi-fetch';
import { errorFromResponse } from './errors.js';
import { isRepeatable, parseRetryAfter, retryPolicy, retryingFetch, type FetchLike, type RetryOptions } from './retry.js';
import type { operations, paths } from './schema.js';

type JsonBody<K extends keyof operations> = operations[K] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type JsonReply<K extends keyof operations, S extends number> = operations[K]['responses'] extends Record<S, { content: { 'application/json': infer R } }> ? R : never;
type Query<K extends keyof operations> = NonNullable<operations[K]['parameters']['query']>;

export type SendMessageBody = JsonBody<'sendMessage'>;
export type MessageAccepted = JsonReply<'sendMessage', 202>;
export type MessageStatus = JsonReply<'getMessage', 200>;
export type MessageQuery = Query<'getMessage'>;
export type MessageList = JsonReply<'listMessages', 200>;
export type MessageListQuery = Query<'listMessages'>;
export type DeliveryList = JsonReply<'listMessageDeliveries', 200>;
export type MessageDeliveriesQuery = Query<'listMessageDeliveries'>;
export type DeadLettersQuery = Query<'listDeadLetters'>;
export type DeliverySummary = JsonReply<'getDeliverySummary', 200>;
export type DeliverySummaryQuery = Query<'getDeliverySummary'>;
export type RetryMessageBody = JsonBody<'retryMessage'>;
export type MessageReplay = JsonReply<'retryMessage', 200>;
export type RetryDeliveriesBody = JsonBody<'retryDeliveries'>;
export type DeliveriesReplay = JsonReply<'retryDeliveries', 200>;
export type MessageCancel = JsonReply<'cancelMessage', 200>;
export type RegisterDeviceBody = JsonBody<'registerDevice'>;
export type Device = JsonReply<'registerDevice', 201>;
export type UnregisterDeviceBody = JsonBody<'unregisterDevice'>;
export type DeviceList = JsonReply<'listDevices', 200>;
export type UserExport = JsonReply<'exportUserData', 200>;
export type UserErasure = JsonReply<'eraseUser', 200>;
export type WebhookDeliveryList = JsonReply<'listWebhookDeliveries', 200>;
export type WebhookDeliveriesQuery = Query<'listWebhookDeliveries'>;
export type RetryWebhookDeliveriesBody = JsonBody<'retryWebhookDeliveries'>;
export type WebhookRetry = JsonReply<'retryWebhookDeliveries', 200>;
export type LaneList = JsonReply<'listLanes', 200>;

export interface PushgateClientOptions {
  /** The gateway's root URL, e.g. `https://push.example.com` (paths start with /v1). */
  baseUrl: string;
  /** A server key of your tenant; a client key can only register and unregister devices. */
  key: string;
  /** @default globalThis.fetch */
  fetch?: FetchLike;
  retry?: RetryOptions;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface KeyedCallOptions extends CallOptions {
  /**
   * Sent as `Idempotency-Key`: the same key and body within 24 h answers the first result and
   * does nothing new. Default: a fresh random key per call, reused by that call's own retries.
   * Give your own (e.g. `order-42-shipped`) to make repeats of your own job safe too.
   */
  idempotencyKey?: string;
}

export interface PushgateClient {
  /** POST /v1/messages: 202 once the message and its deliveries are stored. */
  sendMessage(body: SendMessageBody, options?: KeyedCallOptions): Promise<MessageAccepted>;
  /** GET /v1/messages/{id}: status, counts, and a page of deliveries. */
  getMessage(id: string, query?: MessageQuery, options?: CallOptions): Promise<MessageStatus>;
  /** GET /v1/messages: newest first, filtered, paginated. */
  listMessages(query?: MessageListQuery, options?: CallOptions): Promise<MessageList>;
  /** GET /v1/messages/{id}/deliveries */
  listMessageDeliveries(id: string, query?: MessageDeliveriesQuery, options?: CallOptions): Promise<DeliveryList>;
  /** GET /v1/deliveries: failed and expired deliveries (the dead-letter view). */
  listDeadLetters(query?: DeadLettersQuery, options?: CallOptions): Promise<DeliveryList>;
  /** GET /v1/deliveries/summary */
  getDeliverySummary(query?: DeliverySummaryQuery, options?: CallOptions): Promise<DeliverySummary>;
  /** POST /v1/messages/{id}/retry: replay the message's failed and expired deliveries. */
  retryMessage(id: string, body?: RetryMessageBody, options?: KeyedCallOptions): Promise<MessageReplay>;
  /** POST /v1/deliveries/retry: replay dead letters across messages. */
  retryDeliveries(body?: RetryDeliveriesBody, options?: KeyedCallOptions): Promise<DeliveriesReplay>;
  /** DELETE /v1/messages/{id}: cancel queued deliveries, recall sent ones where the vendor can. */
  cancelMessage(id: string, options?: CallOptions): Promise<MessageCancel>;
  /** POST /v1/devices: register (201) or refresh (200); the answer is the device either way. */
  registerDevice(body: RegisterDeviceBody, options?: CallOptions): Promise<Device>;
  /** DELETE /v1/devices by provider and token (works with a client key). */
  unregisterDevice(body: UnregisterDeviceBody, options?: CallOptions): Promise<void>;
  /** DELETE /v1/devices/{id} */
  deleteDevice(id: string, options?: CallOptions): Promise<void>;
  /** GET /v1/devices?userId=: a user's devices, tokens masked. */
  listDevices(userId: string, options?: CallOptions): Promise<DeviceList>;
  /** GET /v1/users/{userId}/data */
  exportUserData(userId: string, options?: CallOptions): Promise<UserExport>;
  /** DELETE /v1/users/{userId} */
  eraseUser(userId: string, options?: CallOptions): Promise<UserErasure>;
  /** GET /v1/lanes: each provider's queue, pauses, vendor condition and quota (what the console's Lanes page shows). */
  listLanes(options?: CallOptions): Promise<LaneList>;
  /** GET /v1/webhooks/deliveries */
  listWebhookDeliveries(query?: WebhookDeliveriesQuery, options?: CallOptions): Promise<WebhookDeliveryList>;
  /** POST /v1/webhooks/deliveries/retry */
  retryWebhookDeliveries(body?: RetryWebhookDeliveriesBody, options?: CallOptions): Promise<WebhookRetry>;
  /** The typed openapi-fetch client for everything else; same key, same retries. Answers `{ data, error, response }`. */
  raw: Client<paths>;
}

/** A device registration is an upsert: sending it twice registers one device. */
const mayRepeat = (request: Request) => isRepeatable(request) || (request.method === 'POST' && new URL(request.url).pathname.endsWith('/v1/devices'));

function checkOptions(o: PushgateClientOptions): void {
  let url: URL | undefined;
  try {
    url = new URL(o.baseUrl);
  } catch {
    // reported below
  }
  if (!url || !/^https?:$/.test(url.protocol)) throw new TypeError(`baseUrl must be an absolute http(s) URL such as https://push.example.com; got ${JSON.stringify(o.baseUrl)}`);
  if (typeof o.key !== 'string' || !o.key.trim()) throw new TypeError('key must be a server key (or a client key, for devices only) of your tenant; got an empty value');
}

export function createPushgateClient(options: PushgateClientOptions): PushgateClient {
  checkOptions(options);
  const policy = retryPolicy(options.retry);
  const baseFetch: FetchLike = options.fetch ?? ((request, init) => globalThis.fetch(request, init));
  const raw = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: { Authorization: `Bearer ${options.key}` },
    fetch: retryingFetch(baseFetch, policy, mayRepeat),
  });

  /** The body of a 2xx, else a PushgateError. */
  async function ok<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    const { data, error, response } = await pending;
    if (!response.ok) throw errorFromResponse(response, error, parseRetryAfter(response.headers.get('Retry-After'), policy.now()));
    return data as T;
  }
  const key = (o: KeyedCallOptions | undefined) => ({ 'Idempotency-Key': o?.idempotencyKey ?? globalThis.crypto.randomUUID() });

  return {
    raw,
    sendMessage: (body, o) => ok(raw.POST('/v1/messages', { body, params: { header: key(o) }, signal: o?.signal })),
    getMessage: (id, query, o) => ok(raw.GET('/v1/messages/{id}', { params: { path: { id }, query }, signal: o?.signal })),
    listMessages: (query, o) => ok(raw.GET('/v1/messages', { params: { query }, signal: o?.signal })),
    listMessageDeliveries: (id, query, o) => ok(raw.GET('/v1/messages/{id}/deliveries', { params: { path: { id }, query }, signal: o?.signal })),
    listDeadLetters: (query, o) => ok(raw.GET('/v1/deliveries', { params: { query }, signal: o?.signal })),
    getDeliverySummary: (query, o) => ok(raw.GET('/v1/deliveries/summary', { params: { query }, signal: o?.signal })),
    retryMessage: (id, body, o) => ok(raw.POST('/v1/messages/{id}/retry', { body: body ?? {}, params: { path: { id }, header: key(o) }, signal: o?.signal })),
    retryDeliveries: (body, o) => ok(raw.POST('/v1/deliveries/retry', { body: body ?? {}, params: { header: key(o) }, signal: o?.signal })),
    cancelMessage: (id, o) => ok(raw.DELETE('/v1/messages/{id}', { params: { path: { id } }, signal: o?.signal })),
    registerDevice: (body, o) => ok(raw.POST('/v1/devices', { body, signal: o?.signal })),
    unregisterDevice: async (body, o) => void (await ok(raw.DELETE('/v1/devices', { body, signal: o?.signal }))),
    deleteDevice: async (id, o) => void (await ok(raw.DELETE('/v1/devices/{id}', { params: { path: { id } }, signal: o?.signal }))),
    listDevices: (userId, o) => ok(raw.GET('/v1/devices', { params: { query: { userId } }, signal: o?.signal })),
    exportUserData: (userId, o) => ok(raw.GET('/v1/users/{userId}/data', { params: { path: { userId } }, signal: o?.signal })),
    eraseUser: (userId, o) => ok(raw.DELETE('/v1/users/{userId}', { params: { path: { userId } }, signal: o?.signal })),
    listLanes: (o) => ok(raw.GET('/v1/lanes', { signal: o?.signal })),
    listWebhookDeliveries: (query, o) => ok(raw.GET('/v1/webhooks/deliveries', { params: { query }, signal: o?.signal })),
    retryWebhookDeliveries: (body, o) => ok(raw.POST('/v1/webhooks/deliveries/retry', { body: body ?? {}, signal: o?.signal })),
  };
}
