/**
 * Start-up failures an operator meets: an unreachable PostgreSQL or Redis is one clear line
 * naming the URL with its password masked, not a stack trace. Runs the compiled entry points.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keyBytes } from '../../src/config/schema.js';
import { TokenCipher } from '../../src/privacy/token-cipher.js';
import { SqliteStore } from '../../src/store/sqlite.js';

const dist = (p: string) => new URL(`../../dist/src/${p}`, import.meta.url).pathname;
const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-start-'));

function run(entry: string, config: string) {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, config);
  return spawnSync(process.execPath, [dist(entry)], { env: { ...process.env, PUSHGATE_CONFIG: file }, encoding: 'utf8', timeout: 30_000 });
}

const tenants = `
security: { encryptionKey: "${'a'.repeat(64)}" }
log: { level: silent }
tenants:
  - id: acme
    serverKeys: [ "startup-server-key-0001" ]
    providers: { huawei: { appId: "1", clientSecret: "s", endpoint: "http://127.0.0.1:9", authEndpoint: "http://127.0.0.1:9" } }
`;

describe('start-up', () => {
  it('npm run migrate creates and migrates the SQLite store, then exits 0', () => {
    const db = path.join(dir, 'migrated.db');
    const out = run('cli/migrate.js', `store: { driver: sqlite, path: "${db}" }\n${tenants}`);
    expect(out.stderr).toContain(`sqlite store at ${db} is migrated`);
    expect(out.status).toBe(0);
    expect(existsSync(db)).toBe(true);
  });

  it('npm run migrate merges APNs devices stored by an older version in both letter cases', async () => {
    const db = path.join(dir, 'tokens.db');
    const cipher = new TokenCipher(keyBytes('a'.repeat(64)));
    const store = new SqliteStore(db);
    const token = 'ABCDEF0123456789'.repeat(4);
    for (const [id, t, now] of [['dev_1', token, 1], ['dev_2', token.toLowerCase(), 2]] as const) {
      await store.upsertDevice({ id, tenant: 'acme', provider: 'apns', tokenEnc: cipher.encrypt(t), tokenHash: cipher.hash('apns', t), userId: null, extras: null, now });
    }
    await store.close();
    const out = run('cli/migrate.js', `store: { driver: sqlite, path: "${db}" }\n${tenants}`);
    expect(out.stderr).toContain('apns tokens: 2 scanned, 0 rewritten, 1 merged into another device, 0 left as they were');
    expect(out.status).toBe(0);
    const after = new SqliteStore(db);
    expect((await after.getDevices('acme', ['dev_1', 'dev_2'])).map((d) => [d.id, d.tokenHash])).toEqual([['dev_2', cipher.hash('apns', token.toLowerCase())]]);
    await after.close();
  });

  it('an unreachable PostgreSQL is one line with the password masked', () => {
    const out = run('main.js', `store: { driver: postgres, url: "postgres://pushgate:hunter2@127.0.0.1:1/pushgate" }\n${tenants}`);
    expect(out.status).toBe(1);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/^pushgate: cannot reach PostgreSQL at postgres:\/\/pushgate:\*\*\*@127\.0\.0\.1:1\/pushgate/);
    expect(out.stderr).not.toContain('hunter2');
  });

  it('an unreachable Redis is one line with the password masked', () => {
    const out = run('main.js', `store: { driver: sqlite, path: "${path.join(dir, 'r.db')}" }\nqueue: { driver: redis, url: "redis://:hunter2@127.0.0.1:1" }\n${tenants}`);
    expect(out.status).toBe(1);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/^pushgate: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
    expect(out.stderr).not.toContain('hunter2');
  });
});
