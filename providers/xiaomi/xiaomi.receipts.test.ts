/** Xiaomi receipts, posted by the simulator the way Xiaomi does (moved out of xiaomi.provider.test.ts; setup in xiaomi.test-helpers.ts). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PushProvider, ReceiptRequest } from '../types.js';
import { xiaomiProvider } from './index.js';
import { XiaomiSimulator } from './simulator.js';
import { xiaomiConfigSchema, type XiaomiConfig } from './xiaomi.config.js';
import { parseXiaomiReceipt } from './xiaomi.receipts.js';
import { CHANNELS, PACKAGE, SECRET, T0, batch, clock, deps, observed, token } from './xiaomi.test-helpers.js';

let sim: XiaomiSimulator;
let config: XiaomiConfig;
let provider: PushProvider;

beforeEach(async () => {
  sim = await XiaomiSimulator.start({ appSecret: SECRET, packageName: PACKAGE, channels: Object.values(CHANNELS), dayQuota: 5000 });
  config = xiaomiConfigSchema.parse({ appSecret: SECRET, packageName: PACKAGE, endpoint: sim.url, channels: CHANNELS });
  provider = xiaomiProvider.create(config, deps);
  observed.length = 0;
  clock.now = T0;
});

afterEach(async () => {
  await provider.close();
  await sim.close();
});

describe('Xiaomi receipts', () => {
  /** A stand-in for the gateway's receipt route: records what arrived as a ReceiptRequest. */
  async function receiver(): Promise<{ url: string; received: ReceiptRequest[]; close(): Promise<void> }> {
    const received: ReceiptRequest[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const isForm = String(req.headers['content-type']).includes('application/x-www-form-urlencoded');
        received.push({ headers: req.headers, rawBody, body: isForm ? Object.fromEntries(new URLSearchParams(rawBody)) : undefined, query: {} });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/v1/receipts/xiaomi/acme?s=secret`, received, close: () => new Promise((r) => server.close(() => r())) };
  }

  const formReceipt = (data: unknown): ReceiptRequest => {
    const rawBody = new URLSearchParams({ data: JSON.stringify(data) }).toString();
    return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody, body: Object.fromEntries(new URLSearchParams(rawBody)), query: {} };
  };

  test('a delivered receipt posted by the simulator the way Xiaomi does parses into one event per target', async () => {
    const rx = await receiver();
    try {
      const out = await provider.send(batch(2, { callbackUrl: rx.url, callbackRef: 'ref-5' }));
      const msgId = out.results[0]?.vendorMessageId ?? '';
      expect(await sim.sendReceiptsFor(msgId)).toBe(200);
      const req = rx.received[0];
      if (!req) throw new Error('no receipt arrived');
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(Object.keys(req.body as object)).toEqual(['data']);
      expect(xiaomiProvider.receipts?.parse(req)).toEqual([
        { status: 'delivered', vendorStatus: '1', token: token(0), callbackRef: 'ref-5', vendorMessageId: msgId },
        { status: 'delivered', vendorStatus: '1', token: token(1), callbackRef: 'ref-5', vendorMessageId: msgId },
      ]);
    } finally {
      await rx.close();
    }
  });

  test('Xiaomi receipts carry no signature, so verify answers unsigned and the URL secret decides', () => {
    expect(xiaomiProvider.receipts?.verify(formReceipt({ m: { type: 1, targets: 'x' } }), config, Date.now())).toBe('unsigned');
  });

  test.each([
    [1, 'delivered'],
    [2, 'clicked'],
    [16, 'invalid_token'],
    [128, 'quota_exceeded'],
    [32, 'other'],
    [64, 'other'],
    [1024, 'other'],
  ])('receipt type %i is %s', (type, status) => {
    expect(parseXiaomiReceipt(formReceipt({ sdm1: { type, targets: 'tok-a', param: 'r' } }))).toEqual([
      { status, vendorStatus: String(type), token: 'tok-a', callbackRef: 'r', vendorMessageId: 'sdm1' },
    ]);
  });

  test('a receipt covering several messages and comma-joined targets yields every pair', () => {
    const events = parseXiaomiReceipt(formReceipt({ m1: { type: 16, targets: 'a,b', param: 'r1' }, m2: { type: '1', targets: 'c', timestamp: 1 } }));
    expect(events.map((e) => [e.vendorMessageId, e.token, e.status, e.callbackRef])).toEqual([
      ['m1', 'a', 'invalid_token', 'r1'],
      ['m1', 'b', 'invalid_token', 'r1'],
      ['m2', 'c', 'delivered', undefined],
    ]);
  });

  test('a JSON body (unverified form) and an unparsed raw form body are read too', () => {
    const entries = { m9: { type: 1, targets: 'z', param: 'p' } };
    const expected = [{ status: 'delivered', vendorStatus: '1', token: 'z', callbackRef: 'p', vendorMessageId: 'm9' }];
    const json = (body: unknown): ReceiptRequest => ({ headers: { 'content-type': 'application/json' }, rawBody: JSON.stringify(body), body, query: {} });
    expect(parseXiaomiReceipt(json({ data: entries }))).toEqual(expected);
    expect(parseXiaomiReceipt(json({ data: JSON.stringify(entries) }))).toEqual(expected);
    expect(parseXiaomiReceipt(json(entries))).toEqual(expected);
    const raw = new URLSearchParams({ data: JSON.stringify(entries) }).toString();
    expect(parseXiaomiReceipt({ headers: {}, rawBody: raw, body: undefined, query: {} })).toEqual(expected);
  });

  test('a malformed receipt yields no events', () => {
    expect(parseXiaomiReceipt({ headers: {}, rawBody: 'data=%7Bnot-json', body: { data: '{not-json' }, query: {} })).toEqual([]);
    expect(parseXiaomiReceipt({ headers: {}, rawBody: '', body: undefined, query: {} })).toEqual([]);
  });
});
