/**
 * The vivo simulator checks what vivo checks (auth sign, lengths, categories, list pushes), driven
 * over raw HTTP; the adapter's signer only builds the requests, as a client would.
 */
import { vivoSign } from './vivo.request.js';
import { VivoSimulator } from './simulator.js';

const token = (i: number) => `1563853541030${String(i).padStart(10, '0')}`;
const MIN = 60_000;

describe('vivo simulator', () => {
  let sim: VivoSimulator;
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return (await res.json()) as { result: number; authToken?: string; taskId?: string; invalidUsers?: unknown };
  };
  const auth = (over: Record<string, unknown> = {}) => {
    const timestamp = Date.now();
    return post('/message/auth', { appId: sim.appId, appKey: sim.appKey, timestamp, sign: vivoSign(sim.appId, sim.appKey, timestamp, sim.appSecret), ...over });
  };
  const valid = { notifyType: 1, title: 'hi', content: 'there', skipType: 1, classification: 1, category: 'IM', requestId: 'r1' };

  beforeEach(async () => {
    sim = await VivoSimulator.start();
  });
  afterEach(async () => {
    await sim.close();
  });

  it('rejects wrong auth with vivo codes: empty fields, unknown appId, wrong appKey, stale timestamp, wrong or uppercase sign', async () => {
    const ts = Date.now();
    const stale = ts - 11 * MIN;
    const results = [
      await auth({ appId: '' }),
      await auth({ appKey: '' }),
      await auth({ timestamp: '' }),
      await auth({ sign: '' }),
      await auth({ appId: '99999' }),
      await auth({ appKey: 'other' }),
      await auth({ timestamp: stale, sign: vivoSign(sim.appId, sim.appKey, stale, sim.appSecret) }),
      await auth({ timestamp: ts, sign: vivoSign(sim.appId, sim.appKey, ts, 'wrong-secret') }),
      await auth({ timestamp: ts, sign: vivoSign(sim.appId, sim.appKey, ts, sim.appSecret).toUpperCase() }),
    ].map((r) => r.result);
    expect(results).toEqual([10200, 10201, 10203, 10204, 10205, 10202, 10207, 10206, 10206]);
    const good = await auth();
    expect(good.result).toBe(0);
    expect(good.authToken).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses sends without a valid authToken (10000), with another appId (10094) or without requestId (10353)', async () => {
    const { authToken } = await auth();
    const h = { authToken: authToken as string };
    expect((await post('/message/send', { ...valid, appId: sim.appId, regId: token(1) })).result).toBe(10000);
    expect((await post('/message/send', { ...valid, appId: sim.appId, regId: token(1) }, { authToken: 'nope' })).result).toBe(10000);
    expect((await post('/message/send', { ...valid, appId: '1', regId: token(1) }, h)).result).toBe(10094);
    expect((await post('/message/send', { ...valid, appId: sim.appId, regId: token(1), requestId: undefined }, h)).result).toBe(10353);
    expect((await post('/message/send', { ...valid, appId: Number(sim.appId), regId: token(1) }, h)).result).toBe(0);
    sim.expireAccessTokens();
    expect((await post('/message/send', { ...valid, appId: sim.appId, regId: token(1), requestId: 'r2' }, h)).result).toBe(10000);
  });

  it('validates lengths the vivo way, classification and category, and pushToList size and taskId', async () => {
    const { authToken } = await auth();
    const h = { authToken: authToken as string };
    const send = (over: Record<string, unknown>) => post('/message/send', { ...valid, appId: sim.appId, regId: token(1), requestId: String(Math.random()), ...over }, h);
    expect((await send({ title: '中'.repeat(20) })).result).toBe(0);
    expect((await send({ title: '中'.repeat(21) })).result).toBe(10056);
    expect((await send({ content: '文'.repeat(51) })).result).toBe(10058);
    expect((await send({ classification: 2 })).result).toBe(11000);
    expect((await send({ category: 'WEATHER' })).result).toBe(10096);
    expect((await send({ classification: 0, category: 'IM' })).result).toBe(10097);
    expect((await send({ regId: undefined })).result).toBe(10050);
    const saved = await post('/message/saveListPayload', { ...valid, appId: sim.appId }, h);
    expect(saved.result).toBe(0);
    const push = (over: Record<string, unknown>) => post('/message/pushToList', { appId: sim.appId, regIds: [token(1), token(2)], taskId: saved.taskId, requestId: String(Math.random()), ...over }, h);
    expect((await push({ regIds: [token(1)] })).result).toBe(10153);
    expect((await push({ regIds: Array.from({ length: 1001 }, (_, i) => token(i)) })).result).toBe(10153);
    expect((await push({ taskId: '1' })).result).toBe(10067);
    sim.invalidTokens.add(token(2));
    expect(await push({})).toMatchObject({ result: 0, invalidUsers: [{ status: 1, userid: token(2) }] });
  });
});
