/**
 * Device extras: the fields a provider needs besides the token (APNs: `apns`), declared by its
 * `deviceFieldsSchema`. The core validates them at registration and for raw tokens, and the store
 * keeps the output as one opaque JSON value, so no layer here names a vendor's field.
 */
import { z } from 'zod';
import type { AnyProviderDefinition } from '../../providers/types.js';
import { invalidFields } from './errors.js';
import type { DeviceExtras } from '../store/types.js';

/** Per schema: its keys, and whether an input with none of its fields parses to no extras (schemas are pure). */
const keysOf = new WeakMap<object, string[]>();
const emptyIsNone = new WeakMap<object, boolean>();

/** The keys of one provider's `deviceFieldsSchema` (a z.object), or none: the extra fields it takes. Shared: do not modify. */
export function deviceFieldKeys(def: Pick<AnyProviderDefinition, 'deviceFieldsSchema'>): readonly string[] {
  const schema = def.deviceFieldsSchema;
  if (!(schema instanceof z.ZodObject)) return [];
  let keys = keysOf.get(schema);
  if (!keys) keysOf.set(schema, (keys = Object.keys(schema.shape)));
  return keys;
}

/**
 * Parse the provider's extra fields present in `input` (other keys are ignored: the caller refuses
 * them first). Null when the provider declares none or the output holds nothing, so a device without
 * extras reads the same whatever the provider. A bad field is a 400 naming it under `at`.
 */
export function parseDeviceExtras(def: Pick<AnyProviderDefinition, 'deviceFieldsSchema'>, input: Record<string, unknown>, at?: string): DeviceExtras | null {
  const schema = def.deviceFieldsSchema;
  if (!schema) return null;
  let picked: Record<string, unknown> | undefined;
  for (const k of deviceFieldKeys(def)) if (input[k] !== undefined) (picked ??= {})[k] = input[k];
  // Raw APNs tokens without fields (every target of a large send): `{}` is parsed once per schema, not per token.
  if (!picked && emptyIsNone.get(schema) === true) return null;
  const parsed = schema.safeParse(picked ?? {});
  if (!parsed.success) throw invalidFields(parsed.error.issues, at);
  const out = parsed.data;
  let extras: DeviceExtras | null = null;
  if (out && typeof out === 'object' && !Array.isArray(out)) {
    const kept = Object.entries(out).filter(([, v]) => v !== undefined);
    if (kept.length) extras = Object.fromEntries(kept);
  }
  if (!picked) emptyIsNone.set(schema, extras === null);
  return extras;
}
