/** HarmonyOS NEXT Push Kit v3 (docs/vendors/harmony.md): the one value the registry lists for this vendor. */
import { defineProvider } from '../types.js';
import { harmonyConfigSchema, type HarmonyConfig } from './harmony.config.js';
import { checkHarmonyMessage } from './harmony.limits.js';
import { HarmonyProvider } from './harmony.provider.js';
import { harmonyReceipts } from './harmony.receipts.js';
import { harmonyOverridesSchema, harmonyQuotaClassOf, type HarmonyOverrides } from './harmony.request.js';
import { harmonyTokenSchema } from './harmony.token.js';
import { HARMONY_MAX_TOKENS } from './harmony.wire.js';
import { HarmonySimulator } from './simulator.js';
import { HARMONY_EXPLANATIONS } from './harmony.errors.js';

export type { HarmonyConfig } from './harmony.config.js';
export { HarmonyProvider } from './harmony.provider.js';
export { HarmonySimulator, type HarmonySimulatorOptions } from './simulator.js';

export const harmonyProvider = defineProvider<HarmonyConfig, HarmonyOverrides>({
  id: 'harmony',
  configSchema: harmonyConfigSchema,
  tokenSchema: harmonyTokenSchema,
  overridesSchema: harmonyOverridesSchema,
  limits: {
    maxTargetsPerRequest: HARMONY_MAX_TOKENS,
    // The app's QPS grows with its monthly active users and shows in AppGallery Connect
    // (docs/vendors/harmony.md#rate-limits-and-quotas); 100 × 1000 tokens a second is a polite default.
    defaultRate: { perSecond: 100, concurrency: 8 },
  },
  secretFields: ['serviceAccount', 'private_key', 'callbackKey'],
  quotaClassOf: (category) => harmonyQuotaClassOf(category),
  checkMessage: (message, config, overrides) => checkHarmonyMessage(message, config, overrides),
  create: (config, deps) => new HarmonyProvider(config, deps),
  errors: HARMONY_EXPLANATIONS,
  receipts: harmonyReceipts,
  async playground(ctx) {
    const callback = { callbackUserName: 'pushgate-playground', callbackKey: 'playground-callback-key' };
    // The receipt URL is set in AppGallery Connect, not per message: the simulator is given it, and signs with the same secret.
    const simulator = await HarmonySimulator.start(ctx?.receiptUrl ? { receipts: { url: ctx.receiptUrl, ...callback } } : {});
    // The key file the simulator generated, inline: its public half is what the simulator verifies JWTs with.
    const config = harmonyConfigSchema.parse({
      serviceAccount: simulator.serviceAccount(),
      clientId: simulator.clientId,
      endpoint: simulator.url,
      ...callback,
      ...(ctx?.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
    });
    return { simulator, config };
  },
});
