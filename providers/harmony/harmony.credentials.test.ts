import { constants, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { harmonyConfigSchema } from './harmony.config.js';
import { CachedCredential } from './harmony.credentials.js';
import { harmonyJwtParts, signHarmonyJwt } from './harmony.jwt.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const SA = { project_id: '3158882000052863', key_id: 'kid-1', private_key: PEM, sub_account: '1234567890', auth_uri: 'https://x', token_uri: 'https://oauth-login.cloud.huawei.com/oauth2/v3/token' };
const NOW = Date.UTC(2025, 5, 1, 8, 0, 0, 700);

describe('the service-account JWT', () => {
  it('has the header and claims Huawei fixes: kid, PS256, iss = sub_account, aud = token URI, exp = iat + lifetime', () => {
    expect(harmonyJwtParts(SA, NOW, 3600)).toEqual({
      header: { kid: 'kid-1', typ: 'JWT', alg: 'PS256' },
      claims: { iss: '1234567890', aud: 'https://oauth-login.cloud.huawei.com/oauth2/v3/token', iat: Math.floor(NOW / 1000), exp: Math.floor(NOW / 1000) + 3600 },
    });
    expect(harmonyJwtParts({ key_id: 'k', sub_account: 's' }, NOW, 60).claims.aud).toBe('https://oauth-login.cloud.huawei.com/oauth2/v3/token');
  });

  it('is signed RSASSA-PSS SHA-256 with a 32-byte salt, verifiable with the public key', () => {
    const { header, claims } = harmonyJwtParts(SA, NOW, 3600);
    const jwt = signHarmonyJwt(header, claims, PEM);
    const [h, p, s] = jwt.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual(header);
    expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toEqual(claims);
    const ok = (saltLength: number) => verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, Buffer.from(s, 'base64url'));
    expect(ok(32)).toBe(true);
    expect(ok(20)).toBe(false);
  });
});

describe('CachedCredential', () => {
  it('fetches once for concurrent callers, reuses until the refresh margin, then fetches again', async () => {
    let clock = 0;
    let fetches = 0;
    const cache = new CachedCredential(async () => ({ value: `v${++fetches}`, expiresAt: clock + 3_600_000 }), () => clock);
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual(['v1', 'v1', 'v1']);
    clock = 3_600_000 - 6 * 60_000;
    expect(await cache.get()).toBe('v1');
    clock = 3_600_000 - 4 * 60_000;
    expect(await cache.get()).toBe('v2');
    expect(fetches).toBe(2);
  });

  it('refreshes short-lived credentials at half their life', async () => {
    let clock = 0;
    let n = 0;
    const cache = new CachedCredential(async () => ({ value: `v${++n}`, expiresAt: clock + 120_000 }), () => clock);
    await cache.get();
    clock = 59_000;
    expect(await cache.get()).toBe('v1');
    clock = 61_000;
    expect(await cache.get()).toBe('v2');
  });

  it('fetches anew after invalidate, and never re-caches a value fetched before the invalidation', async () => {
    let release: (v: { value: string; expiresAt: number }) => void = () => {};
    let n = 0;
    const cache = new CachedCredential(() => (++n === 1 ? new Promise((r) => (release = r)) : Promise.resolve({ value: `v${n}`, expiresAt: 1e12 })), () => 0);
    const first = cache.get();
    cache.invalidate();
    release({ value: 'v1', expiresAt: 1e12 });
    expect(await first).toBe('v1');
    expect(await cache.get()).toBe('v2');
  });
});

describe('harmonyConfigSchema', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'pushgate-harmony-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the key file inline (object or JSON text) and defaults projectId to its project_id', () => {
    const a = harmonyConfigSchema.parse({ serviceAccount: SA });
    const b = harmonyConfigSchema.parse({ serviceAccount: JSON.stringify(SA), projectId: '99' });
    expect(a).toMatchObject({ projectId: SA.project_id, endpoint: 'https://push-api.cloud.huawei.com', jwtLifetimeSeconds: 3600, serviceAccount: { key_id: 'kid-1' } });
    expect(b.projectId).toBe('99');
    expect(harmonyConfigSchema.parse(a)).toEqual(a);
  });

  it('reads serviceAccountFile at start-up and carries the key, not the path', () => {
    const file = path.join(dir, 'sa.json');
    writeFileSync(file, JSON.stringify(SA));
    const c = harmonyConfigSchema.parse({ serviceAccountFile: file });
    expect(c.serviceAccount.sub_account).toBe('1234567890');
    expect(c).not.toHaveProperty('serviceAccountFile');
  });

  it('reports a missing or wrong key file, a non-RSA key, both or neither key forms and a lifetime over a day', () => {
    const issues = (input: unknown) => {
      const r = harmonyConfigSchema.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues({ serviceAccountFile: path.join(dir, 'nope.json') })).toEqual([expect.stringMatching(/^serviceAccountFile: cannot read .*nope\.json: no such file/)]);
    writeFileSync(path.join(dir, 'bad.json'), '{"project_id":"1"}');
    expect(issues({ serviceAccountFile: path.join(dir, 'bad.json') })[0]).toMatch(/is not a service-account key: key_id/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(issues({ serviceAccount: { ...SA, private_key: ec } })).toEqual(['serviceAccount.private_key: private_key is a ec key; PS256 needs RSA']);
    expect(issues({})).toEqual([expect.stringContaining('give exactly one of serviceAccount')]);
    expect(issues({ serviceAccount: SA, jwtLifetimeSeconds: 86_401 })).toEqual([expect.stringMatching(/^jwtLifetimeSeconds/)]);
    expect(issues({ serviceAccount: SA, callbackKey: 'k' })).toEqual([expect.stringContaining('callbackUserName and callbackKey go together')]);
  });
});
