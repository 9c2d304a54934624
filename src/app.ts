/**
 * createApp wires routes and middleware onto already-built services; it never listens.
 * main.ts (the composition root) builds the services from config and owns the server.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { DeviceService } from './core/devices.js';
import type { LaneHealth } from './core/lane-health.js';
import type { MessageService } from './core/messages.js';
import type { ReceiptService } from './core/receipts.js';
import type { ProviderHub } from './core/providers.js';
import { principal, requireKey, type KeyRing } from './http/auth.js';
import { ApiError } from './http/errors.js';
import { openApiDocument } from './http/openapi.js';
import type { LaneView } from './http/responses.js';
import { deleteDeviceSchema, listDevicesQuerySchema, messageQuerySchema as pageQuery } from './http/schemas.js';
import { parseQuery } from './http/query.js';
import { checkQueryEncoding, clientError, refuseOversizeBody } from './http/request-errors.js';
import type { Metrics } from './metrics/metrics.js';
import type { QueueEngine } from './queue/types.js';
import type { Store, DeliveryState } from './store/types.js';
import { DELIVERY_STATES } from './store/types.js';

export interface AppDeps {
  store: Store;
  queue: QueueEngine;
  hub: ProviderHub;
  keys: KeyRing;
  devices: DeviceService;
  messages: MessageService;
  receipts: ReceiptService;
  metrics: Metrics;
  /** What this instance last saw of each lane's vendor (listed by /readyz). */
  health: LaneHealth;
  registry: Registry;
  logger: Logger;
  bodyLimit: string;
  now(): number;
  /** False once shutdown has begun: new work is refused with 503. */
  accepting(): boolean;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const server = requireKey(deps.keys, ['server']);
  const anyKey = requireKey(deps.keys, ['server', 'client']);

  app.use(httpMetrics(deps.metrics, deps.logger));
  app.use(refuseOversizeBody(deps.bodyLimit), checkQueryEncoding);
  app.use((req, _res, next) => (deps.accepting() || req.path.startsWith('/healthz') || req.path === '/metrics' ? next() : next(new ApiError('not_ready', 'pushgate is shutting down; retry on another instance.'))));
  // Receipts keep the raw body (signatures may cover it); other routes skip that copy.
  const jsonTypes = ['application/json', 'application/*+json'];
  app.use('/v1/receipts', express.json({ limit: deps.bodyLimit, type: jsonTypes, verify: keepRaw }), express.urlencoded({ limit: deps.bodyLimit, extended: false, verify: keepRaw }));
  app.use(express.json({ limit: deps.bodyLimit, type: jsonTypes }), express.urlencoded({ limit: deps.bodyLimit, extended: false }));

  // The API speaks JSON: a body of another type is a 415, not a confusing "field missing".
  app.use(['/v1/devices', '/v1/messages', '/v1/users'], (req, _res, next) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is(jsonTypes)) return next(new ApiError('unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.'));
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Ready = can accept durably (store, queue, not shutting down). A vendor outage shows in `lanes`
  // but never takes the instance out of the load balancer: accepted messages wait in the store.
  app.get('/readyz', async (_req, res) => {
    const checks = await Promise.all([check('store', () => deps.store.ping()), check('queue', () => deps.queue.ping())]);
    const ready = checks.every((c) => c.ok) && deps.accepting();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks, lanes: await laneStates(deps) });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.registry.contentType).send(await deps.registry.metrics());
  });
  let openApi: ReturnType<typeof openApiDocument> | undefined;
  app.get('/openapi.json', (_req, res) => {
    res.json((openApi ??= openApiDocument([...deps.hub.definitions.values()])));
  });

  // ---- devices ----
  app.post('/v1/devices', anyKey, async (req, res) => {
    const { created, device } = await deps.devices.register(principal(req).tenant, req.body);
    res.status(created ? 201 : 200).json(device);
  });
  app.delete('/v1/devices', anyKey, async (req, res) => {
    const body = parse(deleteDeviceSchema, req.body);
    const removed = await deps.devices.unregister(principal(req).tenant, body.provider, body.token);
    if (!removed) throw new ApiError('not_found', 'No device with this provider and token is registered for your tenant.');
    res.status(204).end();
  });
  app.delete('/v1/devices/:id', server, async (req, res) => {
    if (!(await deps.store.deleteDevice(principal(req).tenant, String(req.params.id)))) throw new ApiError('not_found', `No device ${String(req.params.id)} in your tenant.`);
    res.status(204).end();
  });
  app.get('/v1/devices', server, async (req, res) => {
    // The schema /openapi.json documents for this route: unknown, repeated or missing parameters are named as query.<name>.
    const { userId } = parseQuery(listDevicesQuerySchema, req.query);
    const list = await deps.store.devicesOfUsers(principal(req).tenant, [userId]);
    res.json({ devices: list.map((d) => deps.devices.view(d)) });
  });

  // ---- users (export, erasure) ----
  app.get('/v1/users/:userId/data', server, async (req, res) => {
    const tenant = principal(req).tenant;
    const { devices, deliveries } = await deps.store.exportUser(tenant, String(req.params.userId));
    res.json({
      userId: req.params.userId,
      devices: devices.map((d) => deps.devices.view(d)),
      deliveries: deliveries.map((d) => ({ id: d.id, messageId: d.messageId, provider: d.provider, deviceId: d.deviceId, state: d.state, attempts: d.attempts, updatedAt: new Date(d.updatedAt).toISOString() })),
    });
  });
  app.delete('/v1/users/:userId', server, async (req, res) => {
    const removed = await deps.store.eraseUser(principal(req).tenant, String(req.params.userId));
    res.json({ userId: req.params.userId, removed });
  });

  // ---- messages ----
  app.post('/v1/messages', server, async (req, res) => {
    const tenant = principal(req).tenant;
    const key = req.get('idempotency-key');
    const out = await deps.messages.accept(tenant, req.body, key);
    // A message with no target (every user without devices) is still accepted; a replay is not.
    if (out.status === 202 && !out.replay) deps.metrics.messagesAccepted.inc({ tenant });
    for (const lane of out.lanes) deps.queue.kick(lane);
    res.status(out.status).json(out.body);
  });
  app.get('/v1/messages/:id', server, async (req, res) => {
    const tenant = principal(req).tenant;
    const id = String(req.params.id);
    const q = parseQuery(pageQuery, req.query);
    const message = await deps.store.getMessage(tenant, id);
    if (!message) throw new ApiError('not_found', `No message ${id} in your tenant (messages are kept for retention.messageDays).`);
    const counts = await deps.store.messageCounts(tenant, id);
    const page = await deps.store.listDeliveries(tenant, id, q.cursor ?? null, q.limit + 1);
    const more = page.length > q.limit;
    const rows = page.slice(0, q.limit);
    const states = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;
    const providers: Record<string, Partial<Record<DeliveryState, number>>> = {};
    for (const c of counts) {
      states[c.state] += c.count;
      (providers[c.provider] ??= {})[c.state] = c.count;
    }
    const pending = states.queued + states.sending;
    res.json({
      id,
      createdAt: new Date(message.createdAt).toISOString(),
      status: pending > 0 ? 'in_progress' : 'done',
      counts: states,
      providers,
      deliveries: rows.map((d) => ({
        id: d.id,
        provider: d.provider,
        deviceId: d.deviceId,
        token: deps.devices.maskStored(d.tokenEnc),
        state: d.state,
        attempts: d.attempts,
        ...(d.state === 'queued' ? { nextAttemptAt: new Date(d.nextAttemptAt).toISOString() } : {}),
        lastError: d.lastError,
        vendorMessageId: d.vendorMessageId,
        updatedAt: new Date(d.updatedAt).toISOString(),
      })),
      nextCursor: more ? rows[rows.length - 1]?.id : null,
    });
  });

  // ---- vendor receipts ----
  app.post('/v1/receipts/:provider/:tenant', async (req, res) => {
    const out = await deps.receipts.handle(String(req.params.provider), String(req.params.tenant), {
      headers: req.headers,
      body: req.body,
      rawBody: (req as RawRequest).rawBody ?? '',
      query: req.query as Record<string, unknown>,
    });
    res.json(out.reply);
  });

  app.use((req, _res, next) => next(new ApiError('not_found', `No route ${req.method} ${req.path}. See /openapi.json.`)));
  app.use(errorHandler(deps.logger, deps.bodyLimit));
  return app;
}

