/**
 * The message as stored (messages.payload, JSON): what every adapter sees, plus the overrides parsed
 * at accept, keyed by provider id. The dispatcher hands each adapter only its own slice.
 */
import type { AnyProviderDefinition, OutgoingMessage } from '../../providers/types.js';

export interface StoredPayload extends Omit<OutgoingMessage, 'id' | 'createdAt'> {
  /** `options.overrides[<id>]` after that provider's `overridesSchema`; absent when the sender gave none. */
  overrides?: Record<string, unknown> | undefined;
}

/** A stored message, read back: the message and each provider's overrides slice. */
export interface StoredMessage {
  message: OutgoingMessage;
  /** Provider id → the slice to hand that provider's adapter, or why it cannot be used. */
  overridesOf(def: Pick<AnyProviderDefinition, 'id' | 'overridesSchema'>): { ok: true; value: unknown } | { ok: false; error: string };
}

/**
 * Read a stored payload. Messages accepted by 0.1 kept the raw `options.overrides` map inside
 * `options` (validated, not parsed): its slice is parsed here, the first time a provider asks, with
 * that provider's schema, so the adapter gets the same typed value as for a new message. A slice that
 * no longer parses (the schema got stricter since) is reported, and the dispatcher rejects those
 * deliveries rather than sending a body the vendor was never meant to get.
 */
export function readStoredMessage(id: string, createdAt: number, json: string): StoredMessage {
  const stored = JSON.parse(json) as StoredPayload & { options: OutgoingMessage['options'] & { overrides?: Record<string, unknown> } };
  const { overrides: legacy, ...options } = stored.options;
  const message: OutgoingMessage = { id, createdAt, notification: stored.notification, data: stored.data, options };
  const parsed = new Map<string, { ok: true; value: unknown } | { ok: false; error: string }>();
  return {
    message,
    overridesOf(def) {
      if (stored.overrides) return { ok: true, value: stored.overrides[def.id] };
      let slice = parsed.get(def.id);
      if (!slice) {
        const raw = legacy?.[def.id];
        if (raw === undefined || !def.overridesSchema) slice = { ok: true, value: undefined };
        else {
          const r = def.overridesSchema.safeParse(raw);
          slice = r.success ? { ok: true, value: r.data } : { ok: false, error: `options.overrides.${def.id} no longer validates: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
        }
        parsed.set(def.id, slice);
      }
      return slice;
    },
  };
}
