/**
 * Webhook operations: the events sent to (or given up on by) the tenant's webhooks, and sending
 * failed ones again once the receiver is fixed. Server key only; the tenant is always the caller's.
 */
import type { WebhookService } from '../../core/webhooks.js';
import { principal } from '../auth.js';
import { parseBody } from '../parse.js';
import { parseQuery } from '../query.js';
import { webhookDeliveriesQuerySchema, webhookRetrySchema } from '../schemas.js';
import type { Guards, Routes } from './types.js';

export function webhookRoutes(app: Routes, guards: Guards, webhooks: WebhookService): void {
  app.get('/v1/webhooks/deliveries', guards.server, async (req, res) => {
    res.json(await webhooks.deliveries(principal(req).tenant, parseQuery(webhookDeliveriesQuerySchema, req.query)));
  });

  app.post('/v1/webhooks/deliveries/retry', guards.server, async (req, res) => {
    res.json(await webhooks.retry(principal(req).tenant, parseBody(webhookRetrySchema, req.body)));
  });
}
