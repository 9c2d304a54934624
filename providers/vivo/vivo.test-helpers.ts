/**
 * Shared setup of the vivo adapter tests (vivo.provider, vivo.auth and vivo.quota .test.ts): clock, targets,
 * messages, the adapter pointed at a VivoSimulator and readers of what the simulator recorded.
 * Not a test file itself (jest's testMatch is *.test.ts) and left out of the build (tsconfig.build.json).
 */
import pino from 'pino';
import type { DeliveryTarget, OutgoingMessage, ProviderDeps, SendBatch } from '../types.js';
import { vivoConfigSchema } from './vivo.config.js';
import { VivoProvider } from './vivo.provider.js';
import type { VivoOverrides } from './vivo.request.js';
import type { VivoSimulator } from './simulator.js';

export interface Clock {
  now: number;
}

export function deps(clock?: Clock): ProviderDeps {
  return { now: () => (clock ? clock.now : Date.now()), random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} };
}

export const token = (i: number) => `1563853541030${String(i).padStart(10, '0')}`;

export function targets(n: number, prefix = 'dlv'): DeliveryTarget[] {
  return Array.from({ length: n }, (_, i) => ({ deliveryId: `${prefix}-${i}`, token: token(i), registered: true }));
}

export function message(over: Partial<OutgoingMessage> = {}, options: Partial<OutgoingMessage['options']> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    notification: { title: 'New message', body: 'Alice: are you there?' },
    data: { conversation: 'c-1' },
    options: { priority: 'high', category: 'im', ...options },
    createdAt: Date.now(),
    ...over,
  };
}

export function batch(ts: DeliveryTarget[], over: Partial<SendBatch<VivoOverrides>> = {}): SendBatch<VivoOverrides> {
  return { message: message(), targets: ts, callbackRef: 'ref-1', ...over };
}

export function makeProvider(sim: VivoSimulator, clock?: Clock, extra: Record<string, unknown> = {}): VivoProvider {
  const config = vivoConfigSchema.parse({ appId: sim.appId, appKey: sim.appKey, appSecret: sim.appSecret, endpoint: sim.url, ...extra });
  return new VivoProvider(config, deps(clock));
}

/** Await a condition (no fixed sleeps): polls until true or fails after ~5 s. */
export async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function bodiesTo(sim: VivoSimulator, path: string): Record<string, unknown>[] {
  return sim.requests.filter((r) => r.path === path).map((r) => r.body as Record<string, unknown>);
}

export function headerOf(sim: VivoSimulator, path: string, index: number): unknown {
  return sim.requests.filter((r) => r.path === path)[index]?.headers['authtoken'];
}

export const MIN = 60_000;
