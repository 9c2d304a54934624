/**
 * The simulator speaks Huawei's protocol: these tests talk to it with a plain HTTP client,
 * not through the adapter, so they can catch a simulator that is too lenient.
 */
import axios from 'axios';
import { HuaweiSimulator } from './simulator.js';

let sim: HuaweiSimulator;
let clock = 1_700_000_000_000;
const http = axios.create({ validateStatus: () => true, proxy: false });

beforeEach(async () => {
  clock = 1_700_000_000_000;
  sim = await HuaweiSimulator.start({ appId: '100200300', clientSecret: 'sekret', tokenTtlSeconds: 3600, now: () => clock });
});
afterEach(() => sim.close());

async function token(clientId = '100200300', clientSecret = 'sekret') {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
  return http.post(`${sim.url}/oauth2/v3/token`, form.toString(), { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

async function send(body: unknown, accessToken?: string, appId = '100200300') {
  const headers: Record<string, string> = { 'content-type': 'application/json;charset=UTF-8' };
  if (accessToken) headers['authorization'] = `Bearer ${accessToken}`;
  return http.post(`${sim.url}/v1/${appId}/messages:send`, body, { headers });
}

const ok = (message: Record<string, unknown>) => ({ validate_only: false, message: { data: '{}', ...message } });
const T = (i: number) => `TOKEN${String(i).padStart(27, '0')}CN01`;

async function validToken(): Promise<string> {
  const res = await token();
  return (res.data as { access_token: string }).access_token;
}

describe('HuaweiSimulator', () => {
  it('issues an access token only for the right client id and secret', async () => {
    const good = await token();
    expect(good.status).toBe(200);
    expect(good.data).toMatchObject({ expires_in: 3600, token_type: 'Bearer' });
    const bad = await token('100200300', 'nope');
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({ error: 1101, sub_error: 20002 });
    expect((await token('999', 'sekret')).status).toBe(400);
  });

  it('rejects a missing or unknown bearer token with 80200001 and an expired one with 80200003 (HTTP 401)', async () => {
    const none = await send(ok({ token: [T(1)] }));
    expect([none.status, none.data.code]).toEqual([401, '80200001']);
    const unknown = await send(ok({ token: [T(1)] }), 'made-up');
    expect([unknown.status, unknown.data.code]).toEqual([401, '80200001']);
    const at = await validToken();
    expect((await send(ok({ token: [T(1)] }), at)).data.code).toBe('80000000');
    clock += 3600 * 1000;
    const expired = await send(ok({ token: [T(1)] }), at);
    expect([expired.status, expired.data.code]).toEqual([401, '80200003']);
    expect(sim.accepted).toEqual([T(1)]);
  });

  it('rejects a token of this app used for another app id with 80200001', async () => {
    const res = await send(ok({ token: [T(1)] }), await validToken(), '100200301');
    expect(res.data.code).toBe('80200001');
  });

  it('refuses more than 1000 tokens with 80300010', async () => {
    const res = await send(ok({ token: Array.from({ length: 1001 }, (_, i) => T(i)) }), await validToken());
    expect([res.status, res.data.code]).toEqual([400, '80300010']);
    expect(sim.accepted).toEqual([]);
  });

  it('counts the 4096-byte limit without the token list (80300008)', async () => {
    const at = await validToken();
    const atLimit = ok({ data: 'x'.repeat(4000), token: [T(1)] });
    expect((await send(atLimit, at)).data.code).toBe('80000000');
    const over = ok({ data: 'x'.repeat(4100), token: [T(1)] });
    expect((await send(over, at)).data.code).toBe('80300008');
  });

  it.each([
    ['token and topic together', { token: ['TOKEN_A_LONG_ENOUGH_12345'], topic: 'news' }, '80100001'],
    ['no target', {}, '80100001'],
    ['collapse_key 101', { token: [T(1)], android: { collapse_key: 101 } }, '80100013'],
    ['urgency LOW', { token: [T(1)], android: { urgency: 'LOW' } }, '80100001'],
    ['ttl "1 day"', { token: [T(1)], android: { ttl: '1 day' } }, '80100004'],
    ['unknown category', { token: [T(1)], android: { category: 'SPAM' } }, '80100001'],
    ['a notification without click_action', { token: [T(1)], android: { notification: { title: 't', body: 'b' } } }, '80100003'],
    ['click_action type 2 without url', { token: [T(1)], android: { notification: { title: 't', body: 'b', click_action: { type: 2 } } } }, '80100001'],
    ['data that is not a string', { token: [T(1)], data: { a: 1 } }, '80100003'],
  ])('refuses a message with %s', async (_name, message, code) => {
    const res = await send({ validate_only: false, message }, await validToken());
    expect(res.data.code).toBe(code);
    expect(sim.accepted).toEqual([]);
  });

  it('answers per token: 80100000 with a JSON-string msg for mixed tokens and 80300007 when all are invalid', async () => {
    const at = await validToken();
    sim.invalidTokens.add(T(2));
    const mixed = await send(ok({ token: [T(1), T(2)] }), at);
    expect(mixed.data.code).toBe('80100000');
    expect(JSON.parse(mixed.data.msg as string)).toEqual({ success: 1, failure: 1, illegal_tokens: [T(2)] });
    sim.partialForm = 'illegalTokens';
    const mixed2 = await send(ok({ token: [T(1), T(2)] }), at);
    expect(JSON.parse(mixed2.data.msg as string)).toEqual({ success: 1, failure: 1, illegalTokens: { '80300007': [T(2)] } });
    const all = await send(ok({ token: [T(2)] }), at);
    expect(all.data.code).toBe('80300007');
    expect(sim.accepted).toEqual([T(1), T(1)]);
  });

  it('throttles with HTTP 503 and Retry-After, and fails with HTTP 500 / 81000001', async () => {
    const at = await validToken();
    sim.throttle(1, 3);
    const throttled = await send(ok({ token: [T(1)] }), at);
    expect([throttled.status, throttled.headers['retry-after']]).toEqual([503, '3']);
    sim.fail(1);
    const failed = await send(ok({ token: [T(1)] }), at);
    expect([failed.status, failed.data.code]).toEqual([500, '81000001']);
    expect((await send(ok({ token: [T(1)] }), at)).data.code).toBe('80000000');
    expect(sim.sendRequests).toBe(3);
  });

  it('records nothing for validate_only', async () => {
    const res = await send({ validate_only: true, message: { data: '{}', token: [T(1)] } }, await validToken());
    expect(res.data.code).toBe('80000000');
    expect(sim.accepted).toEqual([]);
  });

  it('leaves send answers unchanged when quotaExhausted is set (Huawei reports quota only in receipts)', async () => {
    sim.quotaExhausted = true;
    expect((await send(ok({ token: [T(1)] }), await validToken())).data.code).toBe('80000000');
  });
});
