/**
 * Start-up failures an operator meets: an unreachable PostgreSQL or Redis is one clear line
 * naming the URL with its password masked, not a stack trace. Runs the compiled entry points.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

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
