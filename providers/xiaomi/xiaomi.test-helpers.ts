/**
 * Shared setup of the Xiaomi adapter tests (xiaomi.provider, xiaomi.receipts and xiaomi.simulator .test.ts):
 * the app's credentials, the adapter's clock and dependencies, messages and batches.
 * Not a test file itself (jest's testMatch is *.test.ts) and left out of the build (tsconfig.build.json).
 */
import pino from 'pino';
import type { DeliveryTarget, OutgoingMessage, ProviderDeps, SendBatch } from '../types.js';
import type { XiaomiOverrides } from './xiaomi.request.js';

export const SECRET = 'test-app-secret/AbC==';
export const PACKAGE = 'com.acme.chat';
export const CHANNELS = { im: '101', order: '102', marketing: '201' };

export const observed: { seconds: number; reason: string | undefined }[] = [];
/** The adapter's clock; messages are created at T0 (reset before each test). */
export const T0 = Date.UTC(2025, 2, 10, 4, 0, 0);
export const clock = { now: T0 };
export const deps: ProviderDeps = {
  now: () => clock.now,
  random: Math.random,
  logger: pino({ level: 'silent' }),
  observeRequest: (seconds, reason) => observed.push({ seconds, reason }),
};

export const token = (i: number) => `xm${String(i).padStart(7, '0')}/regId+AbCdEfGhIjKlMnOpQrStUvWxYz0123=`;
export const targets = (n: number, from = 0): DeliveryTarget[] =>
  Array.from({ length: n }, (_, i) => ({ deliveryId: `d${from + i}`, token: token(from + i), registered: true }));

export function message(over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    notification: { title: 'New message', body: 'Alice: are you there?' },
    data: { chatId: '42' },
    options: { priority: 'high', category: 'im' },
    createdAt: T0,
    ...over,
  };
}

export function batch(n: number, over: Partial<SendBatch<XiaomiOverrides>> = {}): SendBatch<XiaomiOverrides> {
  return { message: message(), targets: targets(n), callbackRef: 'ref-1', ...over };
}
