/**
 * The web console's sign-in and its session on the /v1 API (issue 13): a server key is exchanged
 * for an HttpOnly SameSite=Strict cookie; with the cookie, every state-changing call needs the
 * CSRF token; logout revokes the cookie; a session sees only its tenant; disabled means 404.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLIENT_KEY, hwToken, OTHER_SERVER_KEY, SERVER_KEY, testGateway, type TestGateway } from '../factories/gateway.js';

/** The token with its last character changed (never to itself). */
const tamper = (token: string) => `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;

const send = { to: { userIds: ['alice'] }, notification: { title: 'Hi', body: 'there' } };

describe('web console sessions', () => {
  let t: TestGateway;
  let assets: string;
  beforeAll(async () => {
    assets = mkdtempSync(path.join(tmpdir(), 'pushgate-console-assets-'));
    mkdirSync(path.join(assets, 'assets'));
    writeFileSync(path.join(assets, 'index.html'), '<!doctype html><title>pushgate</title><script type="module" src="/console/assets/app-abc.js"></script>');
    writeFileSync(path.join(assets, 'assets', 'app-abc.js'), 'console.log(1)');
    t = await testGateway({ config: { console: { enabled: true, sessionTtlMinutes: 30, signInAttemptsPerMinute: 1000 }, server: { port: 0, trustProxy: true } }, consoleAssetsDir: assets });
    await t.server('post', '/v1/devices').send({ provider: 'huawei', token: hwToken(1), userId: 'alice' }).expect(201);
  });
  afterAll(async () => {
    await t.close();
    rmSync(assets, { recursive: true, force: true });
  });

  async function signIn(key = SERVER_KEY) {
    const res = await t.http.post('/console/session').send({ key }).expect(200);
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const cookie = setCookie[0]!.split(';')[0]!;
    return { cookie, csrf: res.body.csrfToken as string, setCookie: setCookie[0]!, body: res.body };
  }

  it('exchanges a server key for an HttpOnly, SameSite=Strict session cookie and a CSRF token', async () => {
    const s = await signIn();
    expect(s.body).toEqual({ tenant: 'acme', role: 'server', csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expiresAt: expect.any(String) });
    expect(s.setCookie).toMatch(/^pushgate_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const me = await t.http.get('/console/session').set('Cookie', s.cookie).expect(200);
    expect(me.body).toMatchObject({ tenant: 'acme', csrfToken: s.csrf });
    expect(me.headers['cache-control']).toBe('no-store');
  });

  it('marks the cookie Secure when the request came over https (server.trustProxy and X-Forwarded-Proto)', async () => {
    const res = await t.http.post('/console/session').set('X-Forwarded-Proto', 'https').send({ key: SERVER_KEY }).expect(200);
    expect(String(res.headers['set-cookie'])).toMatch(/; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
  });

  it('refuses a client key (403), an unknown key (401), a non-JSON body (415) and a cross-site origin (403)', async () => {
    const client = await t.http.post('/console/session').send({ key: CLIENT_KEY }).expect(403);
    expect(client.body.error.code).toBe('forbidden');
    expect(client.headers['set-cookie']).toBeUndefined();
    expect((await t.http.post('/console/session').send({ key: 'not-a-key-0000000000' }).expect(401)).body.error.code).toBe('unauthorized');
    expect((await t.http.post('/console/session').type('form').send({ key: SERVER_KEY }).expect(415)).body.error.code).toBe('unsupported_media_type');
    expect((await t.http.post('/console/session').set('Origin', 'https://evil.example').send({ key: SERVER_KEY }).expect(403)).body.error.code).toBe('forbidden');
    expect((await t.http.post('/console/session').send({}).expect(400)).body.error.details[0].field).toBe('key');
  });

  it('lets the cookie read the API, and requires the CSRF token on every state-changing call', async () => {
    const s = await signIn();
    await t.http.get('/v1/messages').set('Cookie', s.cookie).expect(200);
    const none = await t.http.post('/v1/messages').set('Cookie', s.cookie).send(send).expect(403);
    expect(none.body.error.code).toBe('csrf_token_invalid');
    const wrong = await t.http.post('/v1/messages').set('Cookie', s.cookie).set('X-CSRF-Token', tamper(s.csrf)).send(send).expect(403);
    expect(wrong.body.error.code).toBe('csrf_token_invalid');
    const other = await signIn();
    await t.http.delete('/v1/users/alice').set('Cookie', s.cookie).set('X-CSRF-Token', other.csrf).expect(403);
    const ok = await t.http.post('/v1/messages').set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf).send(send).expect(202);
    expect(ok.body.targets).toBe(1);
  });

  it('keeps bearer requests as they were: no CSRF token, and a bearer key wins over a cookie', async () => {
    await t.server('post', '/v1/messages').send(send).expect(202);
    const s = await signIn();
    await t.http.post('/v1/messages').set('Cookie', s.cookie).set('Authorization', `Bearer ${CLIENT_KEY}`).send(send).expect(403);
  });

  it('revokes the session at logout: the same cookie no longer works anywhere', async () => {
    const s = await signIn();
    await t.http.delete('/console/session').set('Cookie', s.cookie).expect(403);
    const out = await t.http.delete('/console/session').set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf).expect(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^pushgate_session=; Path=\/; Expires=Thu, 01 Jan 1970/);
    expect((await t.http.get('/v1/messages').set('Cookie', s.cookie).expect(401)).body.error.code).toBe('unauthorized');
    await t.http.get('/console/session').set('Cookie', s.cookie).expect(401);
  });

  it('ends the session a new sign-in in the same browser replaces', async () => {
    const first = await signIn();
    const again = await t.http.post('/console/session').set('Cookie', first.cookie).send({ key: SERVER_KEY }).expect(200);
    const second = String(([] as string[]).concat(again.headers['set-cookie'] ?? [])[0]).split(';')[0]!;
    expect(second).not.toBe(first.cookie);
    await t.http.get('/v1/messages').set('Cookie', first.cookie).expect(401);
    await t.http.get('/v1/messages').set('Cookie', second).expect(200);
  });

  it('ends a session left idle longer than console.sessionTtlMinutes, and keeps a used one alive', async () => {
    const used = await signIn();
    const idle = await signIn();
    for (let i = 0; i < 4; i++) {
      t.clock.advance(10 * 60_000);
      await t.http.get('/v1/messages').set('Cookie', used.cookie).expect(200);
    }
    await t.http.get('/v1/messages').set('Cookie', idle.cookie).expect(401);
  });

  it('shows nothing of another tenant: messages, devices and users of beta are not found from an acme session', async () => {
    const betaDevice = (await t.server('post', '/v1/devices', OTHER_SERVER_KEY).send({ provider: 'huawei', token: hwToken(99), userId: 'bob' }).expect(201)).body;
    const betaMessage = (await t.server('post', '/v1/messages', OTHER_SERVER_KEY).send({ to: { userIds: ['bob'] }, notification: { title: 'x', body: 'y' } }).expect(202)).body;
    const s = await signIn();
    const as = (req: ReturnType<typeof t.http.get>) => req.set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf);
    await as(t.http.get(`/v1/messages/${betaMessage.id}`)).expect(404);
    await as(t.http.delete(`/v1/messages/${betaMessage.id}`)).expect(404);
    await as(t.http.delete(`/v1/devices/${betaDevice.id}`)).expect(404);
    expect((await as(t.http.get('/v1/devices?userId=bob')).expect(200)).body.devices).toEqual([]);
    const lanes = (await as(t.http.get('/v1/lanes')).expect(200)).body.lanes as Array<{ provider: string }>;
    expect(lanes.map((l) => l.provider)).toEqual(['huawei']);
    expect((await t.server('get', '/v1/devices?userId=bob', OTHER_SERVER_KEY).expect(200)).body.devices).toHaveLength(1);
  });

  it('serves the bundle with a strict CSP, no framing, an uncached page and immutable assets', async () => {
    const page = await t.http.get('/console').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'self';.*frame-ancestors 'none'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['cache-control']).toBe('no-cache');
    const asset = await t.http.get('/console/assets/app-abc.js').expect(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await t.http.get('/console/nope').expect(404)).body.error.code).toBe('not_found');
  });
});

describe('sign-in limits', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await testGateway({ config: { console: { enabled: true, signInAttemptsPerMinute: 2 } } });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After past console.signInAttemptsPerMinute from one address, then lets it try again', async () => {
    await t.http.post('/console/session').send({ key: 'wrong-key-000000000000' }).expect(401);
    await t.http.post('/console/session').send({ key: 'wrong-key-000000000000' }).expect(401);
    const over = await t.http.post('/console/session').send({ key: SERVER_KEY }).expect(429);
    expect(over.body.error.code).toBe('too_many_sign_in_attempts');
    expect(Number(over.headers['retry-after'])).toBe(60);
    t.clock.advance(60_000);
    await t.http.post('/console/session').send({ key: SERVER_KEY }).expect(200);
  });
});

describe('console disabled (the default)', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await testGateway();
  });
  afterAll(() => t.close());

  it('answers 404 for /console and its sign-in, and a session cookie authenticates nothing', async () => {
    expect((await t.http.get('/console').expect(404)).body.error.code).toBe('not_found');
    await t.http.post('/console/session').send({ key: SERVER_KEY }).expect(404);
    await t.http.get('/v1/messages').set('Cookie', `pushgate_session=${'a'.repeat(43)}`).expect(401);
  });
});
