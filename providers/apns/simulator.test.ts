/**
 * The APNs simulator speaks Apple's protocol: checked with a bare node:http2 client, so the
 * adapter's own mistakes cannot hide the simulator's.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import http2 from 'node:http2';
import { ApnsSimulator, type ClientCertificate } from './simulator.js';

const TOPIC = 'com.example.app';
const tok = (i: number | string) => createHash('sha256').update(String(i)).digest('hex');
const PRODUCTION = 'api.push.apple.com';
const SANDBOX = 'api.sandbox.push.apple.com';

interface Answer {
  status: number;
  reason?: string;
  timestamp?: number;
  apnsId?: string;
}

function jwt(sim: ApnsSimulator, claims: { kid?: string; iss?: string; iat?: number; key?: string } = {}): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = enc({ alg: 'ES256', kid: claims.kid ?? sim.keyId });
  const body = enc({ iss: claims.iss ?? sim.teamId, iat: claims.iat ?? Math.floor(Date.now() / 1000) });
  const sig = sign('sha256', Buffer.from(`${head}.${body}`), { key: claims.key ?? sim.privateKeyPem, dsaEncoding: 'ieee-p1363' });
  return `${head}.${body}.${sig.toString('base64url')}`;
}

let sim: ApnsSimulator;
const sessions: http2.ClientHttp2Session[] = [];

function connect(s: ApnsSimulator, authority = PRODUCTION, cert?: ClientCertificate): http2.ClientHttp2Session {
  const session = http2.connect(`https://127.0.0.1:${s.port}`, { ca: s.caPem, servername: authority, ...(cert ? { cert: cert.cert, key: cert.key } : {}) });
  session.on('error', () => {});
  sessions.push(session);
  return session;
}

function post(
  session: http2.ClientHttp2Session,
  opts: { token?: string; path?: string; method?: string; headers?: Record<string, string>; body?: string; auth?: string | null; authority?: string } = {},
): Promise<Answer> {
  const headers: http2.OutgoingHttpHeaders = {
    ':method': opts.method ?? 'POST',
    ':path': opts.path ?? `/3/device/${opts.token ?? tok(1)}`,
    ':authority': opts.authority ?? PRODUCTION,
    'apns-topic': TOPIC,
    'apns-push-type': 'alert',
    ...(opts.auth === null ? {} : { authorization: `bearer ${opts.auth ?? jwt(sim)}` }),
    ...opts.headers,
  };
  for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
  return new Promise((resolve, reject) => {
    const req = session.request(headers);
    let status = 0;
    let apnsId: string | undefined;
    let data = '';
    req.setEncoding('utf8');
    req.on('response', (h) => {
      status = Number(h[':status']);
      apnsId = typeof h['apns-id'] === 'string' ? h['apns-id'] : undefined;
    });
    req.on('data', (chunk: string) => (data += chunk));
    req.on('end', () => resolve({ status, apnsId, ...(data ? (JSON.parse(data) as { reason: string; timestamp?: number }) : {}) }));
    req.on('error', reject);
    req.end(opts.body ?? JSON.stringify({ aps: { alert: { title: 'T', body: 'B' } } }));
  });
}

beforeEach(async () => {
  sim = await ApnsSimulator.start();
});

afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  await sim.close();
});

describe('token auth', () => {
  test('a request signed with the .p8 key is accepted: 200, the apns-id echoed, the token recorded', async () => {
    const id = '123e4567-e89b-12d3-a456-426614174000';
    const answer = await post(connect(sim), { headers: { 'apns-id': id } });
    expect(answer).toEqual({ status: 200, apnsId: id });
    expect(sim.accepted).toEqual([tok(1)]);
  });

  test('no authorization header is 403 MissingProviderToken', async () => {
    expect(await post(connect(sim), { auth: null })).toMatchObject({ status: 403, reason: 'MissingProviderToken' });
  });

  test('a JWT signed by another key, or with another kid or iss, is 403 InvalidProviderToken', async () => {
    const session = connect(sim);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    for (const auth of [jwt(sim, { key: other }), jwt(sim, { kid: 'OTHERKEY01' }), jwt(sim, { iss: 'OTHERTEAM1' }), 'not-a-jwt']) {
      expect(await post(session, { auth })).toMatchObject({ status: 403, reason: 'InvalidProviderToken' });
    }
    expect(sim.accepted).toEqual([]);
  });

  test('a JWT issued more than an hour ago is 403 ExpiredProviderToken; one 59 minutes old is fine', async () => {
    const session = connect(sim);
    const now = Math.floor(Date.now() / 1000);
    expect(await post(session, { auth: jwt(sim, { iat: now - 3601 }) })).toMatchObject({ status: 403, reason: 'ExpiredProviderToken' });
    expect(await post(session, { auth: jwt(sim, { iat: now - 3540 }) })).toMatchObject({ status: 200 });
  });
});

describe('request checks', () => {
  test('path and method: 404 BadPath, 400 MissingDeviceToken, 400 BadDeviceToken, 405 MethodNotAllowed', async () => {
    const session = connect(sim);
    expect(await post(session, { path: '/3/devices/abc' })).toMatchObject({ status: 404, reason: 'BadPath' });
    expect(await post(session, { path: '/3/device/' })).toMatchObject({ status: 400, reason: 'MissingDeviceToken' });
    expect(await post(session, { token: 'not-hex' })).toMatchObject({ status: 400, reason: 'BadDeviceToken' });
    expect(await post(session, { method: 'PUT' })).toMatchObject({ status: 405, reason: 'MethodNotAllowed' });
  });

  test.each([
    [{ 'apns-topic': '' }, 400, 'MissingTopic'],
    [{ 'apns-push-type': 'shout' }, 400, 'InvalidPushType'],
    [{ 'apns-priority': '7' }, 400, 'BadPriority'],
    [{ 'apns-expiration': 'tomorrow' }, 400, 'BadExpirationDate'],
    [{ 'apns-collapse-id': 'c'.repeat(65) }, 400, 'BadCollapseId'],
    [{ 'apns-id': 'not-a-uuid' }, 400, 'BadMessageId'],
  ])('header %j is answered %d %s', async (headers, status, reason) => {
    expect(await post(connect(sim), { headers })).toMatchObject({ status, reason });
  });

  test('payload: empty is 400 PayloadEmpty, over 4096 bytes 413 PayloadTooLarge, VoIP may take 5120', async () => {
    const session = connect(sim);
    const sized = (n: number) => JSON.stringify({ aps: {}, pad: 'x'.repeat(n - 19) });
    expect(await post(session, { body: '' })).toMatchObject({ status: 400, reason: 'PayloadEmpty' });
    expect(await post(session, { body: sized(4096) })).toMatchObject({ status: 200 });
    expect(await post(session, { body: sized(4097) })).toMatchObject({ status: 413, reason: 'PayloadTooLarge' });
    expect(await post(session, { body: sized(5000), headers: { 'apns-push-type': 'voip' } })).toMatchObject({ status: 200 });
  });
});

describe('answers per token and knobs', () => {
  test('410 Unregistered with a timestamp, BadDeviceToken for a token of the other environment, DeviceTokenNotForTopic', async () => {
    sim.invalidTokens.add(tok(2));
    sim.tokenEnvironments.set(tok(3), 'sandbox');
    sim.wrongTopicTokens.add(tok(4));
    const prod = connect(sim);
    const gone = await post(prod, { token: tok(2) });
    expect(gone).toMatchObject({ status: 410, reason: 'Unregistered' });
    expect(typeof gone.timestamp).toBe('number');
    expect(await post(prod, { token: tok(3) })).toMatchObject({ status: 400, reason: 'BadDeviceToken' });
    expect(await post(connect(sim, SANDBOX), { token: tok(3), authority: SANDBOX })).toMatchObject({ status: 200 });
    expect(await post(prod, { token: tok(4) })).toMatchObject({ status: 400, reason: 'DeviceTokenNotForTopic' });
    expect(sim.requests.map((r) => r.environment)).toEqual(['production', 'production', 'sandbox', 'production']);
  });

  test('throttle answers 429 TooManyRequests, fail 503 ServiceUnavailable, each for the next n requests only', async () => {
    const session = connect(sim);
    sim.throttle(1, 5);
    sim.fail(1);
    expect(await post(session)).toMatchObject({ status: 429, reason: 'TooManyRequests' });
    expect(await post(session)).toMatchObject({ status: 503, reason: 'ServiceUnavailable' });
    expect(await post(session)).toMatchObject({ status: 200 });
    expect(sim.sendRequests).toBe(3);
  });
});

describe('stream ramp', () => {
  test('a session starts with one allowed stream and gets maxConcurrentStreams after its first authenticated request', async () => {
    const ramped = await ApnsSimulator.start({ initialMaxStreams: 1, maxConcurrentStreams: 500 });
    try {
      const session = connect(ramped);
      await new Promise((resolve) => session.once('remoteSettings', resolve));
      expect(session.remoteSettings.maxConcurrentStreams).toBe(1);
      const raised = new Promise((resolve) => session.once('remoteSettings', resolve));
      const first = post(session, { auth: jwt(ramped) });
      await raised;
      expect((await first).status).toBe(200);
      expect(session.remoteSettings.maxConcurrentStreams).toBe(500);
    } finally {
      await ramped.close();
    }
  });

  test('like Apple, it refuses the streams of a cold burst: a client that does not wait for its SETTINGS loses all but one', async () => {
    const ramped = await ApnsSimulator.start({ initialMaxStreams: 1 });
    try {
      // What node-apn does: 20 streams at once on a new connection, before the server's SETTINGS are read.
      const session = connect(ramped);
      const token = jwt(ramped);
      const answers = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => post(session, { token: tok(i), auth: token })));
      const sent = answers.filter((a) => a.status === 'fulfilled' && a.value.status === 200);
      const refused = answers.filter((a) => a.status === 'rejected' && /REFUSED_STREAM/.test(String(a.reason)));
      expect(sent.length).toBeLessThan(20);
      expect(refused.length).toBeGreaterThan(0);
      expect(sent.length + refused.length).toBe(20);
    } finally {
      await ramped.close();
    }
  });
});

describe('certificate auth', () => {
  test('accepts a client certificate from its CA and refuses others with Apple’s reasons', async () => {
    const certSim = await ApnsSimulator.start({ certAuth: true });
    try {
      const good = certSim.clientCertificate;
      if (!good) throw new Error('no client certificate issued');
      const sandboxOnly = certSim.issueClientCertificate({ environments: ['sandbox'] });
      const untrusted = certSim.issueClientCertificate({ trusted: false });
      const noHeaders = { auth: null };
      expect(await post(connect(certSim, PRODUCTION, good), noHeaders)).toMatchObject({ status: 200 });
      expect(await post(connect(certSim, SANDBOX, good), { ...noHeaders, authority: SANDBOX })).toMatchObject({ status: 200 });
      expect(await post(connect(certSim, PRODUCTION, sandboxOnly), noHeaders)).toMatchObject({ status: 403, reason: 'BadCertificateEnvironment' });
      expect(await post(connect(certSim, SANDBOX, sandboxOnly), { ...noHeaders, authority: SANDBOX })).toMatchObject({ status: 200 });
      expect(await post(connect(certSim, PRODUCTION, untrusted), noHeaders)).toMatchObject({ status: 403, reason: 'BadCertificate' });
      expect(await post(connect(certSim), noHeaders)).toMatchObject({ status: 403, reason: 'MissingProviderToken' });
      expect(certSim.requests.filter((r) => r.status === 200).map((r) => r.auth)).toEqual(['certificate', 'certificate', 'certificate']);
    } finally {
      await certSim.close();
    }
  });
});
