/**
 * One tenant's OPPO Push credentials and settings (docs/vendors/oppo.md#endpoints, #authentication). `rateLimit` is stripped
 * by the core before this schema runs.
 */
import { z } from 'zod';
import { categoryMapSchema } from '../categories.js';
import { caSchema } from '../shared/config-files.js';
import { OPPO_HOSTS } from './oppo.wire.js';

export const oppoConfigSchema = z
  .object({
    /** AppKey from the OPPO push console (not the AppSecret; OPPO's server API never uses that). */
    appKey: z.string().min(1),
    /** MasterSecret: the server-side key that signs `/server/v1/auth`. Secret. */
    masterSecret: z.string().min(1),
    /**
     * `china` → https://api.push.oppomobile.com; `global` → https://api-intl.push.oppomobile.com
     * (overseas devices, regIds not prefixed CN_/OPPO_CN_). Ignored when `endpoint` is set.
     */
    region: z.enum(['china', 'global']).default('china'),
    /** Explicit base URL (a simulator, a proxy); wins over `region`. */
    endpoint: z.url().optional(),
    /** Extra CA (PEM) (or a PEM file's path) trusted for `endpoint` (TLS simulators, proxies). */
    ca: caSchema.optional(),
    /** Default Android notification channel (`channel_id`) for every message. */
    channelId: z.string().min(1).max(200).optional(),
    /** `channel_id` per pushgate category (`im`, `marketing`…); wins over `channelId`. */
    channels: categoryMapSchema(z.string().min(1).max(200)).optional(),
    /**
     * The `notify_level` for classified messages other than `im` (which is 16): 1 shade only,
     * 2 shade + lock screen (default), 16 banner + sound (honoured only for the communication &
     * service categories; content & marketing messages are capped at 2 because OPPO answers 67).
     */
    notifyLevel: z.union([z.literal(1), z.literal(2), z.literal(16)]).optional(),
    /** Per-request timeout in ms. */
    timeoutMs: z.number().int().positive().max(120_000).optional(),
  })
  .strict();

export type OppoConfig = z.infer<typeof oppoConfigSchema>;

/** The base URL the adapter talks to. */
export function oppoBaseUrl(config: Pick<OppoConfig, 'endpoint' | 'region'>): string {
  return (config.endpoint ?? OPPO_HOSTS[config.region]).replace(/\/+$/, '');
}
