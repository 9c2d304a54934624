import type { OutgoingMessage } from '../types.js';
import type { ApnsConfig } from './apns.config.js';
import { checkApnsMessage } from './apns.limits.js';

const config = {} as ApnsConfig;
const message = (over: Partial<OutgoingMessage>): OutgoingMessage => ({ id: 'msg_1', createdAt: 0, data: {}, options: { priority: 'high' }, ...over });

describe('checkApnsMessage', () => {
  it('takes a background (data-only) push under 4096 bytes', () => {
    expect(checkApnsMessage(message({ data: { k: 'x'.repeat(4000) } }), config)).toBeUndefined();
  });

  it('refuses a payload over 4096 bytes (413 PayloadTooLarge)', () => {
    expect(checkApnsMessage(message({ data: { k: 'x'.repeat(4100) } }), config)).toEqual({ reason: 'payload_too_large', message: expect.stringContaining('at most 4096 bytes') });
  });

  it('allows 5120 bytes for a VoIP push set in overrides.apns', () => {
    const m = message({ data: { k: 'x'.repeat(4100) } });
    expect(checkApnsMessage(m, config, { pushType: 'voip' })).toBeUndefined();
  });
});
