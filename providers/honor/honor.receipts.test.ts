import type { ReceiptRequest } from '../types.js';
import { honorReceipts, parseHonorReceipt } from './honor.receipts.js';

const req = (body: unknown, rawBody = JSON.stringify(body)): ReceiptRequest => ({ headers: {}, body, rawBody, query: {} });

describe('honor receipts', () => {
  it('are unsigned: the per-tenant secret in the callback URL authenticates them', () => {
    expect(honorReceipts.verify(req({}), {} as never, 0)).toBe('unsigned');
  });

  it('turns status 0 into delivered with the token, biTag and requestId', () => {
    expect(parseHonorReceipt(req({ statuses: [{ biTag: 'msg_1', appid: '1', token: 'tok', status: 0, timestamp: 1, requestId: 'r1' }] }))).toEqual([
      { status: 'delivered', vendorStatus: '0', token: 'tok', callbackRef: 'msg_1', vendorMessageId: 'r1' },
    ]);
  });

  it('only counts every other status (never prunes on an unverified status table)', () => {
    const events = parseHonorReceipt(req({ statuses: [{ token: 'a', status: 2 }, { token: 'b', status: '5' }] }));
    expect(events.map((e) => [e.status, e.vendorStatus, e.token])).toEqual([
      ['other', '2', 'a'],
      ['other', '5', 'b'],
    ]);
  });

  it('accepts a bare array, a single status object and an unparsed raw body; ignores entries without status', () => {
    expect(parseHonorReceipt(req([{ token: 'a', status: 0 }])).map((e) => e.token)).toEqual(['a']);
    expect(parseHonorReceipt(req({ token: 'b', status: 0 })).map((e) => e.token)).toEqual(['b']);
    expect(parseHonorReceipt(req(undefined, '{"statuses":[{"token":"c","status":0},{"token":"d"}]}')).map((e) => e.token)).toEqual(['c']);
    expect(parseHonorReceipt(req(undefined, 'not json'))).toEqual([]);
  });
});
