/**
 * One tenant's APNs credentials and connection settings (docs/vendors/apns.md#authentication).
 *
 * ```yaml
 * apns:
 *   auth: { token: { key: ${APNS_P8}, keyId: ABC123DEFG, teamId: TEAM123456 } }
 *   # or auth: { cert: { cert: /etc/pushgate/apns.pem, key: /etc/pushgate/apns.key, passphrase: … } }
 *   topic: com.acme.app            # bundle id: apns-topic unless the device has its own
 *   production: true               # environment for raw tokens sent without `apns.environment`
 * ```
 */
import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { categoryMapSchema } from '../categories.js';
import { caSchema, pemFromValue, pemText } from '../shared/config-files.js';
import type { ApnsEnvironment } from './apns.wire.js';

/** Apple's hosts, port 443 (2197 is also accepted). */
export const APNS_HOSTS: Record<ApnsEnvironment, string> = {
  production: 'api.push.apple.com',
  sandbox: 'api.sandbox.push.apple.com',
};

/** Key ID and Team ID are 10-character identifiers from the Apple developer account. */
const APPLE_ID = /^[A-Z0-9]{10}$/;

/**
 * A PEM string, or the path of a file holding it, read and checked now (readable, holds PEM): a missing file is a
 * configuration problem reported with the others, and the adapter always gets the PEM text.
 */
const pemOrPath = (check?: (pem: string) => string | undefined) =>
  z
    .string()
    .min(1)
    .superRefine((v, ctx) => void pemFromValue(v, ctx, check))
    // Checked above, so this only reads a path the check just read (a refinement keeps the union's report naming the field).
    .transform((v) => pemText(v));

const tokenAuth = z
  .object({
    token: z
      .object({
        /** The .p8 signing key: its PEM contents (`-----BEGIN PRIVATE KEY-----`) or a file path. */
        key: pemOrPath((pem) => (isEcKey(pem) ? undefined : 'not a P-256 private key (the .p8 file from the Apple developer account)')),
        keyId: z.string().regex(APPLE_ID, 'auth.token.keyId is the 10-character Key ID (A-Z, 0-9) of the .p8 key'),
        teamId: z.string().regex(APPLE_ID, 'auth.token.teamId is the 10-character Team ID (A-Z, 0-9)'),
      })
      .strict(),
  })
  .strict();

const certAuth = z
  .object({
    cert: z
      .object({
        /** The APNs client certificate (PEM contents or file path). */
        cert: pemOrPath(),
        /** Its private key (PEM contents or file path). */
        key: pemOrPath(),
        passphrase: z.string().min(1).optional(),
      })
      .strict(),
  })
  .strict();

function isEcKey(pem: string): boolean {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    return false;
  }
}

export const apnsConfigSchema = z
  .object({
    /** Token (.p8 JWT, recommended) or certificate authentication. */
    auth: z.union([tokenAuth, certAuth], {
      error: 'auth is { token: { key, keyId, teamId } } or { cert: { cert, key, passphrase? } }',
    }),
    /** Default `apns-topic`: the app's bundle id. A device's `apns.topic` takes precedence. */
    topic: z.string().min(1).max(255),
    /** Environment for raw tokens sent without `apns.environment`. @default true (production) */
    production: z.boolean().default(true),
    /**
     * Connect here instead of Apple's host, for both environments (like `curl --connect-to`): the
     * TLS name and `:authority` stay `api[.sandbox].push.apple.com`, so one simulator port serves
     * both environments. For simulators and tests.
     */
    address: z.string().min(1).optional(),
    /** Port for both environments. @default 443 */
    port: z.number().int().min(1).max(65535).optional(),
    /** Extra trusted CA for a TLS simulator or proxy: PEM text or the path of a PEM file (read at start-up). */
    ca: caSchema.optional(),
    /**
     * Our ceiling on streams in flight on one HTTP/2 session (one per environment), shared by the lane's concurrent
     * batches; the server's SETTINGS limit applies below it (docs/vendors/apns.md#transport). @default 1000
     */
    maxStreamsPerSession: z.number().int().min(1).max(5000).default(1000),
    /**
     * No longer used (it was @parse/node-apn's immediate-retry count; pushgate's dispatcher retries with backoff).
     * Still accepted so configurations written for 0.2 load unchanged.
     * @deprecated
     */
    connectionRetryLimit: z.number().int().min(0).max(3).optional(),
    /** Per-stream answer timeout in ms (also the connect timeout). @default 5000 */
    requestTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
    /** `options.category` → `aps.interruption-level`, e.g. `{ marketing: passive, account: time-sensitive }`. */
    interruptionLevels: categoryMapSchema(z.enum(['passive', 'active', 'time-sensitive', 'critical'])).optional(),
  })
  .strict();

export type ApnsConfig = z.output<typeof apnsConfigSchema>;
export type ApnsConfigInput = z.input<typeof apnsConfigSchema>;

/** The environment a target goes to: the device's own, else the tenant's default. */
export function defaultEnvironment(config: Pick<ApnsConfig, 'production'>): ApnsEnvironment {
  return config.production ? 'production' : 'sandbox';
}
