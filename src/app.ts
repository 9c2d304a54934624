/**
 * createApp wires routes and middleware onto already-built services; it never listens.
 * main.ts (the composition root) builds the services from config and owns the server.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DomainError } from './core/errors.js';
import type { DeviceService } from './core/devices.js';
import type { CancelService } from './core/cancel.js';
import type { LaneService } from './core/lanes.js';
import type { ListingService } from './core/listing.js';
import type { MessageService } from './core/messages.js';
import type { ProviderHub } from './core/providers.js';
import type { ReadinessService } from './core/readiness.js';
import type { ReceiptService } from './core/receipts.js';
import type { ReplayService } from './core/replay.js';
import type { WebhookService } from './core/webhooks.js';
import { presentsKey, requireKey, type KeyRing } from './http/auth.js';
import { ApiError, toApiError } from './http/errors.js';
import { BodyBudget, bodyBudget } from './http/body-budget.js';
import { checkQueryEncoding, clientError, limitBytes, refuseOversizeBody } from './http/request-errors.js';
import { consoleRouter, type ConsoleDeps } from './http/console/routes.js';
import { deviceRoutes } from './http/routes/devices.js';
import { healthRoutes } from './http/routes/health.js';
import { laneRoutes } from './http/routes/lanes.js';
import { listingRoutes } from './http/routes/listing.js';
import { messageRoutes } from './http/routes/messages.js';
import { operationRoutes } from './http/routes/operations.js';
import { receiptRoutes, type RawRequest } from './http/routes/receipts.js';
import { userRoutes } from './http/routes/users.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import type { Metrics } from './metrics/metrics.js';

export interface AppDeps {
  hub: ProviderHub;
  keys: KeyRing;
  devices: DeviceService;
  messages: MessageService;
  listing: ListingService;
  lanes: LaneService;
  replay: ReplayService;
  cancel: CancelService;
  receipts: ReceiptService;
  webhooks: WebhookService;
  readiness: ReadinessService;
  metrics: Metrics;
  registry: Registry;
  logger: Logger;
  bodyLimit: string;
  /** server.bodyBudget: bytes of request bodies in flight at once (src/http/body-budget.ts). */
  bodyBudget: string;
  /** Express's `trust proxy` (server.trustProxy): https and client address from X-Forwarded-*. */
  trustProxy?: boolean | number | string;
  /** The web console (console.enabled): its sign-in and bundle; its sessions are accepted by the /v1 guards. */
  console?: Omit<ConsoleDeps, 'keys' | 'logger'>;
  /** False once shutdown has begun: new work is refused with 503. */
  accepting(): boolean;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.trustProxy ?? false);
  const sessions = deps.console?.sessions;
  const server = requireKey(deps.keys, ['server'], sessions);
  const anyKey = requireKey(deps.keys, ['server', 'client'], sessions);

  app.use(httpMetrics(deps.metrics, deps.logger));
  app.use(refuseOversizeBody(deps.bodyLimit), checkQueryEncoding);
  app.use((req, _res, next) => (deps.accepting() || req.path.startsWith('/healthz') || req.path === '/metrics' ? next() : next(new ApiError('not_ready', 'pushgate is shutting down; retry on another instance.'))));
  // Bodies are read only while the budget has room: concurrent big sends wait instead of adding up.
  app.use(bodyBudget(new BodyBudget(limitBytes(deps.bodyBudget)), limitBytes(deps.bodyLimit), (req) => presentsKey(deps.keys, req)));
  // Receipts keep the raw body (signatures may cover it); other routes skip that copy.
  const jsonTypes = ['application/json', 'application/*+json'];
  app.use('/v1/receipts', express.json({ limit: deps.bodyLimit, type: jsonTypes, verify: keepRaw }), express.urlencoded({ limit: deps.bodyLimit, extended: false, verify: keepRaw }));
  app.use(express.json({ limit: deps.bodyLimit, type: jsonTypes }), express.urlencoded({ limit: deps.bodyLimit, extended: false }));

  // The API speaks JSON: a body of another type is a 415, not a confusing "field missing".
  app.use(['/v1/devices', '/v1/messages', '/v1/deliveries', '/v1/users', '/v1/webhooks'], (req, _res, next) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is(jsonTypes)) return next(new ApiError('unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.'));
    next();
  });

  healthRoutes(app, { readiness: deps.readiness, registry: deps.registry, definitions: () => [...deps.hub.definitions.values()] });
  const guards = { server, anyKey };
  deviceRoutes(app, guards, deps.devices);
  userRoutes(app, guards, deps.devices);
  messageRoutes(app, guards, deps.messages, [...deps.hub.definitions.values()]);
  listingRoutes(app, guards, deps.listing, [...deps.hub.definitions.values()]);
  laneRoutes(app, guards, deps.lanes);
  operationRoutes(app, guards, deps.replay, deps.cancel, [...deps.hub.definitions.values()]);
  webhookRoutes(app, guards, deps.webhooks);
  receiptRoutes(app, deps.receipts);
  if (deps.console) app.use('/console', consoleRouter({ ...deps.console, keys: deps.keys, logger: deps.logger }));

  app.use((req, _res, next) => next(new ApiError('not_found', `No route ${req.method} ${req.path}. See /openapi.json.`)));
  app.use(errorHandler(deps.logger, deps.bodyLimit));
  return app;
}

function keepRaw(req: unknown, _res: unknown, buf: Buffer): void {
  (req as RawRequest).rawBody = buf.toString('utf8');
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
    let e = err instanceof DomainError ? toApiError(err) : err instanceof ApiError ? err : clientError(err, req, bodyLimit);
    if (!e) {
      logger.error({ err, method: req.method, route: req.route?.path }, 'unhandled error');
      e = new ApiError('internal', 'Something went wrong inside pushgate; the request was not applied. Retry, and report it if it persists.');
    }
    if (e.headers) res.set(e.headers);
    res.status(e.status).json(e.toBody());
  };
}
