/**
 * APNs (Apple Push Notification service) over pushgate's own HTTP/2 session: token (.p8 JWT) or certificate auth,
 * one long-lived session per environment, devices carrying their environment (docs/vendors/apns.md).
 */
import { defineProvider } from '../types.js';
import { checkApnsMessage } from './apns.limits.js';
import { apnsConfigSchema, type ApnsConfig } from './apns.config.js';
import { ApnsProvider } from './apns.provider.js';
import { apnsOverridesSchema, type ApnsOverrides } from './apns.request.js';
import { APNS_TOKEN_FORM_VERSION, apnsDeviceFieldsSchema, apnsTokenSchema, type ApnsDeviceExtras } from './apns.token.js';
import { ApnsSimulator } from './simulator.js';
import { APNS_EXPLANATIONS } from './apns.errors.js';

export const apnsProvider = defineProvider<ApnsConfig, ApnsOverrides, ApnsDeviceExtras>({
  id: 'apns',
  configSchema: apnsConfigSchema,
  tokenSchema: apnsTokenSchema,
  tokenFormVersion: APNS_TOKEN_FORM_VERSION,
  deviceFieldsSchema: apnsDeviceFieldsSchema,
  overridesSchema: apnsOverridesSchema,
  limits: {
    // APNs takes one device per request: a "request" here is a batch of up to 1000 targets sent
    // as that many HTTP/2 streams on one session (at most maxStreamsPerSession at once).
    maxTargetsPerRequest: 1000,
    // 20 batches/s × 1000 streams ≈ 20k notifications/s per tenant lane; 4 batches in flight share
    // each session's stream cap. Apple publishes no per-provider rate (only per-device 429s).
    defaultRate: { perSecond: 20, concurrency: 4 },
  },
  // Matched by key name: the whole `auth` section, and the .p8 / certificate key and passphrase in it.
  secretFields: ['auth', 'key', 'passphrase'],
  checkMessage: (message, config, overrides) => checkApnsMessage(message, config, overrides),
  create: (config, deps) => new ApnsProvider(config, deps),
  errors: APNS_EXPLANATIONS,
  async playground(ctx) {
    // Apple-like: one stream per new session until the first authenticated request.
    const simulator = await ApnsSimulator.start({ initialMaxStreams: 1 });
    const config = apnsConfigSchema.parse({
      auth: { token: simulator.tokenCredentials() },
      topic: 'com.example.pushgate',
      production: true,
      address: '127.0.0.1',
      port: simulator.port,
      ca: simulator.caPem,
      // The per-stream answer timeout is APNs' `timeoutMs`.
      ...(ctx?.timeoutMs ? { requestTimeoutMs: ctx.timeoutMs } : {}),
    });
    return { simulator, config };
  },
});

export { ApnsProvider } from './apns.provider.js';
export { ApnsSimulator } from './simulator.js';
export type { ApnsConfig } from './apns.config.js';
