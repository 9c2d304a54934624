/**
 * One tenant's Xiaomi MiPush settings (docs/vendors/xiaomi.md). `rateLimit` is stripped by the core
 * before this schema runs.
 */
import { z } from 'zod';
import { categoryKeySchema, categoryMapSchema, type MessageCategory } from '../categories.js';
import { caSchema } from '../shared/config-files.js';
import { XIAOMI_REGION_HOSTS, type XiaomiRegion } from './xiaomi.wire.js';

const REGIONS = Object.keys(XIAOMI_REGION_HOSTS) as [XiaomiRegion, ...XiaomiRegion[]];

/**
 * Categories whose messages are Xiaomi "private" messages (私信: IM, account, orders,
 * reminders, subscriptions — communication and service types; docs/vendors/xiaomi.md#categories, pId=1656). Everything else,
 * and a message without a category, is "public" (公信) and counts against the daily quota.
 */
export const DEFAULT_PRIVATE_CATEGORIES = ['im', 'account', 'order', 'reminder', 'subscription'] as const satisfies readonly MessageCategory[];

export const xiaomiConfigSchema = z
  .object({
    /** The app's AppSecret, sent as `Authorization: key=<appSecret>` on every request (docs/vendors/xiaomi.md#authentication). */
    appSecret: z.string().min(1, 'appSecret is the AppSecret from the Xiaomi developer console'),
    /** Android package name, sent as `restricted_package_name`. */
    packageName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/, 'packageName must be an Android package name such as com.example.app'),
    /**
     * Where the devices registered (docs/vendors/xiaomi.md#endpoints): china → api.xmpush.xiaomi.com, russia → ru-api…,
     * india → idmb-api…, europe (EEA + UK) → fr-api…, singapore (all other regions) → sgp-api…,
     * global → the legacy api.xmpush.global.xiaomi.com. Default china.
     */
    region: z.enum(REGIONS).default('china'),
    /** Base URL overriding `region` (a simulator, a proxy, a backup host). */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * Message category → Xiaomi notification `channel_id` registered in the console under the
     * matching class (docs/vendors/xiaomi.md#categories), e.g. `{ im: "123", marketing: "456" }`. `default` is used for
     * categories without an entry; without any match no channel_id is sent (Xiaomi's unclassified
     * default channel: 1 message per device per day).
     */
    channels: categoryMapSchema(z.string().min(1).max(200), { withDefault: true }).default({}),
    /** Categories that are Xiaomi private messages (no quota); the rest are public. */
    privateCategories: z.array(categoryKeySchema).default([...DEFAULT_PRIVATE_CATEGORIES]),
    /** `notify_type`: -1 all defaults, else OR of 1 sound, 2 vibrate, 4 lights (docs/vendors/xiaomi.md#request). */
    notifyType: z.number().int().min(-1).max(7).default(-1),
    /** Extra CA (PEM) (or a PEM file's path) to trust, for a TLS simulator or proxy. */
    ca: caSchema.optional(),
    /** Per-request timeout in milliseconds. Default 15000. */
    timeoutMs: z.number().int().positive().max(120_000).default(15_000),
  })
  .strict();

export type XiaomiConfig = z.infer<typeof xiaomiConfigSchema>;

/** The base URL requests go to: `endpoint` when set, else the region's host. */
export function xiaomiBaseUrl(config: Pick<XiaomiConfig, 'endpoint' | 'region'>): string {
  return (config.endpoint ?? XIAOMI_REGION_HOSTS[config.region]).replace(/\/+$/, '');
}

/** Xiaomi's quota class for a category: 'private' (no quota) or 'public' (daily quota). */
export function xiaomiQuotaClassOf(category: string | undefined, config: Pick<XiaomiConfig, 'privateCategories'>): 'private' | 'public' {
  return category !== undefined && config.privateCategories.includes(category) ? 'private' : 'public';
}
