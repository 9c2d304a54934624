import type { ReceiptRequest } from '../types.js';
import { meizuConfigSchema } from './meizu.config.js';
import { meizuReceipts, parseMeizuReceipt } from './meizu.receipts.js';

const CB = {
  'c2ee5c3bf00448cfbceb7fdf68c3c8eb-1': { param: 'msg_1', type: 1, targets: ['pushId3', 'pushId2'] },
  'd2ee5c3bf00448cfbceb7fdf68c3c8eb-2': { param: 'msg_2', type: 2, targets: ['pushId1'] },
};
const form = (fields: Record<string, string>): ReceiptRequest => {
  const rawBody = new URLSearchParams(fields).toString();
  return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: { ...fields }, rawBody, query: {} };
};

describe('meizu receipts', () => {
  it('parses cb into one event per message, type and pushId', () => {
    expect(parseMeizuReceipt(form({ cb: JSON.stringify(CB), access_token: 't' }))).toEqual([
      { status: 'delivered', vendorStatus: '1', vendorMessageId: 'c2ee5c3bf00448cfbceb7fdf68c3c8eb', callbackRef: 'msg_1', token: 'pushId3' },
      { status: 'delivered', vendorStatus: '1', vendorMessageId: 'c2ee5c3bf00448cfbceb7fdf68c3c8eb', callbackRef: 'msg_1', token: 'pushId2' },
      { status: 'clicked', vendorStatus: '2', vendorMessageId: 'd2ee5c3bf00448cfbceb7fdf68c3c8eb', callbackRef: 'msg_2', token: 'pushId1' },
    ]);
  });

  it('reads cb from the raw body when the body was not parsed, and ignores junk', () => {
    const req = form({ cb: JSON.stringify({ 'm1-1': { type: 1, targets: ['a'] } }) });
    expect(parseMeizuReceipt({ ...req, body: undefined })).toEqual([{ status: 'delivered', vendorStatus: '1', vendorMessageId: 'm1', token: 'a' }]);
    expect(parseMeizuReceipt(form({ cb: 'not json' }))).toEqual([]);
    expect(parseMeizuReceipt(form({ cb: JSON.stringify({ 'm-9': { type: 9, targets: [] } }) }))).toEqual([{ status: 'other', vendorStatus: '9', vendorMessageId: 'm' }]);
  });

  it('is unsigned (URL secret) without a configured access token, else compares access_token', () => {
    const plain = meizuConfigSchema.parse({ appId: '1', appSecret: 's' });
    const withToken = meizuConfigSchema.parse({ appId: '1', appSecret: 's', receiptAccessToken: 'console-token' });
    expect(meizuReceipts.verify(form({ cb: '{}', access_token: 'x' }), plain, 0)).toBe('unsigned');
    expect(meizuReceipts.verify(form({ cb: '{}', access_token: 'console-token' }), withToken, 0)).toBe('valid');
    expect(meizuReceipts.verify(form({ cb: '{}', access_token: 'wrong' }), withToken, 0)).toBe('invalid');
    expect(meizuReceipts.verify(form({ cb: '{}' }), withToken, 0)).toBe('invalid');
  });
});
