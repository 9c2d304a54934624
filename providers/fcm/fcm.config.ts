/**
 * One tenant's FCM settings (docs/vendors/fcm.md#authentication). `rateLimit` is stripped by the core before
 * this schema runs.
 *
 * ```yaml
 * fcm:
 *   credential: { serviceAccountFile: /etc/pushgate/acme-firebase.json }  # or { serviceAccount: ${FCM_SA_JSON} } or { applicationDefault: true }
 *   projectId: acme-prod            # default: the service account's project_id
 *   channels: { im: chat, marketing: promo }   # category → Android notification channel_id
 * ```
 */
import { z } from 'zod';
import { categoryMapSchema } from '../categories.js';
import { caSchema, readConfigFile } from '../shared/config-files.js';
import { FCM_DEFAULT_ENDPOINT, type ServiceAccountJson } from './fcm.wire.js';

/**
 * A service-account key as Google's console downloads it (snake_case). firebase-admin's camelCase
 * `ServiceAccount` (projectId/clientEmail/privateKey) is accepted too and renamed. Loose, not
 * strict: the file is Google's, and new fields (e.g. `universe_domain`) must not break start-up.
 */
const serviceAccountObject = z.preprocess(
  (v) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = { ...(v as Record<string, unknown>) };
    for (const [camel, snake] of [['projectId', 'project_id'], ['clientEmail', 'client_email'], ['privateKey', 'private_key']] as const) {
      if (o[snake] === undefined && o[camel] !== undefined) o[snake] = o[camel];
      delete o[camel];
    }
    return o;
  },
  z.looseObject({
    type: z.literal('service_account').optional(),
    project_id: z.string().min(1, 'project_id is the Firebase/Google Cloud project id'),
    client_email: z.email('client_email must be the service account e-mail (…@….iam.gserviceaccount.com)'),
    private_key: z.string().includes('PRIVATE KEY', { message: 'private_key must be the PEM private key of the service account' }),
    private_key_id: z.string().optional(),
  }),
);

/** The JSON text of a key file (e.g. `${FCM_SERVICE_ACCOUNT}`), or the parsed object. */
const serviceAccountSchema = z.union([
  serviceAccountObject,
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'serviceAccount must be the service-account JSON (object or JSON text)' });
        return z.NEVER;
      }
    })
    .pipe(serviceAccountObject),
]);

/**
 * The key file must exist and hold a service account now: firebase-admin reads it only when the
 * adapter is built, and a missing file there would stop start-up with a stack trace.
 */
const serviceAccountFile = z
  .string()
  .min(1)
  .superRefine((file, ctx) => {
    const read = readConfigFile(file);
    if ('problem' in read) return void ctx.addIssue({ code: 'custom', message: `${read.problem} (the service-account key file from the Firebase console)` });
    let json: unknown;
    try {
      json = JSON.parse(read.text);
    } catch {
      return void ctx.addIssue({ code: 'custom', message: `${file} is not JSON (expected the service-account key file from the Firebase console)` });
    }
    const sa = serviceAccountObject.safeParse(json);
    if (!sa.success) ctx.addIssue({ code: 'custom', message: `${file} is not a service-account key: ${sa.error.issues.map((i) => i.message).join('; ')}` });
  });

const credentialSchema = z.union([
  z.object({ serviceAccount: serviceAccountSchema }).strict(),
  /** Path to the key file; read by firebase-admin `cert(path)`. */
  z.object({ serviceAccountFile }).strict(),
  /** Google Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, GCE metadata). */
  z.object({ applicationDefault: z.literal(true) }).strict(),
]);

export const fcmConfigSchema = z
  .object({
    /**
     * Credentials for the OAuth 2.0 access token (firebase-admin `cert()` / `applicationDefault()`).
     * The access token is cached until 5 minutes before it expires.
     */
    credential: credentialSchema,
    /** Firebase project id (or number) in `/v1/projects/{projectId}/messages:send`. Default: the service account's project_id. */
    projectId: z
      .string()
      .regex(/^([a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20})$/, 'projectId must be a Google Cloud project id (6–30 of a-z, 0-9, -) or project number')
      .optional(),
    /** FCM base URL: production `https://fcm.googleapis.com` (there are no regional hosts), or a simulator/proxy. */
    endpoint: z.url({ protocol: /^https$/ }).default(FCM_DEFAULT_ENDPOINT),
    /**
     * `host:port` to dial instead of oauth2.googleapis.com for the OAuth exchange (a simulator or an
     * egress proxy that terminates TLS). The request keeps its Host header and path; TLS is
     * verified for the dialled host, against `ca` when given. Needs `serviceAccountFile` or
     * `applicationDefault` (see the refinement below).
     */
    oauthEndpoint: z
      .string()
      .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/, 'oauthEndpoint is host:port, e.g. 127.0.0.1:8443')
      .optional(),
    /**
     * CA that `endpoint` and `oauthEndpoint` are verified against instead of the system roots (TLS
     * simulators, egress proxies): PEM text, or the path of a PEM file (read at start-up).
     */
    ca: caSchema.optional(),
    /** Message category → Android notification `channel_id`; `default` for the rest. */
    channels: categoryMapSchema(z.string().min(1).max(200), { withDefault: true }).default({}),
    /** Per-stream timeout in milliseconds (firebase-admin uses 15000). */
    timeoutMs: z.number().int().positive().max(120_000).default(15_000),
    /**
     * Most streams in flight on the tenant's HTTP/2 session; the server's SETTINGS
     * `maxConcurrentStreams` lowers it (fcm.googleapis.com advertises 100). Extra sends queue.
     */
    maxConcurrentStreams: z.number().int().min(1).max(10_000).default(1000),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.oauthEndpoint && 'serviceAccount' in c.credential) {
      // firebase-admin 13 drops cert()'s http agent for an inline service account: populateGoogleAuth
      // calls auth.fromJSON(json) without the client options (lib/app/credential-internal.js:379-394;
      // firebase/firebase-admin-node#2960). The exchange would silently go to Google instead.
      ctx.addIssue({
        code: 'custom',
        path: ['oauthEndpoint'],
        message: 'oauthEndpoint works with credential.serviceAccountFile (firebase-admin ignores the agent for an inline serviceAccount, firebase-admin-node#2960)',
      });
    }
    if (c.projectId === undefined && 'applicationDefault' in c.credential) {
      ctx.addIssue({ code: 'custom', path: ['projectId'], message: 'projectId is required with applicationDefault credentials' });
    }
  });

export type FcmConfig = z.infer<typeof fcmConfigSchema>;
export type FcmCredentialConfig = FcmConfig['credential'];
export type FcmServiceAccount = ServiceAccountJson;
