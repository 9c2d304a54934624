/**
 * The shipped Docker files, read as data (no image is built here): the image's config listens on
 * all interfaces, docker-compose.yml's two profiles start (simulators without any secret, real
 * with the .env that docs/scaling.md's recipe writes), and Grafana is provisioned from files that exist.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { providers } from '../../providers/registry.js';
import { ConfigError, loadConfigFile } from '../../src/config/load.js';

const root = new URL('../../', import.meta.url).pathname;
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** `ENV A=1 B=2` lines of the final stage. */
function dockerfile(): { env: Record<string, string>; text: string } {
  const text = read('Dockerfile');
  const final = text.slice(text.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const [, line] of final.matchAll(/^ENV (.+)$/gm)) for (const [, k, v] of (line ?? '').matchAll(/([A-Z_]+)=(\S+)/g)) env[k as string] = v as string;
  return { env, text: final };
}

/** The repository file the image copies to $PUSHGATE_CONFIG. */
function imageConfigSource(d: { env: Record<string, string>; text: string }): string {
  const target = d.env.PUSHGATE_CONFIG;
  const m = new RegExp(`cp (config/\\S+) ${target}`).exec(d.text);
  if (!m?.[1]) throw new Error(`the Dockerfile does not copy a config to ${target}`);
  return path.join(root, m[1]);
}

describe('Dockerfile', () => {
  it('listens on all interfaces by default, so docker run -p 8080:8080 reaches it', () => {
    const d = dockerfile();
    const config = loadConfigFile(imageConfigSource(d), d.env, providers);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.server.port).toBe(8080);
    expect(d.text).toMatch(/^EXPOSE 8080$/m);
  });

  it('takes host and port from PUSHGATE_HOST / PUSHGATE_PORT, and the HEALTHCHECK follows the port', () => {
    const d = dockerfile();
    const config = loadConfigFile(imageConfigSource(d), { ...d.env, PUSHGATE_HOST: '10.1.2.3', PUSHGATE_PORT: '9000' }, providers);
    expect(config.server).toMatchObject({ host: '10.1.2.3', port: 9000 });
    expect(d.text).toMatch(/HEALTHCHECK[\s\S]*process\.env\.PUSHGATE_PORT/);
  });

  it('leaves `npm start` (no environment) on loopback: the playground keys are public', () => {
    expect(loadConfigFile(path.join(root, 'config/pushgate.yaml'), {}, providers).server.host).toBe('127.0.0.1');
  });
});

