/**
 * One tenant's Honor Push credentials and hosts (docs/vendors/honor.md#endpoints, #authentication).
 * `rateLimit` is stripped by the core before this schema runs.
 */
import { z } from 'zod';
import { caSchema } from '../shared/config-files.js';
import { OUTCOMES, type Outcome } from '../types.js';

/**
 * Both `honor.com` and `hihonor.com` hosts appear in Honor's own guide mirrors; which is canonical is
 * UNVERIFIED. Honor moved its developer site to `developer.honor.com`, so that spelling is the
 * default and `endpoint`/`authEndpoint` take the other (docs/vendors/honor.md#endpoints).
 */
export const HONOR_DEFAULT_ENDPOINT = 'https://push-api.cloud.honor.com';
export const HONOR_DEFAULT_AUTH_ENDPOINT = 'https://iam.developer.honor.com';
/** Several SDKs use `/auth/token`; Honor's 2023 guide shows the Keycloak path. Both are accepted in config. */
export const HONOR_DEFAULT_TOKEN_PATH = '/auth/token';
export const HONOR_KEYCLOAK_TOKEN_PATH = '/auth/realms/developer/protocol/openid-connect/token';
/** `{appId}` is replaced by the (URL-encoded) app id. */
export const HONOR_DEFAULT_SEND_PATH = '/api/v1/{appId}/sendMessage';

const path = z.string().regex(/^\/[A-Za-z0-9_.~/{}:-]*$/, 'a path starting with "/"');

export const honorConfigSchema = z.strictObject({
  /** App ID from the Honor console; it goes into the send path. */
  appId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'the Honor console App ID (digits, e.g. "104436234")'),
  /** OAuth Client ID (not the App ID: Honor's console shows both). */
  clientId: z.string().min(1).max(128),
  /** OAuth Client Secret (not the App Secret, which the server API does not use). */
  clientSecret: z.string().min(1),
  /** Push host. */
  endpoint: z.url({ protocol: /^https?$/ }).default(HONOR_DEFAULT_ENDPOINT),
  /** OAuth host. */
  authEndpoint: z.url({ protocol: /^https?$/ }).default(HONOR_DEFAULT_AUTH_ENDPOINT),
  /** Token path under `authEndpoint` (`/auth/token` or the Keycloak path). */
  tokenPath: path.default(HONOR_DEFAULT_TOKEN_PATH),
  /** Send path under `endpoint`; must contain `{appId}`. */
  sendPath: path.refine((p) => p.includes('{appId}'), 'the send path must contain {appId}').default(HONOR_DEFAULT_SEND_PATH),
  /**
   * Honor's answer codes are UNVERIFIED (its code table was not public when this was written):
   * map a code you see in `vendorCode` to an outcome here, e.g. `{ "80300007": invalid_token }`,
   * without waiting for a release. An unmapped unknown code is retried, never pruned.
   */
  codes: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'a vendor code'), z.enum(OUTCOMES as [Outcome, ...Outcome[]])).optional(),
  /** Extra CA (PEM) (or a PEM file's path) for a TLS simulator. */
  ca: caSchema.optional(),
  /** Per-request timeout in ms, for the token and the send requests (default 15000, like the other vendors). */
  timeoutMs: z.number().int().positive().max(120_000).optional(),
});

export type HonorConfig = z.output<typeof honorConfigSchema>;
