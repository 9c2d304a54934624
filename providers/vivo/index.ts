/**
 * vivo Push (docs/vendors/vivo.md). One registry line: `vivoProvider`.
 */
import { defineProvider } from '../types.js';
import { checkVivoMessage } from './vivo.limits.js';
import { vivoConfigSchema, vivoSecretFields, type VivoConfig } from './vivo.config.js';
import { VivoProvider, VIVO_QUOTA_TIME_ZONE } from './vivo.provider.js';
import { vivoReceipts } from './vivo.receipts.js';
import { vivoOverridesSchema, vivoQuotaClass, type VivoOverrides } from './vivo.request.js';
import { vivoTokenSchema } from './vivo.token.js';
import { VivoSimulator } from './simulator.js';
import { VIVO_EXPLANATIONS } from './vivo.errors.js';

export type { VivoConfig } from './vivo.config.js';
export { VivoProvider } from './vivo.provider.js';
export { VivoSimulator, startVivoSimulator } from './simulator.js';

export const vivoProvider = defineProvider<VivoConfig, VivoOverrides>({
  id: 'vivo',
  configSchema: vivoConfigSchema,
  tokenSchema: vivoTokenSchema,
  overridesSchema: vivoOverridesSchema,
  limits: {
    // pushToList takes 2..1000 regIds (docs/vendors/vivo.md#endpoints); a batch of one goes to /message/send.
    maxTargetsPerRequest: 1000,
    // vivo's QPS is 3000–5000 by effective users (UNVERIFIED tiers, docs/vendors/vivo.md#rate-limits-and-quotas); list pushes cost two calls per batch.
    defaultRate: { perSecond: 50, concurrency: 8 },
  },
  secretFields: vivoSecretFields,
  /** classification 1 (im, account, order, reminder, …) = 'system'; everything else = 'operation' (docs/vendors/vivo.md#rate-limits-and-quotas). */
  quotaClassOf: (category, config) => vivoQuotaClass(category, config),
  quotaResetTimeZone: VIVO_QUOTA_TIME_ZONE,
  /**
   * Operations (marketing/news/unclassified) messages may be sent only 07:00–23:00 Beijing time; the core holds
   * them outside it. Sources: https://help.aliyun.com/document_detail/616229.html ,
   * https://cloud.tencent.com/document/product/269/130977 (docs/vendors/vivo.md#rate-limits-and-quotas).
   */
  sendWindow: (quotaClass) => (quotaClass === 'operation' ? { fromHour: 7, toHour: 23, timeZone: VIVO_QUOTA_TIME_ZONE } : undefined),
  checkMessage: (message, config, overrides) => checkVivoMessage(message, config, overrides),
  create: (config, deps) => new VivoProvider(config, deps),
  errors: VIVO_EXPLANATIONS,
  receipts: vivoReceipts,
  async playground(ctx) {
    // autoReceipts: receipts to the callback URL each message carries, so playground messages turn `delivered`.
    const simulator = await VivoSimulator.start({ appId: '10004', appKey: 'demo-vivo-app-key', appSecret: 'demo-vivo-app-secret', autoReceipts: true });
    const config = vivoConfigSchema.parse({
      appId: simulator.appId,
      appKey: simulator.appKey,
      appSecret: simulator.appSecret,
      endpoint: simulator.url,
      ...(ctx?.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
    });
    return { simulator, config };
  },
});
