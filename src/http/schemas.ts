/**
 * Request schemas (zod): the single source for validation and for /openapi.json. Objects are
 * strict, so a misspelt field is a 400 naming it, never silently ignored. Response schemas are in
 * responses.ts.
 */
import { z } from 'zod';
import { isMessageCategory, MESSAGE_CATEGORIES } from '../../providers/categories.js';
import type { AnyProviderDefinition } from '../../providers/types.js';
import { decodeCursor, type CursorList } from '../core/cursor.js';
import { DELIVERY_STATES, OUTBOX_STATES, type DeliveryState, type OutboxState } from '../store/types.js';

/** A user id or device id as the API takes it: opaque to pushgate. */
export const idSchema = z.string().min(1).max(128);
const id = idSchema;

/** The closed category list in the answer, with the lowercase spelling when that is all that is wrong (OPPO's `IM`). */
function unknownCategory(input: unknown): string {
  const lower = typeof input === 'string' ? input.trim().toLowerCase() : undefined;
  const hint = lower !== input && isMessageCategory(lower) ? `categories are lowercase: use "${lower}". ` : '';
  return `${hint}${JSON.stringify(input) ?? String(input)} is not a pushgate category; use one of ${MESSAGE_CATEGORIES.join(', ')}`;
}

export const MAX_TARGETS = 100_000;

/**
 * A raw token of `to.tokens`: provider, token, and the extra device fields the providers declare
 * (derived from their `deviceFieldsSchema`). Here each field is only typed loosely (an object when
 * every provider declaring it takes an object); which provider takes it, and its content, the core
 * checks with that provider's own schema, so the answer names the provider's rule.
 */
export function rawTokenSchema(defs: readonly AnyProviderDefinition[]) {
  const declared = new Map<string, { ids: string[]; objects: boolean }>();
  for (const def of defs) {
    if (!(def.deviceFieldsSchema instanceof z.ZodObject)) continue;
    for (const [key, field] of Object.entries(def.deviceFieldsSchema.shape as Record<string, z.ZodType>)) {
      const inner = field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType) : field;
      const seen = declared.get(key) ?? { ids: [], objects: true };
      declared.set(key, { ids: [...seen.ids, def.id], objects: seen.objects && inner instanceof z.ZodObject });
    }
  }
  const extras = Object.fromEntries(
    [...declared].map(([key, { ids, objects }]) => [
      key,
      (objects ? z.record(z.string(), z.unknown()) : z.unknown()).optional().meta({ description: `A device field of ${ids.join(', ')}, as at registration.` }),
    ]),
  );
  return z
    .object({
      provider: z.string(),
      token: z.string(),
      ...extras,
    })
    .strict();
}

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

