/**
 * OPPO Push (HeyTap) channel. Docs: https://open.oppomobile.com/new/developmentDoc/info?id=11236
 * (notification fields), ?id=11238 (unicast), ?id=11239 (receipts), ?id=13189 (categories);
 * wire facts in docs/vendors/oppo.md; set-up in README.md, "OPPO Push".
 */
import { defineProvider } from '../types.js';
import { checkOppoMessage } from './oppo.limits.js';
import { oppoConfigSchema, type OppoConfig } from './oppo.config.js';
import { OppoProvider } from './oppo.provider.js';
import { oppoReceipts } from './oppo.receipts.js';
import { OPPO_LIMITS, oppoOverridesSchema, oppoQuotaClass, type OppoOverrides } from './oppo.request.js';
import { oppoTokenSchema } from './oppo.token.js';
import { OPPO_DEMO, OppoSimulator } from './simulator.js';
import { OPPO_EXPLANATIONS } from './oppo.errors.js';

export type { OppoConfig } from './oppo.config.js';
export { OppoProvider } from './oppo.provider.js';
export { OppoSimulator } from './simulator.js';

export const oppoProvider = defineProvider<OppoConfig, OppoOverrides>({
  id: 'oppo',
  configSchema: oppoConfigSchema,
  tokenSchema: oppoTokenSchema,
  overridesSchema: oppoOverridesSchema,
  limits: {
    maxTargetsPerRequest: OPPO_LIMITS.batch,
    // OPPO's QPS ceiling is 5000–30000 by user count (UNVERIFIED tiers, docs/vendors/oppo.md#rate-limits-and-quotas); 50 batch requests/s is up to 50k targets/s.
    defaultRate: { perSecond: 50, concurrency: 8 },
  },
  secretFields: ['masterSecret'],
  /** 'service' (communication & service categories: unlimited once granted) or 'marketing' (daily caps). */
  quotaClassOf: (category) => oppoQuotaClass(category),
  checkMessage: (message, config, overrides) => checkOppoMessage(message, config, overrides),
  create: (config, deps) => new OppoProvider(config, deps),
  errors: OPPO_EXPLANATIONS,
  receipts: oppoReceipts,
  async playground(ctx) {
    const simulator = await OppoSimulator.start({ autoReceipts: true });
    return {
      simulator,
      config: { appKey: OPPO_DEMO.appKey, masterSecret: OPPO_DEMO.masterSecret, region: 'china', endpoint: simulator.url, ...(ctx?.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}) },
    };
  },
});
