/**
 * Xiaomi MiPush (docs/vendors/xiaomi.md). Registered by one line in providers/registry.ts.
 */
import { defineProvider } from '../types.js';
import { checkXiaomiMessage } from './xiaomi.limits.js';
import { xiaomiConfigSchema, xiaomiQuotaClassOf, type XiaomiConfig } from './xiaomi.config.js';
import { XiaomiProvider } from './xiaomi.provider.js';
import { xiaomiReceipts } from './xiaomi.receipts.js';
import { xiaomiOverridesSchema, type XiaomiOverrides } from './xiaomi.request.js';
import { xiaomiTokenSchema } from './xiaomi.token.js';
import { XIAOMI_MAX_REGIDS } from './xiaomi.wire.js';
import { XiaomiSimulator } from './simulator.js';
import { XIAOMI_EXPLANATIONS } from './xiaomi.errors.js';

export type { XiaomiConfig } from './xiaomi.config.js';
export { XiaomiSimulator } from './simulator.js';

/** Demo credentials and channels of the playground tenant (never a real app). */
const PLAYGROUND = {
  appSecret: 'playground-xiaomi-app-secret',
  packageName: 'dev.pushgate.demo',
  channels: { im: 'pushgate-im', order: 'pushgate-order', marketing: 'pushgate-marketing', default: 'pushgate-default' },
};

export const xiaomiProvider = defineProvider<XiaomiConfig, XiaomiOverrides>({
  id: 'xiaomi',
  configSchema: xiaomiConfigSchema,
  tokenSchema: xiaomiTokenSchema,
  overridesSchema: xiaomiOverridesSchema,
  limits: {
    maxTargetsPerRequest: XIAOMI_MAX_REGIDS,
    // Xiaomi's QPS is 500–3000 by app size (docs/vendors/xiaomi.md#rate-limits-and-quotas); 50 requests/s × 1000 regIds is plenty and safe.
    defaultRate: { perSecond: 50, concurrency: 8 },
  },
  secretFields: ['appSecret'],
  // Private messages have no quota; public ones share the daily quota (docs/vendors/xiaomi.md#rate-limits-and-quotas).
  quotaClassOf: (category, config) => xiaomiQuotaClassOf(category, config),
  // Quota days end at midnight Beijing time: the core's default reset zone (Asia/Shanghai).
  checkMessage: (message, config, overrides) => checkXiaomiMessage(message, config, overrides),
  create: (config, deps) => new XiaomiProvider(config, deps),
  errors: XIAOMI_EXPLANATIONS,
  receipts: xiaomiReceipts,
  async playground(ctx) {
    const simulator = await XiaomiSimulator.start({
      appSecret: PLAYGROUND.appSecret,
      packageName: PLAYGROUND.packageName,
      channels: Object.values(PLAYGROUND.channels),
      // Receipts to the callback URL each message carries, so playground messages turn `delivered`.
      autoReceipts: true,
    });
    const config = xiaomiConfigSchema.parse({ ...PLAYGROUND, endpoint: simulator.url, ...(ctx?.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}) });
    return { simulator, config };
  },
});
