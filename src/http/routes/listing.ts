/**
 * The listings: a tenant's messages, one message's deliveries, the dead-letter view and its
 * summary. Each route validates its query (unknown or bad parameters named as query.<name>) and
 * calls one ListingService method; the tenant is always the caller's.
 */
import type { AnyProviderDefinition } from '../../../providers/types.js';
import type { ListingService } from '../../core/listing.js';
import { principal } from '../auth.js';
import { parseQuery } from '../query.js';
import { deadLettersQuerySchema, deliverySummaryQuerySchema, listMessagesQuerySchema, messageDeliveriesQuerySchema } from '../schemas.js';
import type { Guards, Routes } from './types.js';

export function listingRoutes(app: Routes, guards: Guards, listing: ListingService, definitions: readonly AnyProviderDefinition[]): void {
  const deliveriesQuery = messageDeliveriesQuerySchema(definitions);
  const deadLettersQuery = deadLettersQuerySchema(definitions);

  app.get('/v1/messages', guards.server, async (req, res) => {
    res.json(await listing.messages(principal(req).tenant, parseQuery(listMessagesQuerySchema, req.query)));
  });

  app.get('/v1/messages/:id/deliveries', guards.server, async (req, res) => {
    res.json(await listing.messageDeliveries(principal(req).tenant, String(req.params.id), parseQuery(deliveriesQuery, req.query)));
  });

  app.get('/v1/deliveries', guards.server, async (req, res) => {
    res.json(await listing.deadLetters(principal(req).tenant, parseQuery(deadLettersQuery, req.query)));
  });

  app.get('/v1/deliveries/summary', guards.server, async (req, res) => {
    res.json(await listing.summary(principal(req).tenant, parseQuery(deliverySummaryQuerySchema, req.query)));
  });
}
