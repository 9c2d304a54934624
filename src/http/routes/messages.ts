/** /v1/messages: accept a message (202, or the stored answer of a replayed Idempotency-Key) and read its progress. */
import type { MessageService } from '../../core/messages.js';
import type { AnyProviderDefinition } from '../../../providers/types.js';
import { principal } from '../auth.js';
import { fromZodIssues } from '../errors.js';
import { parseQuery } from '../query.js';
import { messageQuerySchema, sendMessageSchema } from '../schemas.js';
import type { Guards, Routes } from './types.js';

const ACCEPTED = 202;

export function messageRoutes(app: Routes, guards: Guards, messages: MessageService, definitions: readonly AnyProviderDefinition[]): void {
  // `to.tokens[]` takes the device fields the registered providers declare.
  const bodySchema = sendMessageSchema(definitions);
  app.post('/v1/messages', guards.server, async (req, res) => {
    const parsed = bodySchema.safeParse(req.body);
    if (!parsed.success) throw fromZodIssues(parsed.error.issues);
    const key = req.get('idempotency-key');
    const out = await messages.accept(principal(req).tenant, parsed.data, key === undefined ? undefined : { key, answerStatus: ACCEPTED });
    res.status(out.kind === 'accepted' ? ACCEPTED : out.answerStatus).json(out.body);
  });

  app.get('/v1/messages/:id', guards.server, async (req, res) => {
    const page = parseQuery(messageQuerySchema, req.query);
    res.json(await messages.status(principal(req).tenant, String(req.params.id), page));
  });
}
