/** /healthz (alive), /readyz (can accept durably; lanes), /metrics (Prometheus), /openapi.json. */
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { AnyProviderDefinition } from '../../../providers/types.js';
import type { ReadinessService } from '../../core/readiness.js';
import { openApiDocument } from '../openapi.js';
import type { readinessSchema } from '../responses.js';
import type { Routes } from './types.js';

export function healthRoutes(app: Routes, deps: { readiness: ReadinessService; registry: Registry; definitions: () => AnyProviderDefinition[] }): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const { ready, checks, lanes } = await deps.readiness.check();
    const body: z.infer<typeof readinessSchema> = { status: ready ? 'ready' : 'not_ready', checks, lanes };
    res.status(ready ? 200 : 503).json(body);
  });

  app.get('/metrics', async (_req, res) => {
    res.type(deps.registry.contentType).send(await deps.registry.metrics());
  });

  let openApi: ReturnType<typeof openApiDocument> | undefined;
  app.get('/openapi.json', (_req, res) => {
    res.json((openApi ??= openApiDocument(deps.definitions())));
  });
}
