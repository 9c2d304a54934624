import type { OutgoingMessage } from '../types.js';
import { meizuConfigSchema } from './meizu.config.js';
import { checkMeizuMessage } from './meizu.limits.js';
import { meizuTokenSchema } from './meizu.token.js';
import { MEIZU_MAX_MESSAGE_JSON_BYTES, MEIZU_PASS_THROUGH_MAX_BYTES } from './meizu.wire.js';

const base = meizuConfigSchema.parse({ appId: '1', appSecret: 's' });
const withPassThrough = meizuConfigSchema.parse({ appId: '1', appSecret: 's', passThrough: true });
const message = (data: Record<string, string>, withNotification = false): OutgoingMessage => ({
  id: 'msg_1',
  createdAt: 0,
  data,
  options: { priority: 'normal' },
  ...(withNotification ? { notification: { title: 't', body: 'b' } } : {}),
});
// {"k":"…"} is 8 bytes plus the value.
const dataOf = (bytes: number) => ({ k: 'x'.repeat(bytes - 8) });

describe('checkMeizuMessage', () => {
  it('takes a notification whose messageJson fits pushgate’s 4 KB (texts are cut), refuses a bigger one', () => {
    expect(checkMeizuMessage({ ...message(dataOf(3000), true), notification: { title: '标'.repeat(200), body: 'b'.repeat(5000) } }, base)).toBeUndefined();
    expect(checkMeizuMessage(message(dataOf(MEIZU_MAX_MESSAGE_JSON_BYTES), true), base)).toEqual({ reason: 'payload_too_large', message: expect.stringContaining(`at most ${MEIZU_MAX_MESSAGE_JSON_BYTES} bytes of messageJson`) });
  });

  it('refuses data-only messages unless the tenant enabled pass-through', () => {
    expect(checkMeizuMessage(message({ a: '1' }), base)).toEqual({ reason: 'data_only_unsupported', message: expect.stringContaining('passThrough') });
    expect(checkMeizuMessage(message({ a: '1' }), withPassThrough)).toBeUndefined();
  });

  it('caps pass-through content at 2000 bytes of the data JSON', () => {
    expect(checkMeizuMessage(message(dataOf(MEIZU_PASS_THROUGH_MAX_BYTES)), withPassThrough)).toBeUndefined();
    expect(checkMeizuMessage(message(dataOf(MEIZU_PASS_THROUGH_MAX_BYTES + 1)), withPassThrough)).toEqual({ reason: 'payload_too_large', message: expect.stringContaining('2001 bytes') });
  });
});

describe('meizuTokenSchema', () => {
  it('takes the documented pushIds as given', () => {
    for (const t of ['J0476035d625e6c64567f71487e040e7d017f0558675b', 'RA50c6348036344485d01776773577c64740465480a6b']) expect(meizuTokenSchema.parse(t)).toBe(t);
  });

  it('refuses commas, spaces and lengths outside 16..128', () => {
    for (const t of ['J0476035d625e6c6,4567f71487e040e7', 'J0476035d625e6c6 4567f71487e040e7', 'short', 'a'.repeat(129)]) expect(meizuTokenSchema.safeParse(t).success).toBe(false);
  });
});
