/**
 * Device extras: the fields a provider needs besides the token (APNs: `apns`), declared by its
 * `deviceFieldsSchema`. The core validates them at registration and for raw tokens, and the store
 * keeps the output as one opaque JSON value, so no layer here names a vendor's field.
 */
import { z } from 'zod';
import type { AnyProviderDefinition } from '../../providers/types.js';
import { invalidFields } from './errors.js';
import type { DeviceExtras } from '../store/types.js';

/** The keys of one provider's `deviceFieldsSchema` (a z.object), or none: the extra fields it takes. */
export function deviceFieldKeys(def: Pick<AnyProviderDefinition, 'deviceFieldsSchema'>): string[] {
  return def.deviceFieldsSchema instanceof z.ZodObject ? Object.keys(def.deviceFieldsSchema.shape) : [];
}

/**
 * Parse the provider's extra fields present in `input` (other keys are ignored: the caller refuses
 * them first). Null when the provider declares none or the output holds nothing, so a device without
 * extras reads the same whatever the provider. A bad field is a 400 naming it under `at`.
 */
export function parseDeviceExtras(def: Pick<AnyProviderDefinition, 'deviceFieldsSchema'>, input: Record<string, unknown>, at?: string): DeviceExtras | null {
  if (!def.deviceFieldsSchema) return null;
  const picked = Object.fromEntries(deviceFieldKeys(def).filter((k) => input[k] !== undefined).map((k) => [k, input[k]]));
  const parsed = def.deviceFieldsSchema.safeParse(picked);
  if (!parsed.success) throw invalidFields(parsed.error.issues, at);
  const out = parsed.data;
  if (!out || typeof out !== 'object' || Array.isArray(out)) return null;
  const kept = Object.entries(out).filter(([, v]) => v !== undefined);
  return kept.length ? Object.fromEntries(kept) : null;
}
