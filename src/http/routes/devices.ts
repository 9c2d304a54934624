/** /v1/devices: register, list and remove devices. Validation here; the registry's rules in DeviceService. */
import type { DeviceService } from '../../core/devices.js';
import { principal } from '../auth.js';
import { ApiError } from '../errors.js';
import { parseBody } from '../parse.js';
import { parseQuery } from '../query.js';
import { deleteDeviceSchema, listDevicesQuerySchema } from '../schemas.js';
import type { Guards, Routes } from './types.js';

export function deviceRoutes(app: Routes, guards: Guards, devices: DeviceService): void {
  app.post('/v1/devices', guards.anyKey, async (req, res) => {
    const body: unknown = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('invalid_request', 'The body must be a JSON object { provider, token, userId? }.');
    // The provider decides which other fields it takes (its device fields); DeviceService checks them.
    const { provider, token, userId, ...extras } = body as Record<string, unknown>;
    if (typeof provider !== 'string') throw new ApiError('invalid_request', `provider is required: one of ${devices.providerIds().join(', ')}.`, [{ field: 'provider', message: 'required' }]);
    const { created, device } = await devices.register(principal(req).tenant, { provider, token, userId, extras });
    res.status(created ? 201 : 200).json(device);
  });

  app.delete('/v1/devices', guards.anyKey, async (req, res) => {
    const body = parseBody(deleteDeviceSchema, req.body);
    await devices.remove(principal(req).tenant, body.provider, body.token);
    res.status(204).end();
  });

  app.delete('/v1/devices/:id', guards.server, async (req, res) => {
    await devices.removeById(principal(req).tenant, String(req.params.id));
    res.status(204).end();
  });

  app.get('/v1/devices', guards.server, async (req, res) => {
    // The schema /openapi.json documents for this route: unknown, repeated or missing parameters are named as query.<name>.
    const { userId } = parseQuery(listDevicesQuerySchema, req.query);
    res.json({ devices: await devices.list(principal(req).tenant, userId) });
  });
}
