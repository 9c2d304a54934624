/**
 * Firebase Cloud Messaging, HTTP v1 (docs/vendors/fcm.md). Registered by one line in
 * providers/registry.ts.
 *
 * iOS devices reached through FCM register with `apns: {}` (or `{ topic }`) next to their FCM
 * token; that marks them iOS, so their messages also carry the `apns` block (priority, expiration,
 * collapse id, push type). The environment is Firebase's business (the APNs key uploaded to the
 * project), so it defaults to production and is not used.
 */
import { defineProvider } from '../types.js';
import { checkFcmMessage } from './fcm.limits.js';
import { fcmConfigSchema, type FcmConfig } from './fcm.config.js';
import { FcmProvider } from './fcm.provider.js';
import { fcmDeviceFieldsSchema, fcmOverridesSchema, type FcmDeviceExtras, type FcmOverrides } from './fcm.request.js';

export { fcmDeviceFieldsSchema } from './fcm.request.js';
import { fcmTokenSchema } from './fcm.token.js';
import { FCM_MAX_BATCH } from './fcm.wire.js';
import { FcmSimulator } from './simulator.js';
import { FCM_EXPLANATIONS } from './fcm.errors.js';

export type { FcmConfig } from './fcm.config.js';
export { FcmSimulator } from './simulator.js';
export { FcmProvider } from './fcm.provider.js';

export const fcmProvider = defineProvider<FcmConfig, FcmOverrides, FcmDeviceExtras>({
  id: 'fcm',
  configSchema: fcmConfigSchema,
  tokenSchema: fcmTokenSchema,
  deviceFieldsSchema: fcmDeviceFieldsSchema,
  overridesSchema: fcmOverridesSchema,
  limits: {
    // FCM's batch size (firebase-admin FCM_MAX_BATCH_SIZE); each token is its own HTTP/2 stream.
    maxTargetsPerRequest: FCM_MAX_BATCH,
    // 20 batches/s × 500 tokens = 10,000 messages/s, well under FCM's default 600,000/min project quota.
    defaultRate: { perSecond: 20, concurrency: 4 },
  },
  secretFields: ['serviceAccount', 'private_key', 'privateKey'],
  // FCM has no daily quota and no message classes: one quota class, QUOTA_EXCEEDED is per minute (rate_limited).
  checkMessage: (message, config, overrides) => checkFcmMessage(message, config, overrides),
  create: (config, deps) => new FcmProvider(config, deps),
  errors: FCM_EXPLANATIONS,
  async playground(ctx) {
    const simulator = await FcmSimulator.start({ projectId: 'pushgate-playground' });
    // The real OAuth exchange, against the simulator: the service-account file + oauthEndpoint + its CA.
    const config = fcmConfigSchema.parse({
      credential: { serviceAccountFile: simulator.serviceAccountFile() },
      projectId: simulator.projectId,
      endpoint: simulator.url,
      oauthEndpoint: simulator.oauthEndpoint,
      ca: simulator.caPem,
      channels: { im: 'pushgate-im', marketing: 'pushgate-marketing', default: 'pushgate-default' },
      ...(ctx?.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
    });
    return { simulator, config };
  },
});
