/**
 * Response schemas (zod): what each route answers, published in /openapi.json and used by the
 * tests to check real responses. Objects are strict in output, so a field a route starts to send
 * without documenting it fails test/api/openapi-client.test.ts.
 */
import { z } from 'zod';
import type { AnyProviderDefinition } from '../../providers/types.js';
import { DELIVERY_STATES, type DeliveryState } from '../store/types.js';
import { ERROR_CODES, type ErrorCode } from './errors.js';

const timestamp = z.iso.datetime().meta({ description: 'ISO 8601 time, UTC.' });
const count = z.number().int().min(0);
const deliveryState = z.enum(DELIVERY_STATES as [DeliveryState, ...DeliveryState[]]);

/**
 * A device as the API shows it. The extra fields a provider stores (its `deviceFieldsSchema` keys,
 * e.g. APNs `apns`) are top-level, as registered; the first provider to declare a field documents it.
 */
export function deviceSchema(defs: readonly AnyProviderDefinition[]) {
  const extras: Record<string, z.ZodType> = {};
  for (const def of defs) {
    if (!(def.deviceFieldsSchema instanceof z.ZodObject)) continue;
    for (const [key, field] of Object.entries(def.deviceFieldsSchema.shape as Record<string, z.ZodType>)) extras[key] ??= field.optional();
  }
  return z.object({
    id: z.string(),
    provider: z.string(),
    token: z.string().meta({ description: 'Masked: the first and last characters only.' }),
    userId: z.string().nullable(),
    ...extras,
    createdAt: timestamp,
    lastSeenAt: timestamp,
  });
}

export const deviceListSchema = (defs: readonly AnyProviderDefinition[]) => z.object({ devices: z.array(deviceSchema(defs)) });

export const userExportSchema = (defs: readonly AnyProviderDefinition[]) =>
  z.object({
    userId: z.string(),
    devices: z.array(deviceSchema(defs)),
    deliveries: z.array(
      z.object({ id: z.string(), messageId: z.string(), provider: z.string(), deviceId: z.string().nullable(), state: deliveryState, attempts: count, updatedAt: timestamp }),
    ),
  });

export const userErasureSchema = z.object({ userId: z.string(), removed: z.object({ devices: count, deliveries: count }) });

/** Why a target got no delivery; loose because each reason names its own target (userId, deviceId, provider…). */
const skippedTargetSchema = z.looseObject({
  reason: z.string().meta({ description: 'no_devices, not_found, provider_not_configured, …' }),
  userId: z.string().optional(),
  deviceId: z.string().optional(),
  provider: z.string().optional(),
  count: count.optional(),
});

export const messageAcceptedSchema = z.object({
  id: z.string(),
  status: z.literal('accepted'),
  targets: count.meta({ description: 'Deliveries created (one per device and provider).' }),
  skipped: z.array(skippedTargetSchema).optional(),
});

const deliveryErrorSchema = z.object({ code: z.string(), vendorCode: z.string().optional(), message: z.string() });

/** A recorded error in words (src/core/explanations.ts). */
const explanationSchema = z
  .object({
    meaning: z.string().min(1).meta({ description: 'What the error means.' }),
    action: z.string().min(1).meta({ description: 'What to do about it.' }),
    of: z.enum(['vendorCode', 'errorCode']).meta({ description: "Which was explained: the vendor's own code (from the vendor's documentation), or pushgate's normalized reason when the vendor code is unknown or absent." }),
  })
  .nullable()
  .meta({ description: 'The error in words; null when there is no error, or for a code pushgate has no explanation of.' });

export const messageStatusSchema = z.object({
  id: z.string(),
  createdAt: timestamp,
  status: z.enum(['in_progress', 'done']),
  counts: z.object(Object.fromEntries(DELIVERY_STATES.map((s) => [s, count])) as Record<DeliveryState, typeof count>),
  providers: z.record(z.string(), z.partialRecord(deliveryState, count)),
  deliveries: z.array(
    z.object({
      id: z.string(),
      provider: z.string(),
      deviceId: z.string().nullable(),
      token: z.string().meta({ description: 'Masked.' }),
      state: deliveryState,
      attempts: count,
      nextAttemptAt: timestamp.optional().meta({ description: 'Only while queued.' }),
      lastError: deliveryErrorSchema.nullable(),
      explanation: explanationSchema,
      vendorMessageId: z.string().nullable(),
      updatedAt: timestamp,
    }),
  ),
  nextCursor: z.string().nullable().meta({ description: 'Pass as ?cursor= for the next page; null on the last one.' }),
});

