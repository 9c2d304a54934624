/**
 * The whole configuration, one zod schema with defaults and units. Vendor sections are validated
 * by each provider's own `configSchema` (see load.ts), so this file names no vendor.
 */
import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../core/webhook-events.js';
import { webhookUrlProblem } from '../core/webhook-address.js';

/** Key ids are a counter (1, 2, 3…), never a date or a secret. */
export const MAX_KEY_ID = 65535;

const secretKey = z.string().refine(isKey32, '32 random bytes as hex (64 characters) or base64 (44 characters)');

const rateLimit = z
  .object({
    /** Vendor requests per second for this lane (sliding 1 s window). */
    perSecond: z.number().positive(),
    /** Vendor requests in flight at once for this lane. */
    concurrency: z.number().int().positive(),
  })
  .strict();

export const tenantSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, _ and -, at most 63 characters'),
    /** Keys that may do everything for this tenant. */
    serverKeys: z.array(z.string().min(16, 'API keys must be at least 16 characters')).min(1),
    /** Keys that may only register and unregister devices (shipped inside apps). */
    clientKeys: z.array(z.string().min(16, 'API keys must be at least 16 characters')).default([]),
    /** Pending deliveries (queued + sending) above which POST /v1/messages answers 429. */
    maxBacklog: z.coerce.number().int().positive().default(2_000_000),
    /** Secret placed in receipt callback URLs for vendors that do not sign their receipts. */
    receiptSecret: z.string().min(16).optional(),
    /** Provider id → that vendor's config (validated by the vendor's schema) plus optional rateLimit / simulator. */
    providers: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    /** Signed POSTs of events to the tenant's backend (README "Webhooks"). */
    webhooks: z
      .array(
        z
          .object({
            /** https; loopback/private addresses only with allowPrivateNetworks. */
            url: z.string().min(1),
            /** The events sent to this URL. */
            events: z.array(z.enum(WEBHOOK_EVENTS)).min(1),
            /** HMAC-SHA256 key of the Pushgate-Signature header. */
            secret: z.string().min(16, 'webhook secrets must be at least 16 characters'),
          })
          .strict(),
      )
      .default([]),
    /** Allow webhook URLs on loopback/private addresses (and plain http to them): tests, or a receiver in the same private network. */
    allowPrivateNetworks: z.boolean().default(false),
  })
  .strict()
  .superRefine((t, ctx) => {
    t.webhooks.forEach((w, i) => {
      const problem = webhookUrlProblem(w.url, t.allowPrivateNetworks);
      if (problem) ctx.addIssue({ code: 'custom', path: ['webhooks', i, 'url'], message: problem });
    });
  });

/** A size in express/bytes syntax (what limitBytes in src/http/request-errors.ts reads). */
const byteSize = (example: string) => z.string().regex(/^\d+(b|kb|mb)$/i, `a size such as ${example}`);

