import type { OutgoingMessage } from '../types.js';
import type { OppoConfig } from './oppo.config.js';
import { checkOppoMessage } from './oppo.limits.js';

const config: OppoConfig = { appKey: 'k-demo', masterSecret: 's-demo', region: 'china' };
const hello = { title: 'Hello', body: 'New message' };
const message = (over: Partial<OutgoingMessage>): OutgoingMessage => ({ id: 'msg_1', createdAt: 0, data: {}, options: { priority: 'high' }, ...over });

describe('checkOppoMessage', () => {
  it('takes a notification with data up to 4000 characters of JSON', () => {
    expect(checkOppoMessage(message({ notification: hello, data: { k: 'x'.repeat(3992) } }), config)).toBeUndefined();
  });

  it('refuses a data-only message: OPPO has no pass-through message', () => {
    expect(checkOppoMessage(message({ data: { chat: '7' } }), config)).toEqual({ reason: 'data_only_unsupported', message: expect.stringContaining('add notification {title, body}') });
  });

  it('refuses data over 4000 characters of action_parameters JSON', () => {
    expect(checkOppoMessage(message({ notification: hello, data: { k: 'x'.repeat(3993) } }), config)).toEqual({
      reason: 'payload_too_large',
      message: expect.stringContaining('4001 characters'),
    });
  });
});
