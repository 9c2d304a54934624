/**
 * GET /v1/lanes: the caller's lanes (one per configured provider) with queue, pauses, vendor
 * condition, quota and recent sends. The tenant is always the caller's; LaneService does the work.
 */
import type { LaneService } from '../../core/lanes.js';
import { principal } from '../auth.js';
import { parseQuery } from '../query.js';
import type { laneListSchema } from '../responses.js';
import { lanesQuerySchema } from '../schemas.js';
import type { Guards, Routes } from './types.js';
import type { z } from 'zod';

export function laneRoutes(app: Routes, guards: Guards, lanes: LaneService): void {
  app.get('/v1/lanes', guards.server, async (req, res) => {
    parseQuery(lanesQuerySchema, req.query);
    const body: z.infer<typeof laneListSchema> = { lanes: await lanes.list(principal(req).tenant) };
    res.json(body);
  });
}
