/** Honor Push (docs/vendors/honor.md): the one value the registry lists for this vendor. */
import { defineProvider } from '../types.js';
import { honorConfigSchema, type HonorConfig } from './honor.config.js';
import { checkHonorMessage } from './honor.limits.js';
import { HonorProvider } from './honor.provider.js';
import { honorReceipts } from './honor.receipts.js';
import { honorOverridesSchema, honorQuotaClassOf, type HonorOverrides } from './honor.request.js';
import { honorTokenSchema } from './honor.token.js';
import { HONOR_MAX_TOKENS } from './honor.wire.js';
import { HonorSimulator } from './simulator.js';
import { HONOR_EXPLANATIONS } from './honor.errors.js';

export type { HonorConfig } from './honor.config.js';
export { HonorProvider } from './honor.provider.js';
export { HonorSimulator, type HonorSimulatorOptions } from './simulator.js';

export const honorProvider = defineProvider<HonorConfig, HonorOverrides>({
  id: 'honor',
  configSchema: honorConfigSchema,
  tokenSchema: honorTokenSchema,
  overridesSchema: honorOverridesSchema,
  limits: {
    maxTargetsPerRequest: HONOR_MAX_TOKENS,
    // Honor allows a fixed 3000 QPS per app (UNVERIFIED, docs/vendors/honor.md#rate-limits-and-quotas);
    // 100 requests of up to 1000 tokens a second is a polite default that tenants raise with rateLimit.
    defaultRate: { perSecond: 100, concurrency: 8 },
  },
  secretFields: ['clientSecret'],
  quotaClassOf: (category) => honorQuotaClassOf(category),
  checkMessage: (message, _config, overrides) => checkHonorMessage(message, overrides),
  create: (config, deps) => new HonorProvider(config, deps),
  errors: HONOR_EXPLANATIONS,
  receipts: honorReceipts,
  async playground(ctx) {
    // The receipt URL is set in Honor's console, not per message: the simulator is given it.
    const simulator = await HonorSimulator.start({ clientSecret: 'playground-secret', ...(ctx?.receiptUrl ? { receipts: { url: ctx.receiptUrl } } : {}) });
    const config = honorConfigSchema.parse({
      appId: simulator.appId,
      clientId: simulator.clientId,
      clientSecret: simulator.clientSecret,
      endpoint: simulator.url,
      authEndpoint: simulator.url,
      // Honor's quota code is UNVERIFIED; the simulator's is taught the way a tenant would teach a real one.
      codes: { [String(simulator.quotaCode)]: 'quota_exceeded' },
      ...(ctx?.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
    });
    return { simulator, config };
  },
});
