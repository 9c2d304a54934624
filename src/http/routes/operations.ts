/**
 * Replay and cancel: POST /v1/messages/{id}/retry, POST /v1/deliveries/retry (failed and expired
 * deliveries back to queued) and DELETE /v1/messages/{id} (cancel what is queued, recall what was
 * sent). Each route validates its input and calls one core method; the tenant is always the caller's.
 */
import type { AnyProviderDefinition } from '../../../providers/types.js';
import type { CancelService } from '../../core/cancel.js';
import type { ReplayService } from '../../core/replay.js';
import { principal } from '../auth.js';
import { parseBody } from '../parse.js';
import { replayDeliveriesSchema, replayMessageSchema } from '../schemas.js';
import type { Guards, Routes } from './types.js';

const OK = 200;

export function operationRoutes(app: Routes, guards: Guards, replay: ReplayService, cancel: CancelService, definitions: readonly AnyProviderDefinition[]): void {
  const messageBody = replayMessageSchema(definitions);
  const deliveriesBody = replayDeliveriesSchema(definitions);
  const idempotency = (key: string | undefined) => (key === undefined ? undefined : { key, answerStatus: OK });

  app.post('/v1/messages/:id/retry', guards.server, async (req, res) => {
    const body = parseBody(messageBody, req.body);
    const out = await replay.replayMessage(principal(req).tenant, String(req.params.id), body, idempotency(req.get('idempotency-key')));
    res.status(out.status).json(out.body);
  });

  app.post('/v1/deliveries/retry', guards.server, async (req, res) => {
    const body = parseBody(deliveriesBody, req.body);
    const out = await replay.replayTenant(principal(req).tenant, body, idempotency(req.get('idempotency-key')));
    res.status(out.status).json(out.body);
  });

  app.delete('/v1/messages/:id', guards.server, async (req, res) => {
    res.json(await cancel.cancel(principal(req).tenant, String(req.params.id)));
  });
}
