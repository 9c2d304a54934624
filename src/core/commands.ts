/**
 * What the routes hand the core: input already validated for shape (src/http/schemas.ts), typed.
 * What is provider-specific (token formats, device fields, overrides) the core checks itself,
 * against the provider's own schemas, and refuses with a DomainError.
 */
import type { NotificationContent, Priority } from '../../providers/types.js';

/** POST /v1/messages: one message to users, registered devices and raw tokens. */
export interface SendMessageBody {
  to: {
    userIds?: string[] | undefined;
    deviceIds?: string[] | undefined;
    /** Raw tokens, with the extra device fields a provider declares (checked against that provider's schema). */
    tokens?: Array<{ provider: string; token: string; [field: string]: unknown }> | undefined;
  };
  notification?: NotificationContent | undefined;
  data?: Record<string, string> | undefined;
  options?:
    | {
        category?: string | undefined;
        priority?: Priority | undefined;
        ttlSeconds?: number | undefined;
        collapseKey?: string | undefined;
        /** Per provider id; each section is checked against that provider's overrides schema. */
        overrides?: Record<string, Record<string, unknown>> | undefined;
      }
    | undefined;
}

/** POST /v1/devices: the provider, and every other field as sent (the provider decides which it takes). */
export interface RegisterDevice {
  provider: string;
  token: unknown;
  userId: unknown;
  /** Fields besides provider, token and userId: each must be one of the provider's device fields. */
  extras: Record<string, unknown>;
}

/** A page of a message's deliveries (GET /v1/messages/{id}). */
export interface DeliveryPage {
  limit: number;
  cursor?: string | undefined;
}