type RawRequest = Request & { rawBody?: string };
function keepRaw(req: unknown, _res: unknown, buf: Buffer): void {
  (req as RawRequest).rawBody = buf.toString('utf8');
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  throw new ApiError(
    'invalid_request',
    `Invalid request: ${r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
    r.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
  );
}

/** Every configured lane: paused (store, shared by all instances) or down/up (this instance's last exchange). */
async function laneStates(deps: AppDeps): Promise<LaneView[]> {
  const now = deps.now();
  // The pauses live in the store; when it is unreachable the answer is a 503 anyway, so list without them.
  const pauses = await deps.store.allActivePauses(now).catch(() => []);
  const iso = (ms: number) => new Date(ms).toISOString();
  return deps.hub.all().map((c) => {
    const lane = { tenant: c.tenant, provider: c.def.id };
    const h = deps.health.get(lane);
    const mine = pauses.filter((p) => p.tenant === lane.tenant && p.provider === lane.provider);
    const whole = mine.filter((p) => p.quotaClass === '*').sort((a, b) => b.until - a.until)[0];
    const classes = mine.filter((p) => p.quotaClass !== '*').map((p) => ({ class: p.quotaClass, reason: p.reason, until: iso(p.until) }));
    const view: LaneView = { ...lane, state: whole ? 'paused' : h.failing ? 'down' : 'up', credentials: h.credentialsOk ? 'ok' : 'failing' };
    if (whole) Object.assign(view, { reason: whole.reason, until: iso(whole.until) });
    if (classes.length) view.pausedClasses = classes;
    if (h.failing && h.lastError !== null) view.lastError = h.lastError;
    if (h.failing && h.failingSince !== null) view.failingSince = iso(h.failingSince);
    view.lastSuccessAt = h.lastSuccessAt === null ? null : iso(h.lastSuccessAt);
    return view;
  });
}

async function check(name: string, fn: () => Promise<void>): Promise<{ name: string; ok: boolean; error?: string }> {
  try {
    await fn();
    return { name, ok: true };
  } catch (err) {
    return { name, ok: false, error: (err as Error).message };
  }
}

function httpMetrics(metrics: Metrics, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The matched route pattern, never the raw path: ids must not become label values.
      const route = req.route?.path ? String(req.route.path) : 'unmatched';
      metrics.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe({ route, method: req.method }, seconds);
      // Access log at debug: the route pattern and the tenant, never the path (ids) or a header.
      logger.debug({ route, method: req.method, status: res.statusCode, ms: Math.round(seconds * 1000), tenant: req.principal?.tenant }, 'request');
    });
    next();
  };
}

/** Every failure leaves as the one error shape; unknown errors are 500 with nothing internal exposed. */
function errorHandler(logger: Logger, bodyLimit: string) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    // A library error with a 4xx status (body-parser, router, zlib) is the client's to fix.
    let e = err instanceof ApiError ? err : clientError(err, req, bodyLimit);
    if (!e) {
      logger.error({ err, method: req.method, route: req.route?.path }, 'unhandled error');
      e = new ApiError('internal', 'Something went wrong inside pushgate; the request was not applied. Retry, and report it if it persists.');
    }
    if (e.headers) res.set(e.headers);
    res.status(e.status).json(e.toBody());
  };
}
