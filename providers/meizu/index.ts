/**
 * Meizu Flyme Push (docs/vendors/meizu.md). Registered by one line in providers/registry.ts.
 */
import { defineProvider } from '../types.js';
import { meizuClassOf, meizuConfigSchema, type MeizuConfig } from './meizu.config.js';
import { checkMeizuMessage } from './meizu.limits.js';
import { MeizuProvider } from './meizu.provider.js';
import { meizuReceipts } from './meizu.receipts.js';
import { meizuOverridesSchema, type MeizuOverrides } from './meizu.request.js';
import { meizuTokenSchema } from './meizu.token.js';
import { MEIZU_MAX_PUSH_IDS } from './meizu.wire.js';
import { MeizuSimulator } from './simulator.js';
import { MEIZU_EXPLANATIONS } from './meizu.errors.js';

export type { MeizuConfig } from './meizu.config.js';
export { MeizuSimulator } from './simulator.js';

/** Demo credentials of the playground tenant (never a real app). */
const PLAYGROUND = { appId: '100999', appSecret: 'playground-meizu-app-secret' };

export const meizuProvider = defineProvider<MeizuConfig, MeizuOverrides>({
  id: 'meizu',
  configSchema: meizuConfigSchema,
  tokenSchema: meizuTokenSchema,
  overridesSchema: meizuOverridesSchema,
  limits: {
    maxTargetsPerRequest: MEIZU_MAX_PUSH_IDS,
    // Meizu's default is reportedly 200 QPS per app (UNVERIFIED, docs/vendors/meizu.md#rate-limits-and-quotas):
    // 50 requests/s × 100 pushIds stays well under it.
    defaultRate: { perSecond: 50, concurrency: 8 },
  },
  secretFields: ['appSecret', 'receiptAccessToken'],
  // Private messages are unlimited; public ones are capped per device per day (docs/vendors/meizu.md#categories).
  quotaClassOf: (category, config) => meizuClassOf(category, config),
  // Quota days end at midnight Beijing time: the core's default reset zone (Asia/Shanghai).
  checkMessage: (message, config, overrides) => checkMeizuMessage(message, config, overrides),
  create: (config, deps) => new MeizuProvider(config, deps),
  errors: MEIZU_EXPLANATIONS,
  receipts: meizuReceipts,
  async playground(ctx) {
    // Meizu takes the receipt URL from each message (`extra.callback`), so the simulator needs no receiptUrl.
    const simulator = await MeizuSimulator.start({ ...PLAYGROUND, autoReceipts: true });
    const config = meizuConfigSchema.parse({ ...PLAYGROUND, endpoint: simulator.url, ...(ctx?.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}) });
    return { simulator, config };
  },
});
