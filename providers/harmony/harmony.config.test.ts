import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { harmonyConfigSchema } from './harmony.config.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const SA = { project_id: '3158882000052863', key_id: 'kid-1', private_key: PEM, sub_account: '1234567890', auth_uri: 'https://x', token_uri: 'https://oauth-login.cloud.huawei.com/oauth2/v3/token' };

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

  it('takes a per-request timeout in ms, positive and at most two minutes', () => {
    expect(harmonyConfigSchema.parse({ serviceAccount: SA, timeoutMs: 800 }).timeoutMs).toBe(800);
    expect(harmonyConfigSchema.parse({ serviceAccount: SA })).not.toHaveProperty('timeoutMs');
    expect(harmonyConfigSchema.safeParse({ serviceAccount: SA, timeoutMs: 0 }).success).toBe(false);
    expect(harmonyConfigSchema.safeParse({ serviceAccount: SA, timeoutMs: 120_001 }).success).toBe(false);
  });
});
