import type { OutgoingMessage } from '../types.js';
import { vivoConfigSchema } from './vivo.config.js';
import { checkVivoMessage } from './vivo.limits.js';

const config = vivoConfigSchema.parse({ appId: '10004', appKey: 'key', appSecret: 'secret' });
const hello = { title: 'Hello', body: 'New message' };
const message = (over: Partial<OutgoingMessage>): OutgoingMessage => ({ id: 'msg_1', createdAt: 0, data: {}, options: { priority: 'high' }, ...over });

describe('checkVivoMessage', () => {
  it('takes a notification with up to 10 data entries', () => {
    const data = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v']));
    expect(checkVivoMessage(message({ notification: hello, data }), config)).toBeUndefined();
  });

  it('refuses a data-only message: vivo has notification messages only', () => {
    expect(checkVivoMessage(message({ data: { chat: '7' } }), config)).toEqual({ reason: 'data_only_unsupported', message: expect.stringContaining('add notification {title, body}') });
  });

  it('refuses data over 10 entries or 1024 characters as too large', () => {
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    expect(checkVivoMessage(message({ notification: hello, data: eleven }), config)?.reason).toBe('payload_too_large');
    expect(checkVivoMessage(message({ notification: hello, data: { k: 'x'.repeat(1024) } }), config)?.message).toMatch(/1025 characters, the limit is 1024/);
  });

  it('refuses a click URL longer than vivo allows as unsupported content', () => {
    const notification = { ...hello, clickAction: { type: 'url' as const, value: `https://a.example/${'p'.repeat(1000)}` } };
    expect(checkVivoMessage(message({ notification }), config)?.reason).toBe('unsupported_content');
  });
});
