/**
 * One tenant's Huawei Push Kit credentials (docs/vendors/huawei.md#endpoints, #authentication, #receipts).
 * `rateLimit` is stripped by the core before this schema runs.
 */
import { z } from 'zod';
import { categoryMapSchema } from '../categories.js';
import { caSchema } from '../shared/config-files.js';

export const HUAWEI_DEFAULT_ENDPOINT = 'https://push-api.cloud.huawei.com';
export const HUAWEI_DEFAULT_AUTH_ENDPOINT = 'https://oauth-login.cloud.huawei.com';
/** Path of the OAuth token endpoint under `authEndpoint`. */
export const HUAWEI_TOKEN_PATH = '/oauth2/v3/token';

export const huaweiConfigSchema = z
  .strictObject({
    /** AppGallery Connect app id; it goes into the send path `/v1/{appId}/messages:send`. */
    appId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'the AppGallery Connect app id (digits, e.g. "100123456")'),
    /** OAuth 2.0 client id; for Push Kit v1 it is the app id, which is the default. */
    clientId: z.string().min(1).max(128).optional(),
    /** The app secret (OAuth client secret) from AppGallery Connect. */
    clientSecret: z.string().min(1),
    /**
     * Push host. Huawei publishes one global host; the data location follows the app's AGC
     * setting (whether a regional host exists is UNVERIFIED, docs/vendors/huawei.md#endpoints).
     */
    endpoint: z.url({ protocol: /^https?$/ }).default(HUAWEI_DEFAULT_ENDPOINT),
    /** OAuth host; the token path is `/oauth2/v3/token`. */
    authEndpoint: z.url({ protocol: /^https?$/ }).default(HUAWEI_DEFAULT_AUTH_ENDPOINT),
    /** Receipt configuration id from AGC, sent as `android.receipt_id` (else the default receipt config). */
    receiptId: z.string().min(1).max(128).optional(),
    /** Callback user name and key configured for receipts in AGC: both or neither (they sign receipts). */
    callbackUserName: z.string().min(1).optional(),
    callbackKey: z.string().min(1).optional(),
    /** Cross-vendor category → `android.notification.channel_id` (the app's Android notification channel). */
    channels: categoryMapSchema(z.string().min(1)).optional(),
    /** Extra CA (PEM) (or a PEM file's path) for a TLS simulator. */
    ca: caSchema.optional(),
    /** Per-request timeout in ms, for the token and the send requests (default 15000, like the other vendors). */
    timeoutMs: z.number().int().positive().max(120_000).optional(),
  })
  .refine((c) => (c.callbackUserName === undefined) === (c.callbackKey === undefined), {
    message: 'callbackUserName and callbackKey go together: Huawei signs receipts only when both are configured',
    path: ['callbackKey'],
  });

export type HuaweiConfig = z.output<typeof huaweiConfigSchema>;

/** The OAuth client id actually used: `clientId`, defaulting to `appId`. */
export function huaweiClientId(config: Pick<HuaweiConfig, 'appId' | 'clientId'>): string {
  return config.clientId ?? config.appId;
}
