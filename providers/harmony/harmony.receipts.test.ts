import type { ReceiptRequest } from '../types.js';
import { harmonyConfigSchema } from './harmony.config.js';
import { checkHarmonyMessage } from './harmony.limits.js';
import { harmonyReceipts, harmonyReceiptStatus, signHarmonyCallback } from './harmony.receipts.js';
import { HarmonySimulator } from './simulator.js';

let sim: HarmonySimulator;
beforeAll(async () => (sim = await HarmonySimulator.start()));
afterAll(async () => sim.close());

const NOW = 1_750_000_000_000;
const body = {
  statuses: [
    { token: 'tokA', pushType: 0, appPackageName: 'com.acme', biTag: 'msg_1', requestId: 'req1', deliveryStatus: { result: 0, timestamp: NOW } },
    { token: 'tokB', pushType: 0, biTag: 'msg_1', requestId: 'req1', deliveryStatus: { result: 256, timestamp: NOW } },
    { token: 'tokC', pushType: 0, deliveryStatus: { result: 2, timestamp: NOW } },
    { token: 'tokD', pushType: 1, formStatus: { formId: 1, result: 102, timestamp: NOW } },
    { token: 'tokE' },
  ],
};
const req = (headers: Record<string, string> = {}): ReceiptRequest => ({ headers, body, rawBody: JSON.stringify(body), query: {} });

describe('harmony receipts (V2)', () => {
  const config = () => harmonyConfigSchema.parse({ serviceAccount: sim.serviceAccount(), callbackUserName: 'cbuser', callbackKey: 'cbkey' });

  it('parses statuses: 0 delivered, 102/256 quota; every other result only counted, never pruned', () => {
    expect(harmonyReceipts.parse(req())).toEqual([
      { status: 'delivered', vendorStatus: '0', token: 'tokA', callbackRef: 'msg_1', vendorMessageId: 'req1' },
      { status: 'quota_exceeded', vendorStatus: '256', token: 'tokB', callbackRef: 'msg_1', vendorMessageId: 'req1' },
      { status: 'other', vendorStatus: '2', token: 'tokC' },
      { status: 'quota_exceeded', vendorStatus: '102', token: 'tokD' },
    ]);
    expect([5, 10, 6, 15].map(harmonyReceiptStatus)).toEqual(['other', 'other', 'other', 'other']);
    expect(harmonyReceipts.reply).toEqual({ errno: 0, errmsg: 'success' });
  });

  it('verifies X-HUAWEI-CALLBACK-ID made the way the vendor makes it', () => {
    expect(harmonyReceipts.verify(req({ 'x-huawei-callback-id': sim.callbackHeader('cbuser', 'cbkey', NOW) }), config(), NOW + 1000)).toBe('valid');
    expect(harmonyReceipts.verify(req({ 'X-HUAWEI-CALLBACK-ID': sim.callbackHeader('cbuser', 'other', NOW) }), config(), NOW)).toBe('invalid');
    expect(harmonyReceipts.verify(req({ 'x-huawei-callback-id': sim.callbackHeader('cbuser', 'cbkey', NOW) }), config(), NOW + 6 * 60_000)).toBe('invalid');
    expect(harmonyReceipts.verify(req(), config(), NOW)).toBe('invalid');
    const unsigned = harmonyConfigSchema.parse({ serviceAccount: sim.serviceAccount() });
    expect(harmonyReceipts.verify(req(), unsigned, NOW)).toBe('unsigned');
    expect(signHarmonyCallback('1', 'n', 'u', 'k')).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });
});

describe('checkHarmonyMessage', () => {
  const config = () => harmonyConfigSchema.parse({ serviceAccount: sim.serviceAccount() });
  const msg = (data: Record<string, string>, notification = false) => ({
    id: 'msg_1',
    createdAt: 0,
    data,
    options: { priority: 'normal' as const },
    ...(notification ? { notification: { title: 't', body: 'b' } } : {}),
  });

  it('takes data-only messages (background, push-type 6) under the 4096-byte body limit', () => {
    expect(checkHarmonyMessage(msg({ k: 'x'.repeat(3800) }), config())).toBeUndefined();
  });

  it('refuses a body over 4096 bytes without the tokens (80300008), naming the size', () => {
    expect(checkHarmonyMessage(msg({ k: 'x'.repeat(4100) }, true), config())).toEqual({ reason: 'payload_too_large', message: expect.stringMatching(/at most 4096 bytes .*80300008.*is \d+ bytes/) });
  });
});
