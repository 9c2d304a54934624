/**
 * One tenant's RongCloud credentials and data center.
 *
 * Hosts per data center (docs/vendors/rongcloud.md#endpoints; RC-go `sdk/rongcloud.go` REGION_*; RC-java
 * `CenterEnum.java`; https://docs.rongcloud.io/platform-chat-api/base-url). The official SDKs switch
 * to the backup host on network errors and HTTP 5xx; so does this adapter (rongcloud.provider.ts).
 */
import { z } from 'zod';
import { categoryMapSchema } from '../categories.js';
import { caSchema } from '../shared/config-files.js';

export const RONGCLOUD_REGIONS = {
  china: { primary: 'https://api.rong-api.com', backup: 'https://api-b.rong-api.com' },
  singapore: { primary: 'https://api.sg-light-api.com', backup: 'https://api-b.sg-light-api.com' },
  singapore_b: { primary: 'https://api.sg-b-light-api.com', backup: 'https://api-b.sg-b-light-api.com' },
  north_america: { primary: 'https://api.us-light-api.com', backup: 'https://api-b.us-light-api.com' },
  saudi_arabia: { primary: 'https://api.sau-light-api.com', backup: 'https://api-b.sau-light-api.com' },
} as const;

export type RongCloudRegion = keyof typeof RONGCLOUD_REGIONS;

const httpUrl = z.url({ protocol: /^https?$/ });

export const rongcloudConfigSchema = z
  .object({
    /** The App Key from the RongCloud console (sent as the `App-Key` header). */
    appKey: z.string().min(1),
    /** The App Secret (never sent: it only keys the request signature). */
    appSecret: z.string().min(1),
    /** Data center: picks the primary and backup hosts. Default china. */
    region: z.enum(['china', 'singapore', 'singapore_b', 'north_america', 'saudi_arabia']).default('china'),
    /** Explicit primary host (private cloud, simulator); wins over `region`. */
    endpoint: httpUrl.optional(),
    /**
     * Host tried once when the primary fails (transport error, HTTP 5xx, code 1000/1050). With an
     * explicit `endpoint` and no `backupEndpoint` there is no failover.
     */
    backupEndpoint: httpUrl.optional(),
    /**
     * Xiaomi notification channel per pushgate category (`{ im: "123", marketing: "456" }`), sent as
     * `notification.android.mi.channelId`: the channels registered in the Xiaomi console decide
     * private vs public messages (docs/vendors/xiaomi.md#categories).
     */
    miChannels: categoryMapSchema(z.string().min(1), { withDefault: true }).optional(),
    /** Per-request timeout in ms (the official SDKs use 10 s). */
    timeoutMs: z.number().int().positive().max(120_000).default(10_000),
    /** Extra CA (PEM) (or a PEM file's path) for a TLS endpoint signed by a private CA. */
    ca: caSchema.optional(),
  })
  .strict();

export type RongCloudConfig = z.output<typeof rongcloudConfigSchema>;

export interface RongCloudHosts {
  primary: string;
  backup?: string | undefined;
}

/** The hosts one tenant talks to: explicit endpoints first, else the region's pair. */
export function resolveHosts(config: Pick<RongCloudConfig, 'region' | 'endpoint' | 'backupEndpoint'>): RongCloudHosts {
  const strip = (u: string) => u.replace(/\/+$/, '');
  if (config.endpoint) {
    return { primary: strip(config.endpoint), backup: config.backupEndpoint ? strip(config.backupEndpoint) : undefined };
  }
  const region = RONGCLOUD_REGIONS[config.region];
  return { primary: region.primary, backup: strip(config.backupEndpoint ?? region.backup) };
}
