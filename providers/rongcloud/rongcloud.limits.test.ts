import type { OutgoingMessage } from '../types.js';
import { rongcloudConfigSchema } from './rongcloud.config.js';
import { checkRongCloudMessage } from './rongcloud.limits.js';

const config = rongcloudConfigSchema.parse({ appKey: 'key', appSecret: 'secret' });
const hello = { title: 'Hello', body: 'New message' };
const message = (over: Partial<OutgoingMessage>): OutgoingMessage => ({ id: 'msg_1', createdAt: 0, data: {}, options: { priority: 'high' }, ...over });

describe('checkRongCloudMessage', () => {
  it('takes a notification with data', () => {
    expect(checkRongCloudMessage(message({ notification: hello, data: { k: 'x'.repeat(3000) } }), config)).toBeUndefined();
  });

  it('refuses a data-only message: push/user needs pushContent', () => {
    expect(checkRongCloudMessage(message({ data: { chat: '7' } }), config)).toEqual({ reason: 'data_only_unsupported', message: expect.stringContaining('add notification {title, body}') });
  });

  it('refuses a message whose forwarded iOS payload passes 4096 bytes', () => {
    expect(checkRongCloudMessage(message({ notification: hello, data: { k: 'x'.repeat(4100) } }), config)?.reason).toBe('payload_too_large');
  });
});
