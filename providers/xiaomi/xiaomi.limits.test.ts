import type { OutgoingMessage } from '../types.js';
import { xiaomiConfigSchema } from './xiaomi.config.js';
import { checkXiaomiMessage, XIAOMI_MAX_PAYLOAD_BYTES } from './xiaomi.limits.js';

const config = xiaomiConfigSchema.parse({ appSecret: 'secret', packageName: 'com.acme.app' });
const message = (data: Record<string, string>, withNotification = false): OutgoingMessage => ({
  id: 'msg_1',
  createdAt: 0,
  data,
  options: { priority: 'normal' },
  ...(withNotification ? { notification: { title: 't', body: 'b' } } : {}),
});
// {"k":"…"} is 8 bytes plus the value.
const dataOf = (payloadBytes: number) => ({ k: 'x'.repeat(payloadBytes - 8) });

describe('checkXiaomiMessage', () => {
  it('takes a data-only (pass-through) message up to 4096 bytes of payload', () => {
    expect(checkXiaomiMessage(message(dataOf(XIAOMI_MAX_PAYLOAD_BYTES)), config)).toBeUndefined();
  });

  it('refuses one byte more, measured on the payload JSON as UTF-8', () => {
    expect(checkXiaomiMessage(message(dataOf(XIAOMI_MAX_PAYLOAD_BYTES + 1), true), config)).toEqual({
      reason: 'payload_too_large',
      message: expect.stringContaining('4097 bytes'),
    });
    expect(checkXiaomiMessage(message({ k: '中'.repeat(1400) }), config)?.reason).toBe('payload_too_large');
  });
});
