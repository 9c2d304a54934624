/**
 * `pushgate config check`: the start-up loader run on its own. Every problem of a broken file is
 * listed (not just the first) and exits 1; a valid one is summarised without a secret and exits 0;
 * neither opens the store (a PostgreSQL URL on a closed port would fail if it tried).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pushgate } from './run-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-config-check-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

const BROKEN = `server: { port: 99999, hots: 127.0.0.1 }
store: { driver: sqlite, path: "${path.join(dir, 'broken.db')}" }
security: { encryptionKey: "\${PUSHGATE_TEST_UNSET_KEY}" }
tenants:
  - id: acme
    serverKeys: [ "acme-server-key-000000000001" ]
    providers:
      huwei: { appId: "1" }
      xiaomi: { packageName: com.acme.app }
`;

const VALID = `store: { driver: postgres, url: "postgres://pushgate:hunter2@127.0.0.1:1/pushgate" }
queue: { driver: redis, url: "redis://:hunter2@127.0.0.1:1" }
security: { encryptionKey: "${'a'.repeat(64)}" }
tenants:
  - id: acme
    serverKeys: [ "acme-server-key-000000000001" ]
    providers:
      huawei: { appId: "1", clientSecret: "hw-secret-value" }
      fcm: { simulator: true }
  - id: beta
    serverKeys: [ "beta-server-key-000000000001" ]
    providers: {}
`;

describe('pushgate config check', () => {
  it('lists every problem of a broken file, each with its path, and exits 1 without creating the store', async () => {
    const out = await pushgate(['config', 'check', file('broken.yaml', BROKEN)], { cwd: dir });
    expect(out.status).toBe(1);
    const problems = out.stdout.split('\n').filter((l) => l.startsWith('  - '));
    expect(problems).toEqual([
      expect.stringMatching(/^ {2}- security\.encryptionKey: environment variable PUSHGATE_TEST_UNSET_KEY is not set/),
      expect.stringMatching(/^ {2}- server\.port: .*65535/),
      '  - server.hots: unknown key; did you mean "host"?',
      expect.stringMatching(/^ {2}- tenants\[0\]\.providers\.huwei: unknown provider "huwei"; did you mean "huawei"\?/),
      expect.stringMatching(/^ {2}- tenants\[0\]\.providers\.xiaomi\.appSecret: /),
    ]);
    expect(out.stdout).toMatch(/\n5 problems\n$/);
    expect(existsSync(path.join(dir, 'broken.db'))).toBe(false);
  });

  it('--json gives the same problems as one document', async () => {
    const out = await pushgate(['config', 'check', '--json', file('broken-json.yaml', BROKEN)], { cwd: dir });
    expect(out.status).toBe(1);
    const doc = JSON.parse(out.stdout) as { ok: boolean; problems: string[] };
    expect(doc.ok).toBe(false);
    expect(doc.problems).toHaveLength(5);
  });

  it('summarises a valid file (tenants, providers, store, queue) with the passwords masked, exits 0, and connects to nothing', async () => {
    const out = await pushgate(['config', 'check', file('valid.yaml', VALID)], { cwd: dir });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toBe(
      [
        `ok: ${path.join(dir, 'valid.yaml')}`,
        'tenant acme  huawei, fcm (simulated: fcm)',
        'tenant beta  no providers',
        'store        postgres postgres://pushgate:***@127.0.0.1:1/pushgate',
        'queue        redis redis://:***@127.0.0.1:1',
        '',
      ].join('\n'),
    );
    expect(out.stdout).not.toContain('hunter2');
  });

  it('reads $PUSHGATE_CONFIG when no file is given, and says when the file cannot be read', async () => {
    const ok = await pushgate(['config', 'check'], { cwd: dir, env: { PUSHGATE_CONFIG: file('by-env.yaml', VALID) } });
    expect(ok.status).toBe(0);
    const missing = await pushgate(['config', 'check', path.join(dir, 'nope.yaml')], { cwd: dir });
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain('cannot read the config file');
  });
});
