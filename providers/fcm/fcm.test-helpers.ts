/**
 * Shared setup of the FCM adapter tests (fcm.provider, fcm.outcomes and fcm.simulator .test.ts):
 * messages, batches and the config that points the adapter at an FcmSimulator.
 * Not a test file itself (jest's testMatch is *.test.ts) and left out of the build (tsconfig.build.json).
 */
import net from 'node:net';
import pino from 'pino';
import type { DeliveryTarget, OutgoingMessage, ProviderDeps, SendBatch } from '../types.js';
import { fcmConfigSchema, type FcmConfig } from './fcm.config.js';
import type { FcmDeviceExtras, FcmOverrides } from './fcm.request.js';
import type { FcmSimulator } from './simulator.js';

const silent = pino({ level: 'silent' });

export function depsWith(now: () => number = () => Date.now()): ProviderDeps & { observed: (string | undefined)[] } {
  const observed: (string | undefined)[] = [];
  return { now, random: Math.random, logger: silent, observeRequest: (_s, reason) => observed.push(reason), observed };
}

export function message(over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    notification: { title: 'Hello', body: 'World' },
    data: { orderId: '42' },
    options: { priority: 'high', ttlSeconds: 3600, collapseKey: 'order-42' },
    createdAt: 1_700_000_000_000,
    ...over,
  };
}

export type Target = DeliveryTarget<FcmDeviceExtras>;

export function targets(tokens: string[], extra: Partial<Target> = {}): Target[] {
  return tokens.map((token, i) => ({ deliveryId: `d${i}`, token, registered: true, ...extra }));
}

export function batch(tokens: string[] | Target[], msg: OutgoingMessage = message(), overrides?: FcmOverrides): SendBatch<FcmOverrides, FcmDeviceExtras> {
  const ts = typeof tokens[0] === 'string' ? targets(tokens as string[]) : (tokens as Target[]);
  return { message: msg, overrides, targets: ts, callbackRef: msg.id };
}

export const tokensOf = (n: number, prefix = 'tok') => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(6, '0')}`);

/** Await a condition without sleeping a fixed time. */
export async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!cond()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export function configFor(sim: FcmSimulator, extra: Record<string, unknown> = {}): FcmConfig {
  return fcmConfigSchema.parse({
    credential: { serviceAccountFile: sim.serviceAccountFile() },
    endpoint: sim.url,
    oauthEndpoint: sim.oauthEndpoint,
    ca: sim.caPem,
    ...extra,
  });
}
