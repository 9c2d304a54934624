/**
 * The simulator on its own, spoken to with hand-built requests (not the adapter), so its checks are
 * tested against Meizu's documented rules rather than against our own builder.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MeizuSimulator } from './simulator.js';

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const SECRET = 'sim-secret';
const PUSH_ID = 'J0476035d625e6c64567f71487e040e7d017f0558675b';
const NOTIFICATION = { noticeBarInfo: { title: 'title', content: 'content' }, pushTimeInfo: { offLine: 1, validTime: 24 } };

let sim: MeizuSimulator;
beforeEach(async () => {
  sim = await MeizuSimulator.start({ appId: '10000', appSecret: SECRET, receiptAccessToken: 'tok' });
});
afterEach(() => sim.close());

/** The documented signature, written out by hand for the three parameters of Meizu's example. */
const documentedSign = (pushIds: string, messageJson: string, secret = SECRET) => md5(`appId=10000messageJson=${messageJson}pushIds=${pushIds}${secret}`);

async function post(fields: Record<string, string>, path = '/garcia/api/server/push/varnished/pushByPushId'): Promise<{ code: string; value: unknown; msgId?: string }> {
  const res = await fetch(sim.url + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body: new URLSearchParams(fields).toString() });
  return (await res.json()) as { code: string; value: unknown; msgId?: string };
}

function signedFields(pushIds: string, message: object = NOTIFICATION, sign?: string): Record<string, string> {
  const messageJson = JSON.stringify(message);
  return { appId: '10000', pushIds, messageJson, sign: sign ?? documentedSign(pushIds, messageJson) };
}

describe('MeizuSimulator', () => {
  it('accepts the documented signature and answers code "200" with a msgId', async () => {
    const r = await post(signedFields(PUSH_ID));
    expect(r).toMatchObject({ code: '200', value: {} });
    expect(r.msgId).toMatch(/^[0-9a-f]{32}$/);
    expect(sim.accepted).toEqual([PUSH_ID]);
  });

  it('answers 1006 for a signature over unsorted, separated, URL-encoded or secret-less input', async () => {
    const messageJson = JSON.stringify(NOTIFICATION);
    const wrong = [
      md5(`pushIds=${PUSH_ID}appId=10000messageJson=${messageJson}${SECRET}`),
      md5(`appId=10000&messageJson=${messageJson}&pushIds=${PUSH_ID}${SECRET}`),
      md5(`appId=10000messageJson=${encodeURIComponent(messageJson)}pushIds=${PUSH_ID}${SECRET}`),
      md5(`appId=10000messageJson=${messageJson}pushIds=${PUSH_ID}`),
      documentedSign(PUSH_ID, messageJson).toUpperCase(),
    ];
    for (const sign of wrong) expect((await post(signedFields(PUSH_ID, NOTIFICATION, sign))).code).toBe('1006');
    expect(sim.accepted).toEqual([]);
  });

  it('signs every parameter sent, including extra ones such as restrictedPackageNames', async () => {
    const fields = signedFields(PUSH_ID);
    const withPkg: Record<string, string> = { ...fields, restrictedPackageNames: 'com.acme' };
    expect((await post(withPkg)).code).toBe('1006');
    const messageJson = fields.messageJson as string;
    withPkg.sign = md5(`appId=10000messageJson=${messageJson}pushIds=${PUSH_ID}restrictedPackageNames=com.acme${SECRET}`);
    expect((await post(withPkg)).code).toBe('200');
  });

  it('answers 1006 to a correctly signed request while rejectCredentials is set (a secret rotated in the console)', async () => {
    sim.rejectCredentials = true;
    expect((await post(signedFields(PUSH_ID))).code).toBe('1006');
    sim.rejectCredentials = false;
    expect((await post(signedFields(PUSH_ID))).code).toBe('200');
    expect(sim.accepted).toEqual([PUSH_ID]);
  });

  it('loses the connection on resetConnection(n) and keeps the raw request as lastSendRaw', async () => {
    sim.resetConnection(1);
    await expect(post(signedFields(PUSH_ID))).rejects.toThrow();
    expect(sim.sendRequests).toBe(1);
    expect(new URLSearchParams(sim.lastSendRaw?.rawBody).get('pushIds')).toBe(PUSH_ID);
    expect((await post(signedFields(PUSH_ID))).code).toBe('200');
  });

  it('answers 110000 for another appId', async () => {
    expect((await post({ ...signedFields(PUSH_ID), appId: '1' })).code).toBe('110000');
  });

  it('refuses more than 100 pushIds and over-long texts with 1005', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `J${String(i).padStart(4, '0')}035d625e6c64567f71487e040e7d017f0558675b`).join(',');
    expect((await post(signedFields(ids))).code).toBe('1005');
    expect((await post(signedFields(PUSH_ID, { noticeBarInfo: { title: 'x'.repeat(33), content: 'c' } }))).code).toBe('1005');
    expect((await post(signedFields(PUSH_ID, { noticeBarInfo: { title: 't', content: 'c' }, clickTypeInfo: { clickType: 3 } }))).code).toBe('1005');
    expect((await post(signedFields(PUSH_ID, { noticeBarInfo: { title: 't', content: 'c' }, pushTimeInfo: { offLine: 1, validTime: 73 } }))).code).toBe('1005');
  });

  it('takes the Java SDK’s boolean spelling of 0/1 flags', async () => {
    expect((await post(signedFields(PUSH_ID, { noticeBarInfo: { title: 't', content: 'c' }, pushTimeInfo: { offLine: true, validTime: 24 } }))).code).toBe('200');
  });

  it('lists per-target codes in value and answers request-level 110010 when throttled', async () => {
    const other = 'RA50c6348036344485d01776773577c64740465480a6b';
    sim.invalidTokens.add(PUSH_ID);
    sim.switchedOffTokens.add(other);
    expect((await post(signedFields(`${PUSH_ID},${other}`))).value).toEqual({ '110002': [PUSH_ID], '110010': [other] });
    sim.throttle(1);
    expect(await post(signedFields(other))).toEqual({ code: '110010', message: '应用请求频率超过限制', value: '', redirect: '' });
  });

  it('posts receipts as form fields cb and access_token to extra.callback', async () => {
    let arrived!: (form: URLSearchParams) => void;
    const receipt = new Promise<URLSearchParams>((resolve) => (arrived = resolve));
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        arrived(new URLSearchParams(body));
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      sim.autoReceipts = true;
      const callback = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb?secret=s`;
      const r = await post(signedFields(PUSH_ID, { ...NOTIFICATION, extra: { callback, 'callback.param': 'msg_1', 'callback.type': '1' } }));
      const got = await receipt;
      expect(got.get('access_token')).toBe('tok');
      expect(JSON.parse(got.get('cb') ?? '')).toEqual({ [`${r.msgId}-1`]: { param: 'msg_1', type: 1, targets: [PUSH_ID] } });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
