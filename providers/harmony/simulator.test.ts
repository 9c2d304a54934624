/**
 * The simulator's JWT checks, made with hand-built tokens (not the adapter's signer): the
 * simulator must refuse what Push Kit refuses.
 */
import { constants, createPrivateKey, sign } from 'node:crypto';
import axios from 'axios';
import { HarmonySimulator } from './simulator.js';

let sim: HarmonySimulator;
let clock = 1_750_000_000_000;
beforeAll(async () => (sim = await HarmonySimulator.start({ now: () => clock })));
afterAll(async () => sim.close());

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
function jwt(over: { header?: object; claims?: object; saltLength?: number } = {}): string {
  const iat = Math.floor(clock / 1000);
  const header = { kid: sim.keyId, typ: 'JWT', alg: 'PS256', ...over.header };
  const claims = { iss: sim.subAccount, aud: 'https://oauth-login.cloud.huawei.com/oauth2/v3/token', iat, exp: iat + 3600, ...over.claims };
  const input = `${b64(header)}.${b64(claims)}`;
  const key = createPrivateKey(sim.serviceAccount().private_key);
  const s = sign('sha256', Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: over.saltLength ?? 32 });
  return `${input}.${s.toString('base64url')}`;
}

async function send(token: string, headers: Record<string, string> = { 'push-type': '0' }, body: object = okBody) {
  const res = await axios.post(`${sim.url}/v3/${sim.projectId}/messages:send`, body, { headers: { authorization: `Bearer ${token}`, ...headers }, validateStatus: () => true, proxy: false });
  return [res.status, (res.data as { code: string }).code];
}
const okBody = { payload: { notification: { category: 'IM', title: 't', body: 'b', clickAction: { actionType: 0 } } }, target: { token: ['MAAALgE4G98BAAAA0000000001'] } };

describe('HarmonySimulator JWT checks', () => {
  it('takes a correct PS256 JWT', async () => {
    expect(await send(jwt())).toEqual([200, '80000000']);
  });

  it.each([
    ['another alg', { header: { alg: 'RS256' } }],
    ['an unknown kid', { header: { kid: 'nope' } }],
    ['iss not the sub_account', { claims: { iss: '1' } }],
    ['another aud', { claims: { aud: 'https://example.com' } }],
    ['a PSS salt that is not the digest length', { saltLength: 20 }],
  ])('refuses %s with 80200001', async (_what, over) => {
    expect(await send(jwt(over))).toEqual([401, '80200001']);
  });

  it('refuses a lifetime over one day (80300036) and an expired JWT (80200005)', async () => {
    const iat = Math.floor(clock / 1000);
    expect(await send(jwt({ claims: { exp: iat + 86_401 } }))).toEqual([401, '80300036']);
    expect(await send(jwt({ claims: { exp: iat + 86_400 } }))).toEqual([200, '80000000']);
    const token = jwt();
    clock += 3600_000;
    try {
      expect(await send(token)).toEqual([401, '80200005']);
    } finally {
      clock -= 3600_000;
    }
  });

  it('checks push-type, batch size and payload fields', async () => {
    expect(await send(jwt(), {})).toEqual([400, '80100003']);
    expect(await send(jwt(), { 'push-type': '6' })).toEqual([400, '80100003']);
    const many = { ...okBody, target: { token: Array.from({ length: 1001 }, (_, i) => `MAAALgE4G98BAAAA${i}xxxxxxxx`) } };
    expect(await send(jwt(), { 'push-type': '0' }, many)).toEqual([400, '80300010']);
    const test11 = { ...okBody, target: { token: many.target.token.slice(0, 11) }, pushOptions: { testMessage: true } };
    expect(await send(jwt(), { 'push-type': '0' }, test11)).toEqual([400, '80300030']);
    const badge = { ...okBody, payload: { notification: { ...okBody.payload.notification, badge: { addNum: 100 } } } };
    expect(await send(jwt(), { 'push-type': '0' }, badge)).toEqual([400, '80100003']);
    expect(await send(jwt(), { 'push-type': '0' }, { ...okBody, pushOptions: { ttl: 1_296_001 } })).toEqual([400, '80100004']);
  });
});
