/**
 * The FCM simulator speaks FCM v1 and Google OAuth the way Google does, and the playground config reaches it
 * (moved out of fcm.provider.test.ts; setup in fcm.test-helpers.ts).
 */
import http2 from 'node:http2';
import https from 'node:https';
import { FcmProvider } from './fcm.provider.js';
import { fcmProvider } from './index.js';
import { FcmSimulator } from './simulator.js';
import { batch, depsWith } from './fcm.test-helpers.js';

let sim: FcmSimulator;
let provider: FcmProvider | undefined;

beforeEach(async () => {
  sim = await FcmSimulator.start({ recordRequests: true });
});
afterEach(async () => {
  await provider?.close();
  provider = undefined;
  await sim.close();
});

describe('the simulator speaks FCM and Google OAuth', () => {
  async function rawSend(headers: Record<string, string>, body: unknown, project = sim.projectId): Promise<{ status: number; body: { error?: { status: string; message: string; details?: unknown[] } } }> {
    const session = http2.connect(sim.url, { ca: sim.caPem });
    try {
      return await new Promise((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': `/v1/projects/${project}/messages:send`, 'content-type': 'application/json', ...headers });
        let status = 0;
        let text = '';
        req.on('response', (h) => (status = Number(h[':status'])));
        req.on('data', (c: Buffer) => (text += c.toString()));
        req.on('end', () => resolve({ status, body: JSON.parse(text) as never }));
        req.on('error', reject);
        req.end(JSON.stringify(body));
      });
    } finally {
      session.close();
    }
  }

  const valid = { message: { token: 'tok', data: { a: 'b' }, android: { priority: 'HIGH', ttl: '60s' } } };

  test('a missing, unknown or revoked bearer token is answered 401 UNAUTHENTICATED', async () => {
    expect((await rawSend({}, valid)).status).toBe(401);
    const unknown = await rawSend({ authorization: 'Bearer ya29.not-issued' }, valid);
    expect(unknown.status).toBe(401);
    expect(unknown.body.error?.status).toBe('UNAUTHENTICATED');
    const token = sim.issueAccessToken();
    expect((await rawSend({ authorization: `Bearer ${token}` }, valid)).status).toBe(200);
    sim.revokeAccessTokens();
    expect((await rawSend({ authorization: `Bearer ${token}` }, valid)).status).toBe(401);
  });

  test('an expired access token is answered 401, a token without an FCM scope 403', async () => {
    await sim.close();
    let now = Date.now();
    sim = await FcmSimulator.start({ now: () => now });
    const token = sim.issueAccessToken();
    now += 3600_000;
    expect((await rawSend({ authorization: `Bearer ${token}` }, valid)).status).toBe(401);
    const noScope = sim.issueAccessToken(['https://www.googleapis.com/auth/userinfo.email']);
    const r = await rawSend({ authorization: `Bearer ${noScope}` }, valid);
    expect([r.status, r.body.error?.status]).toEqual([403, 'PERMISSION_DENIED']);
  });

  test('body shape errors are answered 400 INVALID_ARGUMENT with a field violation', async () => {
    const auth = { authorization: `Bearer ${sim.issueAccessToken()}` };
    const bad = [
      { message: { data: { a: 'b' } } }, // no target
      { message: { token: 'tok', data: { n: 1 } } }, // non-string data
      { message: { token: 'tok', android: { ttl: '60' } } }, // ttl not a Duration
      { message: { token: 'tok', android: { priority: 'URGENT' } } },
      { message: { token: 'tok', apns: { headers: { 'apns-priority': 10 } } } },
      { message: { token: 'tok', tokn: 'x' } }, // unknown field
      { message: { token: 'tok', data: { big: 'x'.repeat(5000) } } }, // > 4096 bytes
    ];
    for (const body of bad) {
      const r = await rawSend(auth, body);
      expect([r.status, r.body.error?.status]).toEqual([400, 'INVALID_ARGUMENT']);
      expect(JSON.stringify(r.body.error?.details)).toContain('google.rpc.BadRequest');
    }
    expect(sim.accepted).toEqual([]);
  });

  test('an OAuth assertion with a bad signature is answered 400 invalid_grant, like Google', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = Buffer.from(
      JSON.stringify({ iss: sim.serviceAccount.client_email, scope: 'https://www.googleapis.com/auth/firebase.messaging', aud: 'https://oauth2.googleapis.com/token', iat: now, exp: now + 3600 }),
    ).toString('base64url');
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: `${header}.${claims}.${Buffer.from('nope').toString('base64url')}` }).toString();
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.request(`${sim.url}/token`, { method: 'POST', ca: sim.caPem, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(form);
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
  });

  test('the playground config reaches its simulator with the real OAuth exchange', async () => {
    const pg = await fcmProvider.playground?.();
    if (!pg) throw new Error('no playground');
    const pgSim = pg.simulator as FcmSimulator;
    try {
      provider = new FcmProvider(pg.config, depsWith());
      const out = await provider.send(batch(['tok-a']));
      expect(out.results[0]?.outcome).toBe('sent');
      expect(pgSim.tokenRequests).toBe(1);
      expect(pgSim.accepted).toEqual(['tok-a']);
    } finally {
      await provider?.close();
      provider = undefined;
      await pgSim.close();
    }
  });
});
