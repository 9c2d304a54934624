/** /v1/users/{userId}: data export and erasure of one user. */
import type { DeviceService } from '../../core/devices.js';
import { principal } from '../auth.js';
import type { Guards, Routes } from './types.js';

export function userRoutes(app: Routes, guards: Guards, devices: DeviceService): void {
  app.get('/v1/users/:userId/data', guards.server, async (req, res) => {
    res.json(await devices.export(principal(req).tenant, String(req.params.userId)));
  });

  app.delete('/v1/users/:userId', guards.server, async (req, res) => {
    res.json(await devices.erase(principal(req).tenant, String(req.params.userId)));
  });
}
