import type { OutgoingMessage } from '../types.js';
import { huaweiConfigSchema } from './huawei.config.js';
import { checkHuaweiMessage } from './huawei.limits.js';
import { huaweiOverridesSchema } from './huawei.request.js';

const config = huaweiConfigSchema.parse({ appId: '10001', clientSecret: 'secret' });
const message = (data: Record<string, string>): OutgoingMessage => ({
  id: 'msg_1',
  createdAt: 0,
  data,
  options: { priority: 'normal' },
});

describe('checkHuaweiMessage', () => {
  it('takes data-only messages under the 4096-byte body limit', () => {
    expect(checkHuaweiMessage(message({ k: 'x'.repeat(3800) }), config)).toBeUndefined();
  });

  it('refuses a body over 4096 bytes without the tokens (80300008), naming the size', () => {
    const failure = checkHuaweiMessage(message({ k: 'x'.repeat(4100) }), config);
    expect(failure).toEqual({ reason: 'payload_too_large', message: expect.stringMatching(/at most 4096 bytes .*80300008.*is \d+ bytes/) });
  });

  it('counts the huawei overrides that go into the body', () => {
    const data = { k: 'x'.repeat(3800) };
    expect(checkHuaweiMessage(message(data), config)).toBeUndefined();
    expect(checkHuaweiMessage(message(data), config, huaweiOverridesSchema.parse({ target_user_type: 1, receipt_id: 'r'.repeat(300) }))?.reason).toBe('payload_too_large');
  });
});
