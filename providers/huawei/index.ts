/** Huawei Push Kit v1 (docs/vendors/huawei.md): the one value the registry lists for this vendor. */
import { defineProvider } from '../types.js';
import { checkHuaweiMessage } from './huawei.limits.js';
import { huaweiConfigSchema, type HuaweiConfig } from './huawei.config.js';
import { HuaweiProvider } from './huawei.provider.js';
import { huaweiReceipts } from './huawei.receipts.js';
import { huaweiOverridesSchema, huaweiQuotaClassOf, type HuaweiOverrides } from './huawei.request.js';
import { huaweiTokenSchema } from './huawei.token.js';
import { HUAWEI_MAX_TOKENS } from './huawei.wire.js';
import { HuaweiSimulator } from './simulator.js';
import { HUAWEI_EXPLANATIONS } from './huawei.errors.js';

export type { HuaweiConfig } from './huawei.config.js';
export { HuaweiProvider } from './huawei.provider.js';
export { HuaweiSimulator, type HuaweiSimulatorOptions } from './simulator.js';

export const huaweiProvider = defineProvider<HuaweiConfig, HuaweiOverrides>({
  id: 'huawei',
  configSchema: huaweiConfigSchema,
  tokenSchema: huaweiTokenSchema,
  overridesSchema: huaweiOverridesSchema,
  limits: {
    maxTargetsPerRequest: HUAWEI_MAX_TOKENS,
    // Huawei's QPS floor is far higher (≥6000/app, docs/vendors/huawei.md#rate-limits-and-quotas); 100 × 1000 tokens a
    // second is a polite default that tenants raise with rateLimit.
    defaultRate: { perSecond: 100, concurrency: 8 },
  },
  secretFields: ['clientSecret', 'callbackKey'],
  quotaClassOf: (category) => huaweiQuotaClassOf(category),
  checkMessage: (message, config, overrides) => checkHuaweiMessage(message, config, overrides),
  create: (config, deps) => new HuaweiProvider(config, deps),
  errors: HUAWEI_EXPLANATIONS,
  receipts: huaweiReceipts,
  async playground(ctx) {
    const callback = { callbackUserName: 'pushgate-playground', callbackKey: 'playground-callback-key' };
    // The receipt URL Huawei is given in AppGallery Connect; the simulator signs with the same key.
    const receipts = ctx?.receiptUrl ? { url: ctx.receiptUrl, ...callback } : undefined;
    const simulator = await HuaweiSimulator.start({ appId: '100000001', clientSecret: 'playground-secret', ...(receipts ? { receipts } : {}) });
    const config: HuaweiConfig = {
      appId: simulator.appId,
      clientSecret: simulator.clientSecret,
      endpoint: simulator.url,
      authEndpoint: simulator.url,
      ...callback,
      ...(ctx?.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
    };
    return { simulator, config };
  },
});