export const configSchema = z
  .object({
    server: z
      .object({
        // coerce: `${PORT}` interpolates to a string
        port: z.coerce.number().int().min(0).max(65535).default(8080),
        host: z.string().default('0.0.0.0'),
        /** Largest request body accepted, in express/bytes syntax (e.g. 64kb, 1mb). */
        bodyLimit: byteSize('64kb or 1mb').default('1mb'),
        /**
         * Request bodies read and held at once, in bytes of body (each is held until its answer):
         * a request beyond it waits its turn, never fails. One body larger than this goes alone.
         */
        bodyBudget: byteSize('16mb').default('16mb'),
        /** Public https base URL of this gateway; when set, vendors are told to post receipts to it. */
        publicBaseUrl: z.url().optional(),
        /** Seconds to finish in-flight work after SIGTERM. */
        shutdownGraceSeconds: z.number().positive().default(15),
        /**
         * Express's `trust proxy`: set it when a TLS-terminating proxy is in front, so the client
         * address (console sign-in limits) and https (the session cookie's Secure flag) are read
         * from X-Forwarded-For / X-Forwarded-Proto. true, a hop count, or addresses/subnets.
         */
        trustProxy: z.union([z.boolean(), z.number().int().min(0), z.string().min(1)]).default(false),
      })
      .strict()
      .prefault({}),
    store: z
      .discriminatedUnion('driver', [
        z.object({ driver: z.literal('sqlite'), path: z.string().default('./data/pushgate.db') }).strict(),
        z.object({ driver: z.literal('postgres'), url: z.string().min(1), poolSize: z.number().int().positive().default(10) }).strict(),
      ])
      .prefault({ driver: 'sqlite' }),
    queue: z
      .discriminatedUnion('driver', [
        z.object({ driver: z.literal('local') }).strict(),
        z.object({ driver: z.literal('redis'), url: z.string().min(1), prefix: z.string().default('pushgate') }).strict(),
      ])
      .prefault({ driver: 'local' }),
    security: z
      .object({
        /** One key, 32 random bytes as hex (64 chars) or base64 (44 chars): AES-256-GCM for tokens at rest. It is key id 1. */
        encryptionKey: secretKey.optional(),
        /**
         * The same, as a list for rotation: the first encrypts, every one decrypts (README,
         * "Rotating the encryption key"). Ids are positive integers, never reused for another secret.
         */
        encryptionKeys: z.array(z.object({ id: z.number().int('a whole number').min(1, 'at least 1').max(MAX_KEY_ID, `at most ${MAX_KEY_ID}`), key: secretKey }).strict()).min(1, 'list at least one key').optional(),
        /**
         * The HMAC key of the tokens' lookup hash (uniqueness and lookups). Default: the secret of
         * key id 1, which is what keyed it before rotation existed. It does not rotate with the
         * encryption keys; rotating it rewrites every stored lookup hash (README).
         */
        lookupKey: secretKey.optional(),
      })
      .strict()
      .superRefine((s, ctx) => {
        if (s.encryptionKey !== undefined && s.encryptionKeys !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['encryptionKeys'], message: 'set either encryptionKey (one key) or encryptionKeys (a list, for rotation), not both; encryptionKey is the same as encryptionKeys: [{ id: 1, key: … }]' });
          return;
        }
        if (s.encryptionKey === undefined && s.encryptionKeys === undefined) {
          ctx.addIssue({ code: 'custom', path: ['encryptionKey'], message: 'set encryptionKey (32 random bytes as hex or base64) or encryptionKeys (a list of { id, key }, the first encrypts); stored tokens are encrypted with it' });
          return;
        }
        const seen = new Set<number>();
        s.encryptionKeys?.forEach((k, i) => {
          if (seen.has(k.id)) ctx.addIssue({ code: 'custom', path: ['encryptionKeys', i, 'id'], message: `key id ${k.id} is listed twice; each key needs its own id (ciphertexts name the key by it)` });
          seen.add(k.id);
        });
        if (s.encryptionKeys && s.lookupKey === undefined && !seen.has(1)) {
          ctx.addIssue({
            code: 'custom',
            path: ['lookupKey'],
            message: 'required when no encryption key has id 1: the lookup hash of stored tokens is keyed by the secret of key 1 unless lookupKey is set, so set lookupKey to that secret before removing key 1 (README, "Rotating the encryption key")',
          });
        }
      }),
    retention: z
      .object({
        deviceIdleDays: z.number().positive().default(270),
        messageDays: z.number().positive().default(7),
        sweepIntervalMinutes: z.number().positive().default(60),
      })
      .strict()
      .prefault({}),
    dispatch: z
      .object({
        /** A claimed delivery whose process died is reclaimed after this many seconds. */
        leaseSeconds: z.number().positive().default(60),
        /** Attempts (vendor calls) before a retryable delivery is failed. */
        maxAttempts: z.number().int().positive().default(8),
        /** Full-jitter exponential backoff: random(0, min(maxMs, baseMs·2^attempt)). */
        backoffBaseMs: z.number().positive().default(1000),
        backoffMaxMs: z.number().positive().default(300_000),
        /** How often idle lanes look for due work, ms. */
        pollIntervalMs: z.number().int().positive().default(500),
      })
      .strict()
      .prefault({}),
    webhookDelivery: z
      .object({
        /** A claimed webhook event whose sender died is sent again after this many seconds. */
        leaseSeconds: z.number().positive().default(60),
        /** Events claimed per round (and POSTs in flight) per instance. */
        batch: z.number().int().positive().max(1000).default(32),
        /** How often an idle sender looks for due events, ms. */
        pollIntervalMs: z.number().int().positive().default(1000),
        /** One POST's timeout, ms. */
        timeoutMs: z.number().int().positive().default(10_000),
        /** Full-jitter backoff between attempts: random(0, min(maxMs, baseMs·2^attempt)). */
        backoffBaseMs: z.number().positive().default(1000),
        backoffMaxMs: z.number().positive().default(3_600_000),
        /** Retries stop this many hours after the event; it is then kept as failed (GET /v1/webhooks/deliveries?state=failed). */
        maxAgeHours: z.number().positive().default(24),
      })
      .strict()
      .prefault({}),
    console: z
      .object({
        /** Serve the web console at /console (sign-in with a server key). Off: /console is 404. */
        enabled: z.boolean().default(false),
        /** A console session ends after this many minutes without a request. */
        sessionTtlMinutes: z.number().int().positive().max(7 * 24 * 60).default(480),
        /** Sign-in attempts per client address per minute (per instance); more answer 429. */
        signInAttemptsPerMinute: z.number().int().positive().default(10),
      })
      .strict()
      .prefault({}),
    log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).strict().prefault({}),
    tenants: z.array(tenantSchema).min(1, 'configure at least one tenant'),
  })
  .strict();

export type Config = z.output<typeof configSchema>;
export type TenantConfig = z.output<typeof tenantSchema>;
export type RateLimit = z.output<typeof rateLimit>;
export const rateLimitSchema = rateLimit;

/** The token cipher's keys from `security`: the encrypting key first, and the lookup-hash secret. */
export function tokenKeys(security: Config['security']): { keys: Array<{ id: number; secret: Buffer }>; lookup: Buffer } {
  const keys = security.encryptionKeys?.map((k) => ({ id: k.id, secret: keyBytes(k.key) })) ?? (security.encryptionKey !== undefined ? [{ id: 1, secret: keyBytes(security.encryptionKey) }] : []);
  const lookup = security.lookupKey !== undefined ? keyBytes(security.lookupKey) : keys.find((k) => k.id === 1)?.secret;
  // The schema's refinement guarantees both; a hand-built config that skips it fails here.
  if (!keys.length || !lookup) throw new Error('security: an encryption key and the lookup-hash key are needed');
  return { keys, lookup };
}

function isKey32(v: string): boolean {
  if (/^[0-9a-fA-F]{64}$/.test(v)) return true;
  try {
    return Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(v);
  } catch {
    return false;
  }
}

export function keyBytes(v: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
}