/** The send body; `to.tokens[]` items take the extra device fields of `defs` (see rawTokenSchema). */
export function sendMessageSchema(defs: readonly AnyProviderDefinition[]) {
  return z
    .object({
      to: z
        .object({
          userIds: z.array(id).max(MAX_TARGETS).optional(),
          deviceIds: z.array(id).max(MAX_TARGETS).optional(),
          tokens: z.array(rawTokenSchema(defs)).max(MAX_TARGETS).optional(),
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
}

export type SendMessageBody = z.output<ReturnType<typeof sendMessageSchema>>;

export const deleteDeviceSchema = z.object({ provider: z.string(), token: z.string() }).strict();

/**
 * The registration body, one variant per provider: its token format and its extra device fields
 * (its `deviceFieldsSchema`). DeviceService checks the same schemas field by field so that it
 * can answer field_not_allowed / invalid_token; this union is what /openapi.json publishes.
 */
export function registerDeviceSchema(defs: readonly AnyProviderDefinition[]): z.ZodType {
  const variants = defs.map((def) =>
    z
      .object({
        provider: z.literal(def.id),
        token: def.tokenSchema.meta({ description: `The ${def.id} push token: the only device identifier pushgate stores.` }),
        userId: id.nullable().optional().meta({ description: 'Your opaque user id, to send by user later.' }),
        ...(def.deviceFieldsSchema instanceof z.ZodObject ? (def.deviceFieldsSchema.shape as z.ZodRawShape) : {}),
      })
      .strict(),
  );
  const [first, ...rest] = variants;
  if (!first) throw new Error('registerDeviceSchema needs at least one provider');
  return rest.length ? z.discriminatedUnion('provider', [first, ...rest]) : first;
}

export const listDevicesQuerySchema = z.object({ userId: id.meta({ description: 'The user whose devices to list.' }) }).strict();

export const messageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100).meta({ description: 'Deliveries per page.' }),
    cursor: z.string().max(128).optional().meta({ description: 'nextCursor from the previous page.' }),
  })
  .strict();

/** Receipt callbacks of vendors that do not sign carry the tenant's secret in the URL. */
export const receiptQuerySchema = z.object({ secret: z.string().optional().meta({ description: "The tenant's receiptSecret, for vendors that do not sign receipts." }) });

// ---- listings (GET /v1/messages, /v1/messages/{id}/deliveries, /v1/deliveries[/summary]) ----

const pageLimit = (what: string) => z.coerce.number().int().min(1).max(1000).default(100).meta({ description: `${what} per page, 1–1000.` });
const pageCursor = (list: CursorList) =>
  z
    .string()
    .max(512)
    .refine((c) => decodeCursor(list, c) !== null, { message: 'not a nextCursor of this list; pass nextCursor unchanged, or omit it for the first page' })
    .optional()
    .meta({ description: 'nextCursor from the previous page; omit for the first page.' });
const isoTime = (description: string) => z.iso.datetime({ offset: true }).optional().meta({ description: `${description} ISO 8601, e.g. 2026-11-30T12:00:00Z.` });
const providerFilter = (defs: readonly AnyProviderDefinition[]) =>
  z.enum(defs.map((d) => d.id) as [string, ...string[]]).optional().meta({ description: 'Only deliveries of this provider.' });
const errorCodeFilter = z.string().min(1).max(128).optional().meta({ description: 'Only deliveries whose lastError.code is this, e.g. invalid_token.' });
const vendorCodeFilter = z.string().min(1).max(128).optional().meta({ description: "Only deliveries whose lastError.vendorCode (the vendor's own code) is this, e.g. 80300008: one group of the summary." });

export const listMessagesQuerySchema = z
  .object({
    limit: pageLimit('Messages'),
    cursor: pageCursor('messages'),
    createdFrom: isoTime('Only messages created at or after this time.'),
    createdTo: isoTime('Only messages created before this time.'),
    status: z.enum(['in_progress', 'done']).optional().meta({ description: 'in_progress: some delivery still queued or sending; done: none.' }),
    category: z.enum(MESSAGE_CATEGORIES, { error: (iss) => unknownCategory(iss.input) }).optional().meta({ description: 'Only messages sent with this options.category.' }),
  })
  .strict()
  .refine((q) => !q.createdFrom || !q.createdTo || Date.parse(q.createdFrom) <= Date.parse(q.createdTo), { message: 'createdTo is before createdFrom', path: ['createdTo'] });

export const messageDeliveriesQuerySchema = (defs: readonly AnyProviderDefinition[]) =>
  z
    .object({
      limit: pageLimit('Deliveries'),
      cursor: pageCursor('deliveries'),
      state: z.enum(DELIVERY_STATES as [DeliveryState, ...DeliveryState[]]).optional().meta({ description: 'Only deliveries in this state.' }),
      provider: providerFilter(defs),
      errorCode: errorCodeFilter,
      vendorCode: vendorCodeFilter,
    })
    .strict();

export const deadLettersQuerySchema = (defs: readonly AnyProviderDefinition[]) =>
  z
    .object({
      limit: pageLimit('Deliveries'),
      cursor: pageCursor('dead-letters'),
      state: z.enum(['failed', 'expired']).optional().meta({ description: 'failed or expired; both when omitted.' }),
      since: isoTime('Only deliveries that failed or expired at or after this time.'),
      provider: providerFilter(defs),
      errorCode: errorCodeFilter,
      vendorCode: vendorCodeFilter,
    })
    .strict();

export const deliverySummaryQuerySchema = z
  .object({ since: isoTime('Count deliveries finished at or after this time; the last hour when omitted.') })
  .strict();

const extendTtl = z
  .number()
  .int()
  .min(1)
  .max(28 * 86_400)
  .optional()
  .meta({ description: 'Replay deliveries of expired messages too: the message then expires this many seconds from now (at most 28 days). Without it, a delivery whose message expired is skipped as ttl_passed.' });

/** POST /v1/messages/{id}/retry: all failed and expired deliveries of the message when empty. */
export const replayMessageSchema = (defs: readonly AnyProviderDefinition[]) =>
  z
    .object({
      providers: z.array(z.enum(defs.map((d) => d.id) as [string, ...string[]])).min(1).max(defs.length).optional().meta({ description: 'Only deliveries of these providers.' }),
      errorCodes: z.array(z.string().min(1).max(128)).min(1).max(50).optional().meta({ description: 'Only deliveries whose lastError.code is one of these, e.g. auth_error.' }),
      extendTtlSeconds: extendTtl,
    })
    .strict();

/** POST /v1/deliveries/retry: the dead-letter view's filters, at most `limit` deliveries per call. */
export const replayDeliveriesSchema = (defs: readonly AnyProviderDefinition[]) =>
  z
    .object({
      state: z.enum(['failed', 'expired']).optional().meta({ description: 'failed or expired; both when omitted.' }),
      since: isoTime('Only deliveries that failed or expired at or after this time.'),
      provider: providerFilter(defs),
      errorCode: errorCodeFilter,
      vendorCode: vendorCodeFilter,
      extendTtlSeconds: extendTtl,
      limit: z.number().int().min(1).max(10_000).optional().meta({ description: 'Deliveries examined by this call, most recently failed first; 10,000 (the most) when omitted.' }),
      cursor: z
        .string()
        .max(512)
        .refine((c) => decodeCursor('dead-letters', c) !== null, { message: 'not a nextCursor of this replay; pass nextCursor unchanged, or omit it to start from the most recent' })
        .optional()
        .meta({ description: 'nextCursor of the previous call (with the same filters): continue past the deliveries it examined.' }),
    })
    .strict();

// ---- lanes (GET /v1/lanes) ----

/** No parameters: a misspelt one (`?provider=`) is named in a 400 rather than silently ignored. */
export const lanesQuerySchema = z.object({}).strict();

// ---- webhooks (GET /v1/webhooks/deliveries, POST /v1/webhooks/deliveries/retry) ----

export const webhookDeliveriesQuerySchema = z
  .object({
    state: z.enum(OUTBOX_STATES as [OutboxState, ...OutboxState[]]).default('failed').meta({ description: 'pending (waiting or in flight), delivered or failed (given up after 24 h, or refused); failed when omitted.' }),
    limit: pageLimit('Events'),
    cursor: pageCursor('webhook-deliveries'),
  })
  .strict();

export const webhookRetrySchema = z
  .object({
    ids: z.array(z.string().min(1).max(128)).min(1).max(1000).optional().meta({ description: 'Event ids to send again; omitted: the oldest failed events of your tenant, at most 1000 per call.' }),
  })
  .strict();
