import { vivoConfigSchema } from './vivo.config.js';
import { vivoReceipts } from './vivo.receipts.js';

const token = (i: number) => `1563853541030${String(i).padStart(10, '0')}`;

describe('vivo receipts (best effort, format UNVERIFIED)', () => {
  const req = (body: unknown, rawBody = typeof body === 'string' ? body : JSON.stringify(body)) => ({ headers: {}, body, rawBody, query: {} });

  it('parses the reported object keyed by taskId into one delivered event per target', () => {
    const events = vivoReceipts.parse(req({ '123456789': { param: 'ref-1', targets: `${token(1)},${token(2)}` }, '123456790': { param: 'ref-2', targets: token(3), ackType: 1 } }));
    expect(events).toEqual([
      { status: 'delivered', vendorStatus: 'delivered', callbackRef: 'ref-1', vendorMessageId: '123456789', token: token(1) },
      { status: 'delivered', vendorStatus: 'delivered', callbackRef: 'ref-1', vendorMessageId: '123456789', token: token(2) },
      { status: 'delivered', vendorStatus: '1', callbackRef: 'ref-2', vendorMessageId: '123456790', token: token(3) },
    ]);
  });

  it('parses an array form, a JSON string body and status words for invalid targets', () => {
    const arr = vivoReceipts.parse(req([{ taskId: 77, param: 'r', targets: [token(1)], status: 'regid_invalid' }]));
    expect(arr).toEqual([{ status: 'invalid_token', vendorStatus: 'regid_invalid', callbackRef: 'r', vendorMessageId: '77', token: token(1) }]);
    const text = JSON.stringify({ '88': { param: 'r', targets: token(2), ackType: 'uninstalled' } });
    expect(vivoReceipts.parse(req(text))[0]).toMatchObject({ status: 'invalid_token', token: token(2), vendorMessageId: '88' });
    expect(vivoReceipts.parse(req({ data: text }))[0]).toMatchObject({ status: 'invalid_token', token: token(2) });
  });

  it('never prunes on an unknown numeric status, ignores junk, and reports receipts as unsigned', () => {
    expect(vivoReceipts.parse(req({ '9': { targets: token(1), ackType: 2 } }))[0]).toMatchObject({ status: 'other', vendorStatus: '2' });
    expect(vivoReceipts.parse(req('not json'))).toEqual([]);
    expect(vivoReceipts.parse(req(42))).toEqual([]);
    const config = vivoConfigSchema.parse({ appId: '1', appKey: 'k', appSecret: 's' });
    expect(vivoReceipts.verify(req({}), config, Date.now())).toBe('unsigned');
  });
});
