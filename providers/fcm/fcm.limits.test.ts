import type { OutgoingMessage } from '../types.js';
import type { FcmConfig } from './fcm.config.js';
import { checkFcmMessage } from './fcm.limits.js';

const config = { channels: {} } as unknown as FcmConfig;
const message = (over: Partial<OutgoingMessage>): OutgoingMessage => ({ id: 'msg_1', createdAt: 0, data: {}, options: { priority: 'high' }, ...over });
// {"data":{"k":"…"}} is 17 bytes plus the value.
const dataOf = (bytes: number) => ({ k: 'x'.repeat(bytes - 17) });

describe('checkFcmMessage', () => {
  it('takes a data-only message of exactly 4096 bytes of data', () => {
    expect(checkFcmMessage(message({ data: dataOf(4096) }), config)).toBeUndefined();
  });

  it('refuses 4097 bytes of data and notification', () => {
    expect(checkFcmMessage(message({ data: dataOf(4097) }), config)).toEqual({ reason: 'payload_too_large', message: expect.stringContaining('has 4097') });
  });
});
