import type { OutgoingMessage } from '../types.js';
import { checkHonorMessage } from './honor.limits.js';

const message = (data: Record<string, string>, notification?: OutgoingMessage['notification']): OutgoingMessage => ({
  id: 'msg_1',
  createdAt: 0,
  data,
  notification,
  options: { priority: 'normal' },
});

describe('checkHonorMessage', () => {
  it('takes data-only (pass-through) messages under 4096 bytes', () => {
    expect(checkHonorMessage(message({ k: 'x'.repeat(3900) }))).toBeUndefined();
  });

  it('refuses a body over 4096 bytes without the tokens, naming the size', () => {
    expect(checkHonorMessage(message({ k: 'x'.repeat(4100) }))).toEqual({
      reason: 'payload_too_large',
      message: expect.stringMatching(/at most 4096 bytes .* is \d+ bytes/),
    });
  });

  it('counts the notification and the honor overrides in the body', () => {
    expect(checkHonorMessage(message({ k: 'x'.repeat(3700) }, { title: 't'.repeat(200), body: 'b'.repeat(200) }))?.reason).toBe('payload_too_large');
    const buttons = Array.from({ length: 3 }, () => ({ name: 'n', actionType: 2 as const, data: 'd'.repeat(300) }));
    const small = message({ k: 'x'.repeat(3300) }, { title: 't', body: 'b' });
    expect(checkHonorMessage(small)).toBeUndefined();
    expect(checkHonorMessage(small, { buttons })?.reason).toBe('payload_too_large');
  });
});
