/**
 * One tenant's HarmonyOS NEXT Push Kit settings (docs/vendors/harmony.md#authentication, #endpoints, #receipts).
 * `rateLimit` is stripped by the core before this schema runs.
 *
 * ```yaml
 * harmony:
 *   serviceAccountFile: /etc/pushgate/harmony-service-account.json   # or serviceAccount: ${HARMONY_SA_JSON}
 *   # projectId: "388421841221******"   default: the key file's project_id
 *   # clientId: "1234567"               the app's client id: needed to recall (POST /v1/{clientId}/messages:revoke)
 * ```
 *
 * The key file is read and checked here, at start-up (a missing file or a key that is not an RSA
 * private key is one more line in the config report); the parsed config carries the key itself, so
 * the adapter never touches the file system.
 */
import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { caSchema, readConfigFile } from '../shared/config-files.js';
import { HARMONY_JWT_DEFAULT_LIFETIME_S, HARMONY_JWT_MAX_LIFETIME_S, type HarmonyServiceAccount } from './harmony.wire.js';

export const HARMONY_DEFAULT_ENDPOINT = 'https://push-api.cloud.huawei.com';

/** Why a PEM is not a usable RSA private key, or undefined when it is. */
function rsaKeyProblem(pem: string): string | undefined {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss' ? undefined : `private_key is a ${String(key.asymmetricKeyType)} key; PS256 needs RSA`;
  } catch {
    return 'private_key is not a readable PEM private key (PKCS#8, "-----BEGIN PRIVATE KEY-----")';
  }
}

/**
 * The key file as the console downloads it. Loose: the file is Huawei's, and fields pushgate does
 * not read (auth_uri, auth_provider_cert_uri, client_cert_uri…) must not break start-up.
 */
const serviceAccountObject = z
  .looseObject({
    project_id: z.string().min(1, 'project_id is the AppGallery Connect project id'),
    key_id: z.string().min(1, 'key_id is the JWT kid'),
    private_key: z.string().superRefine((pem, ctx) => {
      const problem = rsaKeyProblem(pem);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    sub_account: z.string().min(1, 'sub_account is the JWT iss'),
    token_uri: z.url().optional(),
  }, { error: 'serviceAccount must be the service-account key JSON (object or JSON text)' })
  .transform((sa) => sa as HarmonyServiceAccount);

/** Inline: the parsed object, or its JSON text (e.g. `${HARMONY_SA_JSON}`). */
const serviceAccountSchema = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v; // refused below as "not the key JSON"
  }
}, serviceAccountObject);

/** The key file named by `serviceAccountFile`, read and checked now. */
function readServiceAccountFile(file: string, ctx: z.RefinementCtx): HarmonyServiceAccount | undefined {
  const problem = (message: string) => void ctx.addIssue({ code: 'custom', path: ['serviceAccountFile'], message });
  const read = readConfigFile(file);
  if ('problem' in read) return problem(`${read.problem} (the service-account key file from the Huawei developer API console)`);
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch {
    return problem(`${file} is not JSON (expected the service-account key file from the Huawei developer API console)`);
  }
  const sa = serviceAccountObject.safeParse(json);
  if (!sa.success) return problem(`${file} is not a service-account key: ${sa.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return sa.data;
}

const harmonyInputSchema = z.strictObject({
  /** The service-account key (object or JSON text); or give `serviceAccountFile`. */
  serviceAccount: serviceAccountSchema.optional(),
  /** Path of the service-account key file, read at start-up. */
  serviceAccountFile: z.string().min(1).optional(),
  /** Project id in `/v3/{projectId}/messages:send`; default the key's `project_id`. */
  projectId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'the AppGallery Connect project id (digits)').optional(),
  /**
   * The app's client id, for recall only: revoke is `POST /v1/{clientId}/messages:revoke`, v1 and the
   * client id, not the project id (docs/vendors/harmony.md#recall). Without it, recall answers `failed`.
   */
  clientId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'the app client id from AppGallery Connect').optional(),
  /** Push host; Huawei publishes one global host. */
  endpoint: z.url({ protocol: /^https?$/ }).default(HARMONY_DEFAULT_ENDPOINT),
  /** JWT lifetime in seconds: Huawei recommends 3600 and refuses more than a day (80300036). */
  jwtLifetimeSeconds: z.int().min(60).max(HARMONY_JWT_MAX_LIFETIME_S).default(HARMONY_JWT_DEFAULT_LIFETIME_S),
  /** Receipt configuration id from AppGallery Connect (`pushOptions.receiptId`); else the default one. */
  receiptId: z.string().min(1).max(128).optional(),
  /** Callback user name and secret configured for receipts: both or neither (they sign receipts). */
  callbackUserName: z.string().min(1).optional(),
  callbackKey: z.string().min(1).optional(),
  /** Extra CA (PEM, or a PEM file's path) for a TLS simulator or proxy. */
  ca: caSchema.optional(),
  /** Per-request timeout in ms, for the send and revoke requests (default 15000, like the other vendors). */
  timeoutMs: z.number().int().positive().max(120_000).optional(),
});

export const harmonyConfigSchema = harmonyInputSchema
  .superRefine((c, ctx) => {
    if ((c.serviceAccount === undefined) === (c.serviceAccountFile === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['serviceAccount'], message: 'give exactly one of serviceAccount (the key JSON) and serviceAccountFile (its path)' });
    }
    if ((c.callbackUserName === undefined) !== (c.callbackKey === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['callbackKey'], message: 'callbackUserName and callbackKey go together: Huawei signs receipts only when both are configured' });
    }
  })
  .transform((c, ctx) => {
    const { serviceAccountFile, serviceAccount: inline, ...rest } = c;
    const serviceAccount = inline ?? (serviceAccountFile !== undefined ? readServiceAccountFile(serviceAccountFile, ctx) : undefined);
    if (!serviceAccount) return z.NEVER;
    return { ...rest, serviceAccount, projectId: c.projectId ?? serviceAccount.project_id };
  });

export type HarmonyConfig = z.output<typeof harmonyConfigSchema>;
