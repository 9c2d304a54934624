/**
 * Request schemas (zod): the single source for validation and for /openapi.json. Objects are
 * strict, so a misspelt field is a 400 naming it, never silently ignored.
 */
import { z } from 'zod';
import { isMessageCategory, MESSAGE_CATEGORIES } from '../../providers/categories.js';

const id = z.string().min(1).max(128);

/** The closed category list in the answer, with the lowercase spelling when that is all that is wrong (OPPO's `IM`). */
function unknownCategory(input: unknown): string {
  const lower = typeof input === 'string' ? input.trim().toLowerCase() : undefined;
  const hint = lower !== input && isMessageCategory(lower) ? `categories are lowercase: use "${lower}". ` : '';
  return `${hint}${JSON.stringify(input) ?? String(input)} is not a pushgate category; use one of ${MESSAGE_CATEGORIES.join(', ')}`;
}
export const MAX_TARGETS = 100_000;

export const apnsInfoSchema = z
  .object({
    environment: z.enum(['production', 'sandbox']),
    topic: z.string().min(1).max(255).optional(),
  })
  .strict();

export const rawTokenSchema = z
  .object({
    provider: z.string(),
    token: z.string(),
    /** Checked against the provider's own device fields (APNs: environment; FCM: marks an iOS token). */
    apns: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const notificationSchema = z
  .object({
    title: z.string().min(1).max(256),
    body: z.string().max(4000),
    image: z.url().max(2048).optional(),
    sound: z.string().max(256).optional(),
    badge: z.number().int().min(0).max(99_999).optional(),
    clickAction: z
      .object({ type: z.enum(['app', 'url', 'intent']), value: z.string().max(2048).optional() })
      .strict()
      .refine((c) => c.type === 'app' || !!c.value, { message: 'clickAction.value is required for url and intent', path: ['value'] })
      .optional(),
  })
  .strict();

export const sendMessageSchema = z
  .object({
    to: z
      .object({
        userIds: z.array(id).max(MAX_TARGETS).optional(),
        deviceIds: z.array(id).max(MAX_TARGETS).optional(),
        tokens: z.array(rawTokenSchema).max(MAX_TARGETS).optional(),
      })
      .strict()
      .refine((t) => (t.userIds?.length ?? 0) + (t.deviceIds?.length ?? 0) + (t.tokens?.length ?? 0) > 0, {
        message: 'name at least one target in to.userIds, to.deviceIds or to.tokens',
      }),
    notification: notificationSchema.optional(),
    data: z.record(z.string().max(256), z.string({ error: 'data values must be strings (encode numbers and objects as strings)' })).optional(),
    options: z
      .object({
        category: z.enum(MESSAGE_CATEGORIES, { error: (iss) => unknownCategory(iss.input) }).optional(),
        priority: z.enum(['high', 'normal']).optional(),
        ttlSeconds: z.number().int().min(0).max(2_419_200).optional(),
        collapseKey: z.string().min(1).max(64).optional(),
        overrides: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type SendMessageBody = z.output<typeof sendMessageSchema>;

export const deleteDeviceSchema = z.object({ provider: z.string(), token: z.string() }).strict();
