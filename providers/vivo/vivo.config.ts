/**
 * One tenant's vivo Push credentials and options (docs/vendors/vivo.md#endpoints, #request). `rateLimit` is stripped by the core.
 */
import { z } from 'zod';
import { categoryMapSchema } from '../categories.js';
import { caSchema } from '../shared/config-files.js';
import { VIVO_CATEGORIES, VIVO_DEFAULT_ENDPOINT } from './vivo.wire.js';

export const vivoConfigSchema = z
  .object({
    /** The app's AppID from the vivo push console (numeric in practice; a number in YAML is accepted). */
    appId: z
      .union([z.string().trim().min(1).max(64), z.number().int().positive()])
      .transform((v) => String(v)),
    appKey: z.string().trim().min(1),
    appSecret: z.string().trim().min(1),
    /** https://api-push.vivo.com.cn is the only documented host (no overseas host is documented, UNVERIFIED). */
    endpoint: z.url().default(VIVO_DEFAULT_ENDPOINT),
    /** 0 formal (default), 1 test: only to the test devices entered in the vivo console; receipts only for formal. */
    pushMode: z.union([z.literal(0), z.literal(1)]).default(0),
    /**
     * Receipt id of a receipt address registered in the vivo console ("APP回执地址"), sent as `extra["callback.id"]`;
     * when set it wins over the per-message callback URL and works for list pushes too.
     */
    callbackId: z.string().trim().min(1).max(64).optional(),
    /** pushgate category → vivo second-level category, overriding the built-in table (keys are pushgate categories). */
    categories: categoryMapSchema(z.enum(VIVO_CATEGORIES)).optional(),
    /** Per-request timeout in ms (default 15000). */
    timeoutMs: z.number().int().min(100).max(120_000).optional(),
    /** Extra CA (PEM) (or a PEM file's path) for a TLS simulator or proxy. */
    ca: caSchema.optional(),
  })
  .strict();

export type VivoConfig = z.output<typeof vivoConfigSchema>;

export const vivoSecretFields = ['appKey', 'appSecret'] as const;
