/**
 * Shared setup of the APNs adapter tests (apns.provider, apns.auth and apns.sessions .test.ts): tokens,
 * targets, messages and the config that points the adapter at an ApnsSimulator.
 * Not a test file itself (jest's testMatch is *.test.ts) and left out of the build (tsconfig.build.json).
 */
import { createHash } from 'node:crypto';
import pino from 'pino';
import type { DeliveryTarget, OutgoingMessage, ProviderDeps, SendBatch } from '../types.js';
import { apnsConfigSchema, type ApnsConfig } from './apns.config.js';
import type { ApnsOverrides } from './apns.request.js';
import type { ApnsDeviceExtras } from './apns.token.js';
import { ApnsProvider } from './apns.provider.js';
import { ApnsSimulator, type ApnsSimulatorOptions } from './simulator.js';

export const TOPIC = 'com.example.app';
export const tok = (i: number | string) => createHash('sha256').update(String(i)).digest('hex');

export interface Observed {
  seconds: number;
  reason: string | undefined;
}

export function makeDeps(now: () => number = Date.now): ProviderDeps & { observed: Observed[] } {
  const observed: Observed[] = [];
  return {
    now,
    random: Math.random,
    logger: pino({ level: 'silent' }),
    observeRequest: (seconds, reason) => observed.push({ seconds, reason }),
    observed,
  };
}

export function message(extra: Partial<OutgoingMessage> = {}, options: Partial<OutgoingMessage['options']> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    notification: { title: 'Hello', body: 'World' },
    data: { orderId: '42' },
    options: { priority: 'high', ...options },
    createdAt: Date.now(),
    ...extra,
  };
}

export type Target = DeliveryTarget<ApnsDeviceExtras>;
export type Batch = SendBatch<ApnsOverrides, ApnsDeviceExtras>;

export const raw = (i: number | string, deliveryId = `del-${i}`): Target => ({ deliveryId, token: tok(i), registered: false });
export const device = (i: number | string, environment: 'production' | 'sandbox', topic?: string): Target => ({
  deliveryId: `del-${i}`,
  token: tok(i),
  registered: true,
  extras: { apns: { environment, ...(topic ? { topic } : {}) } },
});

export const batchOf = (targets: Target[], m: OutgoingMessage = message(), overrides?: ApnsOverrides): Batch => ({ message: m, overrides, targets, callbackRef: 'ref' });

export function configFor(s: ApnsSimulator, extra: Record<string, unknown> = {}): ApnsConfig {
  return apnsConfigSchema.parse({
    auth: { token: s.tokenCredentials() },
    topic: TOPIC,
    address: '127.0.0.1',
    port: s.port,
    ca: s.caPem,
    ...extra,
  });
}

export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export interface ApnsHarness {
  /** An ApnsSimulator and an adapter pointed at it, both closed after the test. */
  start(opts?: ApnsSimulatorOptions, extra?: Record<string, unknown>, deps?: ProviderDeps): Promise<{ sim: ApnsSimulator; provider: ApnsProvider; config: ApnsConfig }>;
  /** Close something else the test opened after it, in reverse order. */
  defer(cleanup: () => Promise<void>): void;
}

/** Call once at module level: it registers the afterEach that closes what the tests started. */
export function apnsHarness(): ApnsHarness {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });
  const defer = (cleanup: () => Promise<void>) => void cleanups.push(cleanup);
  const start: ApnsHarness['start'] = async (opts = {}, extra = {}, deps = makeDeps()) => {
    const sim = await ApnsSimulator.start(opts);
    const config = configFor(sim, extra);
    const provider = new ApnsProvider(config, deps);
    defer(async () => {
      await provider.close();
      await sim.close();
    });
    return { sim, provider, config };
  };
  return { start, defer };
}
