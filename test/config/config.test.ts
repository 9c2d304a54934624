import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { providers } from '../../providers/registry.js';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/config/load.js';

const KEY = 'b'.repeat(64);
const base = (over: Record<string, unknown> = {}) => ({
  security: { encryptionKey: KEY },
  tenants: [{ id: 'acme', serverKeys: ['server-key-0123456789'], providers: { huawei: { appId: '1', clientSecret: 'hw-secret' } } }],
  ...over,
});

function problems(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, env, providers);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('fills defaults and freezes the result', () => {
    const cfg = parseConfig(base(), {}, providers);
    expect(cfg.store).toEqual({ driver: 'sqlite', path: './data/pushgate.db' });
    expect(cfg.server.port).toBe(8080);
    expect(cfg.tenants[0]?.providers[0]).toMatchObject({ id: 'huawei', simulator: false, config: { appId: '1' } });
    expect(Object.isFrozen(cfg.tenants[0]?.providers[0])).toBe(true);
  });

  it('interpolates ${ENV} and ${ENV:-default}', () => {
    const cfg = parseConfig(base({ security: { encryptionKey: '${KEY}' }, store: { driver: 'sqlite', path: '${DB:-/tmp/x.db}' } }), { KEY }, providers);
    expect(cfg.security.encryptionKey).toBe(KEY);
    expect(cfg.store).toMatchObject({ path: '/tmp/x.db' });
  });

  it('reports every problem at once: unset environment variables, schema and vendor sections together', () => {
    const found = problems({
      server: { port: 'eighty' },
      security: { encryptionKey: '${MISSING_KEY}' },
      tenants: [{ id: 'Acme!', serverKeys: ['short'], providers: { huawei: { appId: 1 }, nokia: {} } }],
    });
    expect(found).toEqual([
      'security.encryptionKey: environment variable MISSING_KEY is not set (referenced as ${MISSING_KEY})',
      expect.stringMatching(/^server\.port: .*got "eighty"/),
      expect.stringMatching(/^tenants\[0\]\.id: lowercase letters/),
      expect.stringMatching(/^tenants\[0\]\.serverKeys\[0\]: API keys must be at least 16 characters/),
      expect.stringMatching(/^tenants\[0\]\.providers\.huawei\.appId: /),
      expect.stringMatching(/^tenants\[0\]\.providers\.huawei\.clientSecret: .*\(got missing\)$/),
      expect.stringMatching(/^tenants\[0\]\.providers\.nokia: unknown provider "nokia"/),
    ]);
  });

  it("validates each vendor section with the vendor's own schema and names unknown providers", () => {
    const found = problems(base({ tenants: [{ id: 'acme', serverKeys: ['server-key-0123456789'], providers: { huawei: { appId: 1 }, nokia: {} } }] }));
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^tenants\[0\]\.providers\.huawei\.appId: /), expect.stringMatching(/^tenants\[0\]\.providers\.nokia: unknown provider "nokia"; expected one of xiaomi, huawei/)]));
  });

  it('never prints a secret value in a problem', () => {
    const found = problems(base({ tenants: [{ id: 'acme', serverKeys: ['server-key-0123456789'], providers: { huawei: { appId: '1', clientSecret: 12345678 } } }] }));
    expect(found.join('\n')).toMatch(/clientSecret/);
    expect(found.join('\n')).not.toContain('12345678');
  });

  it('refuses an API key shared by two tenants', () => {
    const found = problems(base({ tenants: [{ id: 'a', serverKeys: ['server-key-0123456789'] }, { id: 'b', serverKeys: ['server-key-0123456789'] }] }));
    expect(found.join('\n')).toMatch(/also a key of tenant "a"/);
  });

  it('loads the shipped playground config', () => {
    const cfg = loadConfigFile(new URL('../../config/pushgate.yaml', import.meta.url).pathname, {}, providers);
    expect(cfg.tenants[0]?.providers.map((p) => p.id).sort()).toEqual(providers.map((p) => p.id).sort());
    expect(cfg.tenants[0]?.providers.every((p) => p.simulator)).toBe(true);
  });

  it('makes the process exit non-zero with the problems, not a stack trace', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-cfg-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'server: { port: "x" }\nsecurity: { encryptionKey: short }\ntenants: []\n');
    const main = new URL('../../dist/src/main.js', import.meta.url).pathname;
    const run = spawnSync(process.execPath, [main], { env: { ...process.env, PUSHGATE_CONFIG: file }, encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`invalid configuration in ${file}`);
    expect(run.stderr).toMatch(/server\.port/);
    expect(run.stderr).toMatch(/security\.encryptionKey/);
    expect(run.stderr).toMatch(/tenants: configure at least one tenant/);
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
