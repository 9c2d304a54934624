/**
 * RongCloud (融云) channel: devices are the app's own RongCloud user ids; RongCloud reaches the user's
 * phones through the vendor tokens its client SDK registered (docs/vendors/rongcloud.md).
 *
 * Limits: `/push/user.json` takes ≤100 userIds and RongCloud allows 100 messages/s where one user is
 * one message (docs/vendors/rongcloud.md#request/#rate-limits-and-quotas), so the default lane is 1 request of 100 users per second, one in
 * flight. Tenants whose limit was raised by RongCloud support override `rateLimit`.
 *
 * No receipts: RongCloud documents no per-device delivery receipt for push/user (a paid "push status
 * callback" may exist; UNVERIFIED, docs/vendors/rongcloud.md#request/#receipts). No quota: none is documented for this API.
 */
import { defineProvider } from '../types.js';
import { checkRongCloudMessage } from './rongcloud.limits.js';
import { rongcloudConfigSchema, type RongCloudConfig } from './rongcloud.config.js';
import { RongCloudProvider } from './rongcloud.provider.js';
import { rongcloudOverridesSchema, type RongCloudOverrides } from './rongcloud.request.js';
import { rongcloudTokenSchema } from './rongcloud.token.js';
import { RC_MAX_USER_IDS } from './rongcloud.wire.js';
import { RongCloudSimulator, SIM_APP_KEY, SIM_APP_SECRET } from './simulator.js';
import { RONGCLOUD_EXPLANATIONS } from './rongcloud.errors.js';

export const rongcloudProvider = defineProvider<RongCloudConfig, RongCloudOverrides>({
  id: 'rongcloud',
  configSchema: rongcloudConfigSchema,
  tokenSchema: rongcloudTokenSchema,
  overridesSchema: rongcloudOverridesSchema,
  limits: {
    maxTargetsPerRequest: RC_MAX_USER_IDS,
    defaultRate: { perSecond: 1, concurrency: 1 },
  },
  secretFields: ['appSecret'],
  checkMessage: (message, config, overrides) => checkRongCloudMessage(message, config, overrides),
  create: (config, deps) => new RongCloudProvider(config, deps),
  errors: RONGCLOUD_EXPLANATIONS,
  // The playground runs a primary and a backup simulator (closed together), like a region's host pair.
  async playground(ctx) {
    const simulator = await RongCloudSimulator.start();
    const backup = await RongCloudSimulator.start();
    simulator.link(backup);
    const config = rongcloudConfigSchema.parse({
      appKey: SIM_APP_KEY,
      appSecret: SIM_APP_SECRET,
      endpoint: simulator.url,
      backupEndpoint: backup.url,
      ...(ctx?.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
    });
    return { simulator, config };
  },
});

export { RongCloudProvider } from './rongcloud.provider.js';
export { RongCloudSimulator } from './simulator.js';
export type { RongCloudConfig } from './rongcloud.config.js';