/** A delivery as the listings show it (its token masked); the dead-letter view and a message's deliveries. */
const listedDeliverySchema = z.object({
  id: z.string(),
  messageId: z.string(),
  provider: z.string(),
  deviceId: z.string().nullable(),
  token: z.string().meta({ description: 'Masked: the first and last characters only; "(unavailable)" once the user was erased.' }),
  state: deliveryState,
  attempts: count,
  nextAttemptAt: timestamp.optional().meta({ description: 'Only while queued.' }),
  lastError: deliveryErrorSchema.nullable(),
  explanation: explanationSchema,
  vendorMessageId: z.string().nullable(),
  updatedAt: timestamp.meta({ description: 'When the delivery last changed: for failed and expired ones, when it became so.' }),
});

const nextCursorSchema = z.string().nullable().meta({ description: 'Pass as ?cursor= (with the same filters) for the next page; null on the last one.' });

export const messageListSchema = z.object({
  messages: z.array(
    z.object({
      id: z.string(),
      createdAt: timestamp,
      category: z.string().nullable().meta({ description: 'options.category as sent; null when none was.' }),
      status: z.enum(['in_progress', 'done']),
      total: count.meta({ description: 'Deliveries of the message.' }),
      counts: z.object(Object.fromEntries(DELIVERY_STATES.map((s) => [s, count])) as Record<DeliveryState, typeof count>),
    }),
  ),
  nextCursor: nextCursorSchema,
});

export const deliveryListSchema = z.object({ deliveries: z.array(listedDeliverySchema), nextCursor: nextCursorSchema });

export const deliverySummarySchema = z.object({
  since: timestamp.meta({ description: 'The start of the window counted (to now).' }),
  counts: z.array(
    z.object({
      provider: z.string(),
      state: z.enum(['sent', 'delivered', 'failed', 'expired', 'canceled']),
      errorCode: z.string().nullable().meta({ description: 'lastError.code; null for deliveries that finished without an error.' }),
      vendorCode: z.string().nullable().meta({ description: "lastError.vendorCode: the vendor's own code; null when none was recorded." }),
      count: count,
      explanation: explanationSchema,
    }),
  ),
});

const replayCounts = {
  requeued: count.meta({ description: 'Failed or expired deliveries put back to queued: 0 attempts, due now, lastError kept until the next vendor answer.' }),
  skipped: z
    .object({
      invalid_token: count.meta({ description: 'The vendor said the token is invalid and the device was pruned.' }),
      device_removed: count.meta({ description: 'The device is gone (deleted, idle, or its user erased).' }),
      ttl_passed: count.meta({ description: "The message expired; send extendTtlSeconds to replay those too." }),
    })
    .meta({ description: 'Matched but left failed/expired, by reason.' }),
};

export const messageReplaySchema = z.object({ id: z.string(), ...replayCounts });

export const deliveriesReplaySchema = z.object({
  ...replayCounts,
  more: z.boolean().meta({ description: 'More failed/expired deliveries match than this call examined.' }),
  nextCursor: z.string().nullable().meta({ description: 'Pass as cursor (with the same filters) to continue; null when nothing more matches.' }),
});

export const messageCancelSchema = z.object({
  id: z.string(),
  canceled: count.meta({ description: 'Queued deliveries (or claimed, not yet handed to the vendor) now canceled: never sent.' }),
  in_flight: count.meta({ description: 'Handed to the vendor when the cancel came; they finish.' }),
  recalled: count.meta({ description: 'Sent deliveries the vendor took back (now canceled, lastError recalled).' }),
  not_recallable: count.meta({ description: 'Sent deliveries the vendor cannot take back.' }),
  recall_failed: count.meta({ description: 'Sent deliveries whose recall did not go through; DELETE again to retry.' }),
  already_final: count.meta({ description: 'Failed, expired or canceled before this call.' }),
});

export const webhookDeliveryListSchema = z.object({
  deliveries: z.array(
    z.object({
      id: z.string().meta({ description: 'The event id (also the Pushgate-Event-Id header and the body id).' }),
      event: z.enum(['message.completed', 'delivery.failed', 'delivery.delivered', 'device.pruned']),
      url: z.string(),
      state: z.enum(['pending', 'delivered', 'failed']),
      attempts: count,
      lastError: z.string().nullable().meta({ description: 'Why the last attempt failed (status or network error).' }),
      createdAt: timestamp,
      updatedAt: timestamp,
      nextAttemptAt: timestamp.optional().meta({ description: 'Only while pending.' }),
    }),
  ),
  nextCursor: nextCursorSchema,
});

export const webhookRetryReplySchema = z.object({ retried: count.meta({ description: 'Failed events put back to pending (sent again within a poll interval).' }) });

