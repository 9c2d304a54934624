/**
 * The simulator checks what Honor checks, from raw HTTP (no adapter code involved).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { until } from '../../test/factories/process.js';
import { HonorSimulator } from './simulator.js';

let sim: HonorSimulator;
beforeEach(async () => {
  sim = await HonorSimulator.start({ appId: '42', clientId: 'cid', clientSecret: 'sec' });
});
afterEach(async () => {
  await sim.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  axios.post(`${sim.url}${path}`, body, { headers, validateStatus: () => true, proxy: false });
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function accessToken(): Promise<string> {
  const res = await post('/auth/token', form({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'sec' }), FORM);
  return (res.data as { access_token: string }).access_token;
}

const sendHeaders = (token: string, ts: string = String(Date.now())) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json', timestamp: ts });
const good = { token: ['TOKEN-AAAAAAAAAAAAAAAAAAAA'], android: { notification: { title: 't', body: 'b', clickAction: { type: 3 } } } };

describe('HonorSimulator', () => {
  it('issues expiring Bearer tokens on both token paths to the right client only', async () => {
    const ok = await post('/auth/realms/developer/protocol/openid-connect/token', form({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'sec' }), FORM);
    expect(ok.status).toBe(200);
    expect(ok.data).toMatchObject({ expires_in: 3600, token_type: 'Bearer', access_token: expect.any(String) });
    const bad = await post('/auth/token', form({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'nope' }), FORM);
    expect([bad.status, bad.data]).toEqual([401, { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' }]);
  });

  it('refuses a send without a valid token, with a stale one, or for another app id', async () => {
    expect((await post('/api/v1/42/sendMessage', good, sendHeaders('made-up'))).data).toMatchObject({ code: 80200001 });
    const t = await accessToken();
    expect((await post('/api/v1/43/sendMessage', good, sendHeaders(t))).status).toBe(401);
    sim.expireAccessTokens();
    const stale = await post('/api/v1/42/sendMessage', good, sendHeaders(t));
    expect([stale.status, (stale.data as { code: number }).code]).toEqual([401, 80200003]);
  });

  it('while rejectCredentials is set, refuses the token endpoint and forgets the tokens it issued', async () => {
    const t = await accessToken();
    sim.rejectCredentials = true;
    const refused = await post('/auth/token', form({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'sec' }), FORM);
    expect([refused.status, (refused.data as { error: string }).error]).toEqual([401, 'unauthorized_client']);
    const revoked = await post('/api/v1/42/sendMessage', good, sendHeaders(t));
    expect([revoked.status, (revoked.data as { code: number }).code]).toEqual([401, 80200001]);
    sim.rejectCredentials = false;
    expect((await post('/api/v1/42/sendMessage', good, sendHeaders(await accessToken()))).status).toBe(200);
  });

  it('counts and keeps the raw send request, even one whose connection it resets', async () => {
    const t = await accessToken();
    sim.resetConnection(1);
    await expect(post('/api/v1/42/sendMessage', good, sendHeaders(t))).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(sim.sendRequests).toBe(1);
    expect(sim.lastSendRaw).toMatchObject({ path: '/api/v1/42/sendMessage', headers: { timestamp: expect.stringMatching(/^\d{13}$/) } });
    expect(JSON.parse(sim.lastSendRaw?.rawBody ?? '')).toEqual(good);
    expect(sim.accepted).toEqual([]);
  });

  it('requires the timestamp header in milliseconds', async () => {
    const t = await accessToken();
    const { timestamp: _ts, ...noTimestamp } = sendHeaders(t);
    expect((await post('/api/v1/42/sendMessage', good, noTimestamp)).status).toBe(400);
    expect((await post('/api/v1/42/sendMessage', good, sendHeaders(t, String(Math.floor(Date.now() / 1000))))).status).toBe(400);
    expect((await post('/api/v1/42/sendMessage', good, sendHeaders(t))).status).toBe(200);
  });

  it('refuses a message wrapper, more than 1000 tokens, a body over 4096 bytes and bad fields', async () => {
    const t = await accessToken();
    const send = (body: unknown) => post('/api/v1/42/sendMessage', body, sendHeaders(t));
    expect((await send({ message: good })).status).toBe(400);
    expect((await send({ ...good, token: Array.from({ length: 1001 }, (_, i) => `T${i}`) })).data).toMatchObject({ code: 80300010 });
    expect((await send({ ...good, data: 'x'.repeat(4096) })).data).toMatchObject({ code: 80300008 });
    const n = good.android.notification;
    expect((await send({ token: good.token, android: { notification: { ...n, clickAction: undefined } } })).status).toBe(400);
    expect((await send({ token: good.token, android: { notification: { ...n, importance: 'HIGH' } } })).status).toBe(400);
    expect((await send({ token: good.token, android: { ttl: '1296001s', notification: n } })).status).toBe(400);
    expect((await send({ token: good.token, android: { notification: { ...n, image: 'https://i', importance: 'LOW' } } })).status).toBe(400);
    expect((await send({ token: good.token })).status).toBe(400);
    expect((await send({ token: good.token, data: '{}' })).status).toBe(200);
  });

  it('answers per token with expireTokens, and posts a status-0 receipt for accepted tokens when configured', async () => {
    const received: unknown[] = [];
    const server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(raw));
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      sim.receiptConfig = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/r` };
      sim.receipts.delayMs = 0;
      sim.invalidTokens.add('BAD');
      const t = await accessToken();
      const res = await post('/api/v1/42/sendMessage', { ...good, token: ['GOOD', 'BAD'], android: { ...good.android, biTag: 'msg_9' } }, sendHeaders(t));
      expect(res.data).toMatchObject({ code: 200, data: { sendResult: true, expireTokens: ['BAD'] } });
      expect(sim.accepted).toEqual(['GOOD']);
      await until(async () => (received.length > 0 ? true : undefined), 'the receipt to arrive', 5000);
      expect(received).toEqual([{ statuses: [expect.objectContaining({ token: 'GOOD', status: 0, biTag: 'msg_9', appid: '42' })] }]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
