/**
 * Huawei receipts: the simulator posts them the way Huawei does to a local receiver, and the
 * handler verifies and parses what arrived.
 */
import { createHmac } from 'node:crypto';
import { startHttpSimulator, type HttpSimulator, type SimRequest } from '../shared/sim-server.js';
import type { ReceiptRequest } from '../types.js';
import type { HuaweiConfig } from './huawei.config.js';
import { huaweiReceipts, signHuaweiCallback } from './huawei.receipts.js';
import { HuaweiSimulator } from './simulator.js';

let clock = 1_700_000_000_000;
let sim: HuaweiSimulator;
let receiver: HttpSimulator;
let received: SimRequest[];

const signing = { callbackUserName: 'acme-receipts', callbackKey: 'k3y-from-agc' };
const config: HuaweiConfig = {
  appId: '100000001',
  clientSecret: 's',
  endpoint: 'http://127.0.0.1:1',
  authEndpoint: 'http://127.0.0.1:1',
  ...signing,
};

beforeEach(async () => {
  clock = 1_700_000_000_000;
  sim = await HuaweiSimulator.start({ now: () => clock });
  received = [];
  receiver = await startHttpSimulator((req) => {
    received.push(req);
    return { status: 200, body: huaweiReceipts.reply };
  });
});

afterEach(async () => {
  await sim.close();
  await receiver.close();
});

function asReceipt(req: SimRequest): ReceiptRequest {
  return { headers: req.headers, body: req.body, rawBody: req.rawBody, query: Object.fromEntries(req.query) };
}

async function postReceipt(statuses: Parameters<HuaweiSimulator['sendReceipt']>[1], sign?: Parameters<HuaweiSimulator['sendReceipt']>[2]) {
  const res = await sim.sendReceipt(`${receiver.url}/v1/receipts/huawei/acme`, statuses, sign);
  expect(res.status).toBe(200);
  const req = received.at(-1);
  if (!req) throw new Error('no receipt arrived');
  return asReceipt(req);
}

describe('Huawei receipts', () => {
  it('signs value as base64 HmacSHA256(callbackKey, timestamp + nonce + callbackUserName)', () => {
    const expected = createHmac('sha256', 'key').update('1700000000000nonce-1user').digest('base64');
    expect(signHuaweiCallback('1700000000000', 'nonce-1', 'user', 'key')).toBe(expected);
  });

  it('verifies a receipt signed with the configured callback user name and key as valid', async () => {
    const req = await postReceipt([{ status: 0, token: 'T', biTag: 'ref', requestId: 'r1' }], signing);
    expect(String(req.headers['x-huawei-callback-id'])).toMatch(/^timestamp=\d+;nonce=[0-9a-f-]{36};value=[A-Za-z0-9+/]+=*$/);
    expect(huaweiReceipts.verify(req, config, clock)).toBe('valid');
  });

  it('rejects a receipt signed with another key or user name as invalid', async () => {
    const wrongKey = await postReceipt([{ status: 0 }], { ...signing, callbackKey: 'other' });
    expect(huaweiReceipts.verify(wrongKey, config, clock)).toBe('invalid');
    const wrongUser = await postReceipt([{ status: 0 }], { ...signing, callbackUserName: 'other' });
    expect(huaweiReceipts.verify(wrongUser, config, clock)).toBe('invalid');
  });

  it('rejects a tampered signature value as invalid', async () => {
    const req = await postReceipt([{ status: 0 }], signing);
    const header = String(req.headers['x-huawei-callback-id']);
    const tampered = header.replace(/value=(.)/, (_, c: string) => `value=${c === 'A' ? 'B' : 'A'}`);
    expect(huaweiReceipts.verify({ ...req, headers: { ...req.headers, 'x-huawei-callback-id': tampered } }, config, clock)).toBe('invalid');
  });

  it('rejects a correctly signed receipt older than five minutes as invalid (replay)', async () => {
    const req = await postReceipt([{ status: 0 }], { ...signing, timestamp: clock - 5 * 60_000 - 1 });
    expect(huaweiReceipts.verify(req, config, clock)).toBe('invalid');
    const fresh = await postReceipt([{ status: 0 }], { ...signing, timestamp: clock - 4 * 60_000 });
    expect(huaweiReceipts.verify(fresh, config, clock)).toBe('valid');
  });

  it('rejects a receipt without the header as invalid when a callback key is configured', async () => {
    const req = await postReceipt([{ status: 0 }]);
    expect(huaweiReceipts.verify(req, config, clock)).toBe('invalid');
  });

  it('reports receipts as unsigned when the tenant configured no callback key', async () => {
    const req = await postReceipt([{ status: 0 }], signing);
    const { callbackKey: _k, callbackUserName: _u, ...unsignedConfig } = config;
    expect(huaweiReceipts.verify(req, unsignedConfig, clock)).toBe('unsigned');
  });

  it('parses statuses into events: 0 delivered, 2/5/10 invalid token, 102/201 quota, others other', async () => {
    const req = await postReceipt(
      [0, 2, 5, 10, 102, 201, 6, 14].map((status, i) => ({ status, token: `tok${i}`, biTag: `ref${i}`, requestId: `req${i}` })),
      signing,
    );
    const events = huaweiReceipts.parse(req);
    expect(events.map((e) => [e.vendorStatus, e.status])).toEqual([
      ['0', 'delivered'],
      ['2', 'invalid_token'],
      ['5', 'invalid_token'],
      ['10', 'invalid_token'],
      ['102', 'quota_exceeded'],
      ['201', 'quota_exceeded'],
      ['6', 'other'],
      ['14', 'other'],
    ]);
    expect(events[1]).toEqual({ status: 'invalid_token', vendorStatus: '2', token: 'tok1', callbackRef: 'ref1', vendorMessageId: 'req1' });
  });

  it('parses from the raw body when the body was not decoded and skips malformed entries', () => {
    const rawBody = JSON.stringify({ statuses: [{ status: '0', biTag: 'r' }, { token: 'no-status' }, 'junk'] });
    expect(huaweiReceipts.parse({ headers: {}, body: undefined, rawBody, query: {} })).toEqual([
      { status: 'delivered', vendorStatus: '0', callbackRef: 'r' },
    ]);
    expect(huaweiReceipts.parse({ headers: {}, body: undefined, rawBody: 'not json', query: {} })).toEqual([]);
  });

  it('replies the body Huawei expects', () => {
    expect(huaweiReceipts.reply).toEqual({ errno: 0, errmsg: 'success' });
  });
});