export const receiptReplySchema = z.record(z.string(), z.unknown()).meta({ description: 'The acknowledgement the vendor expects, e.g. {"errno":0,"errmsg":"success"} for Huawei, else {"ok":true}.' });

export const healthSchema = z.object({ status: z.literal('ok') });

const pauseView = { reason: z.string(), until: timestamp };

/** One lane as /readyz lists it: paused (store, shared by the cluster) or up/down (this instance's last exchange). */
export const laneViewSchema = z.object({
  tenant: z.string(),
  provider: z.string(),
  state: z.enum(['up', 'paused', 'down']),
  credentials: z.enum(['ok', 'failing']).meta({ description: 'As pushgate_provider_up: failing after the vendor refused the credentials, until a send works.' }),
  reason: pauseView.reason.optional(),
  until: pauseView.until.optional(),
  pausedClasses: z.array(z.object({ class: z.string(), ...pauseView })).optional(),
  lastError: z.string().optional(),
  failingSince: timestamp.optional(),
  lastSuccessAt: timestamp.nullable().optional(),
});
export type LaneView = z.infer<typeof laneViewSchema>;

export const readinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() })),
  lanes: z.array(laneViewSchema),
});

const quotaView = {
  remaining: count.nullable().meta({ description: "What is left of the vendor's daily quota; 0 once the vendor said it ran out." }),
  resetsAt: timestamp.nullable().meta({ description: "When the vendor's quota day ends (midnight Beijing time for the Chinese vendors)." }),
};

/** GET /v1/lanes: one entry per provider configured for the caller's tenant. */
export const laneListSchema = z.object({
  lanes: z.array(
    z.object({
      provider: z.string(),
      queued: count.meta({ description: 'Deliveries waiting (due now, or retrying later).' }),
      sending: count.meta({ description: 'Deliveries claimed by an instance and being sent.' }),
      oldestQueuedAt: timestamp.nullable().meta({ description: 'Creation time of the oldest delivery not finished (queued or sending), as pushgate_queue_oldest_age_seconds; null when none.' }),
      paused: z
        .object({ reason: z.string().meta({ description: 'rate_limited (the vendor throttled) or auth (the vendor refused the credentials).' }), until: timestamp.nullable() })
        .nullable()
        .meta({ description: 'A pause of the whole lane (shared by all instances); null when it flows. Quota pauses of one class are in pausedClasses.' }),
      pausedClasses: z
        .array(z.object({ class: z.string(), reason: z.string().meta({ description: 'quota:<class>' }), until: timestamp }))
        .meta({ description: 'Quota classes held until the vendor quota day ends; the lane’s other classes flow.' }),
      providerUp: z.boolean().meta({ description: "False when this instance's last exchange with the vendor got no verdict (unreachable, 5xx, timeout) or the credentials were refused. Per instance." }),
      credentials: z.enum(['ok', 'failing']).meta({ description: 'As pushgate_provider_up: failing after the vendor refused the credentials, until a send works. Per instance.' }),
      lastError: z.string().nullable().meta({ description: "Why this instance's last exchange failed; null after a success. Per instance." }),
      failingSince: timestamp.nullable().meta({ description: 'When the current run of failures began (this instance).' }),
      lastSuccessAt: timestamp.nullable().meta({ description: "This instance's last exchange with verdicts; null before the first." }),
      quota: z.object(quotaView).nullable().meta({ description: 'The most constrained quota class pushgate knows of; null where the vendor reports none.' }),
      quotaClasses: z.array(z.object({ class: z.string(), ...quotaView })).meta({ description: 'Every quota class pushgate knows of: exhausted ones (all instances) and vendor readings (this instance).' }),
      sentLastMinute: count.meta({ description: 'Deliveries the vendor took (sent, or delivered since) in the last 60 seconds, all instances.' }),
      rateLimit: z.object({ perSecond: z.number().positive(), concurrency: count }).meta({ description: 'The lane’s configured vendor requests per second and in flight.' }),
    }),
  ),
});

export const metricsSchema = z.string().meta({ description: 'Prometheus text exposition format.' });

export const openApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) });

/** The one error shape; with a status, `code` is narrowed to the codes ERROR_CODES gives that status. */
export function errorBodySchema(status?: number) {
  const codes = (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => status === undefined || ERROR_CODES[c] === status);
  if (!codes.length) throw new Error(`no error code has HTTP status ${status}`);
  return z.object({
    error: z.object({
      code: z.enum(codes as [ErrorCode, ...ErrorCode[]]),
      message: z.string().meta({ description: 'What is wrong and how to fix it.' }),
      details: z.array(z.looseObject({ field: z.string().optional(), message: z.string() })).optional(),
    }),
  });
}
