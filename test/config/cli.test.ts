/**
 * The command-line entry points: `--help` prints the usage and touches nothing, an unknown
 * argument is one line and exit 2, and a port already in use is one line naming the address.
 * Runs the compiled entry points (npm test builds them first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dist = (p: string) => new URL(`../../dist/${p}`, import.meta.url).pathname;
const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-cli-'));

function config(db: string, port = 0): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `server: { port: ${port}, host: 127.0.0.1 }
store: { driver: sqlite, path: "${db}" }
security: { encryptionKey: "${'a'.repeat(64)}" }
log: { level: silent }
tenants:
  - id: acme
    serverKeys: [ "cli-test-server-key-0001" ]
    providers: { huawei: { appId: "1", clientSecret: "s", endpoint: "http://127.0.0.1:9", authEndpoint: "http://127.0.0.1:9" } }
`,
  );
  return file;
}

function run(entry: string, args: string[], configFile?: string) {
  // cwd is the temp dir: a default config/pushgate.yaml or ./data/pushgate.db would show up there.
  return spawnSync(process.execPath, [dist(entry), ...args], { cwd: dir, env: { ...process.env, ...(configFile ? { PUSHGATE_CONFIG: configFile } : {}) }, encoding: 'utf8', timeout: 30_000 });
}

const gatewayEntries = ['src/main.js', 'src/cli/migrate.js', 'src/cli/rotate-keys.js'];
const benchEntries = ['bench/all.js', 'bench/accept-profile.js', 'bench/dispatch-profile.js', 'bench/store-profile.js'];

describe('command-line entry points', () => {
  it.each(gatewayEntries)('%s --help prints the usage, exits 0 and opens no database', (entry) => {
    const db = path.join(dir, `help-${path.basename(entry)}.db`);
    const out = run(entry, ['--help'], config(db));
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^Usage: /);
    expect(out.stdout).toContain('--config');
    expect(out.stderr).toBe('');
    expect(existsSync(db)).toBe(false);
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
  });

  it.each(gatewayEntries)('%s refuses an unknown option or argument with one line and exit 2, opening nothing', (entry) => {
    const db = path.join(dir, `unknown-${path.basename(entry)}.db`);
    for (const args of [['--frobnicate'], ['extra'], ['--config']]) {
      const out = run(entry, args, config(db));
      expect({ args, status: out.status }).toEqual({ args, status: 2 });
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(/^pushgate: .*'(--frobnicate|extra|-c, --config <value>)'.*; see --help\n$/);
    }
    expect(existsSync(db)).toBe(false);
  });

  it('npm run migrate -- --config <file> migrates the store that file names', () => {
    const db = path.join(dir, 'by-flag.db');
    const out = run('src/cli/migrate.js', ['--config', config(db)]);
    expect(out.status).toBe(0);
    expect(existsSync(db)).toBe(true);
  });

  it.each(benchEntries)('%s answers --help (exit 0) and refuses an unknown flag (exit 2) without running', (entry) => {
    const help = run(entry, ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: /);
    const bad = run(entry, ['--bogus']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("pushgate: Unknown option '--bogus'; see --help\n");
  });
});

describe('a port already in use', () => {
  it('is one line naming the address, exit 1, no stack trace', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    try {
      const file = config(path.join(dir, 'busy.db'), port);
      const out = run('src/main.js', [], file);
      expect(out.stderr).toBe(`pushgate: cannot listen on 127.0.0.1:${port}: address already in use (another pushgate or process holds it; change server.port in ${file})\n`);
      expect(out.status).toBe(1);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});