interface Service {
  build?: unknown;
  profiles?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  networks?: Record<string, { aliases?: string[] } | null>;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const instances = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
const inProfile = (p: string) => instances.filter(([, s]) => s.profiles?.includes(p));

/** Compose's own interpolation of `${VAR}` / `${VAR:-default}` against the host environment. */
function interpolate(value: string, host: Record<string, string>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => host[name] || (fallback ?? ''));
}
const containerEnv = (s: Service, host: Record<string, string>) => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), host)]));
const configOf = (s: Service) => path.join(root, String(s.environment?.PUSHGATE_CONFIG).replace(/^\/app\//, ''));

describe('docker-compose.yml', () => {
  it('has a `simulators` and a `real` profile of two instances each, every instance told PUBLIC_BASE_URL', () => {
    expect(inProfile('simulators')).toHaveLength(2);
    expect(inProfile('real')).toHaveLength(2);
    for (const [, s] of instances) expect(s.environment?.PUBLIC_BASE_URL).toBeDefined();
  });

  it('starts the simulators profile with no .env at all: no secret without a default', () => {
    for (const [, s] of inProfile('simulators')) {
      for (const v of Object.values(s.environment ?? {})) for (const [ref] of String(v).matchAll(/\$\{[^}]*\}/g)) expect(ref).toContain(':-');
      const env = containerEnv(s, {});
      expect(env.PUBLIC_BASE_URL).toBe('http://127.0.0.1:8080');
      const config = loadConfigFile(configOf(s), env, providers);
      expect(config.tenants.flatMap((t) => t.providers).every((p) => p.simulator)).toBe(true);
    }
  });

  it('refuses to start the real profile without .env, naming what is missing (no example.com receipts)', () => {
    for (const [, s] of inProfile('real')) {
      expect(() => loadConfigFile(configOf(s), containerEnv(s, {}), providers)).toThrow(ConfigError);
      expect(() => loadConfigFile(configOf(s), containerEnv(s, {}), providers)).toThrow(/PUBLIC_BASE_URL is not set/);
    }
  });

  it('starts the real profile with the .env that docs/scaling.md writes, and gives it that PUBLIC_BASE_URL', () => {
    const dotenv = runEnvRecipe();
    expect(dotenv.PUSHGATE_ENCRYPTION_KEY).toMatch(/^[0-9a-f]{64}$/);
    for (const [, s] of inProfile('real')) {
      const config = loadConfigFile(configOf(s), containerEnv(s, dotenv), providers);
      expect(config.server.publicBaseUrl).toBe(dotenv.PUBLIC_BASE_URL);
      expect(config.security.encryptionKey).toBe(dotenv.PUSHGATE_ENCRYPTION_KEY);
    }
  });

  it('lets Prometheus reach pushgate-1 and pushgate-2 in either profile', () => {
    const targets = [...read('config/prometheus/prometheus.yml').matchAll(/"([\w-]+):8080"/g)].map((m) => m[1]);
    expect(targets).toEqual(['pushgate-1', 'pushgate-2']);
    for (const profile of ['simulators', 'real']) {
      const names = inProfile(profile).flatMap(([name, s]) => [name, ...Object.values(s.networks ?? {}).flatMap((n) => n?.aliases ?? [])]);
      for (const t of targets) expect(names).toContain(t);
    }
  });

  it('provisions Grafana with the Prometheus datasource and the shipped dashboard, from files that exist', () => {
    const grafana = compose.services.grafana;
    const mounts = (grafana?.volumes ?? []).map((v) => {
      const [source, target] = v.split(':');
      return { source: path.join(root, source ?? ''), target: target ?? '' };
    });
    for (const m of mounts) expect(existsSync(m.source)).toBe(true);
    const datasources = mounts.find((m) => m.target.startsWith('/etc/grafana/provisioning/datasources/'));
    const dashboards = mounts.find((m) => m.target.startsWith('/etc/grafana/provisioning/dashboards/'));
    const ds = parse(readFileSync(datasources?.source ?? '', 'utf8')) as { datasources: Array<{ type: string; url: string }> };
    expect(ds.datasources).toContainEqual(expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }));
    const provider = (parse(readFileSync(dashboards?.source ?? '', 'utf8')) as { providers: Array<{ options: { path: string } }> }).providers[0];
    const dashboard = mounts.find((m) => m.source.endsWith('config/grafana/pushgate-dashboard.json'));
    expect(path.dirname(dashboard?.target ?? '')).toBe(provider?.options.path);
  });
});

/** Run docs/scaling.md's .env recipe (the lines before `docker compose`) in a scratch directory and read the result. */
function runEnvRecipe(): Record<string, string> {
  const doc = read('docs/scaling.md');
  const block = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').find((b) => b.includes('>> .env'));
  if (!block) throw new Error('docs/scaling.md has no sh block that writes .env');
  const script = block.slice(0, block.indexOf('docker compose'));
  const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-dotenv-'));
  try {
    execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir });
    const lines = readFileSync(path.join(dir, '.env'), 'utf8').trim().split('\n');
    // What compose reads: KEY=VALUE, taken literally (no shell inside .env).
    for (const l of lines) expect(l).toMatch(/^[A-Z_][A-Z0-9_]*=[^\s$`]+$/);
    return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
