import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { providers } from '../../providers/registry.js';
import type { AnyProviderDefinition } from '../../providers/types.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { createRedactor, maskUrl } from '../../src/privacy/redact.js';

/** Names a person would call secret, whatever the vendor's definition lists: keys, secrets, private keys. */
const LOOKS_SECRET = /secret|password|passphrase|private_?key|key$/i;

/** Every string leaf of a vendor config, and whether it is secret by its definition or by its name. */
function leaves(def: AnyProviderDefinition, value: unknown, path: string[] = []): Array<{ path: string[]; value: string; secret: boolean }> {
  if (typeof value === 'string') return [{ path, value, secret: path.some((p) => def.secretFields.includes(p) || LOOKS_SECRET.test(p)) }];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => leaves(def, v, [...path, k]));
}

/** The secret leaves, less values that also sit in a public field (FCM's project id is in the key file and in projectId). */
function secretLeaves(def: AnyProviderDefinition, config: unknown): Array<{ path: string[]; value: string }> {
  const all = leaves(def, config);
  const open = new Set(all.filter((l) => !l.secret).map((l) => l.value));
  return all.filter((l) => l.secret && l.value.length >= 6 && !open.has(l.value));
}

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('trace', stream), text: () => lines.join('') };
}

/** The playground config of every provider: real-shaped credentials, with the simulator they work against. */
async function withPlaygroundConfig<T>(def: AnyProviderDefinition, use: (config: Record<string, unknown>) => T): Promise<T> {
  if (!def.playground) throw new Error(`${def.id} has no playground config to test with`);
  const sim = await def.playground({ receiptUrl: 'http://127.0.0.1:1/v1/receipts' });
  try {
    const config = sim.config as Record<string, unknown>;
    // A config that names a key file (FCM's playground) is also tested with the file inlined, the other form it accepts.
    const credential = config.credential as { serviceAccountFile?: string } | undefined;
    if (credential?.serviceAccountFile) return use({ ...config, credential: { serviceAccount: JSON.parse(readFileSync(credential.serviceAccountFile, 'utf8')) } });
    return use(config);
  } finally {
    await sim.simulator.close();
  }
}

describe('redaction', () => {
  it.each(providers.map((d) => [d.id, d] as const))('a log line carrying the %s config shows none of its secrets', async (_id, def) => {
    await withPlaygroundConfig(def, (config) => {
      const secrets = secretLeaves(def, config);
      expect(secrets.length).toBeGreaterThan(0);
      const { logger, text } = capture();
      logger.info({ config: { tenants: [{ id: 'acme', providers: { [def.id]: config } }] } }, 'config');
      logger.warn({ vendor: config }, 'vendor call failed');
      logger.child({ tenant: 'acme', provider: def.id, settings: config }).error('lane failed');
      const out = text();
      for (const s of secrets) {
        // JSON escapes newlines (PEM keys): look for the value both as it is and as JSON writes it.
        expect({ path: s.path.join('.'), shown: out.includes(s.value) || out.includes(JSON.stringify(s.value).slice(1, -1)) }).toEqual({ path: s.path.join('.'), shown: false });
      }
      expect(out).toContain('[redacted]');
    });
  });

  it.each(providers.map((d) => [d.id, d] as const))('a config error in the %s section shows none of its secrets', async (_id, def) => {
    await withPlaygroundConfig(def, (config) => {
      // Each secret becomes a distinct wrong-typed value, so the vendor's schema reports a problem at (or above) it.
      const broken = structuredClone(config);
      const planted = secretLeaves(def, config).map((s, i) => {
        const wrong = 987_654_000 + i;
        let at = broken as Record<string, unknown>;
        for (const p of s.path.slice(0, -1)) at = at[p] as Record<string, unknown>;
        at[s.path[s.path.length - 1] as string] = wrong;
        return { path: s.path.join('.'), wrong };
      });
      let problems: string[] = [];
      try {
        parseConfig({ security: { encryptionKey: 'e'.repeat(64) }, tenants: [{ id: 'acme', serverKeys: ['k'.repeat(16)], providers: { [def.id]: broken } }] }, {}, providers);
      } catch (err) {
        problems = (err as { problems: string[] }).problems;
      }
      expect(problems.join('\n')).toContain(`providers.${def.id}`);
      for (const p of planted) expect({ path: p.path, shown: problems.some((line) => line.includes(String(p.wrong))) }).toEqual({ path: p.path, shown: false });
    });
  });

  it('a config error never shows an API key, the encryption key or a receipt secret', () => {
    let problems: string[] = [];
    try {
      parseConfig({ security: { encryptionKey: 'not-a-key-but-secret' }, tenants: [{ id: 'acme', serverKeys: ['short-server-key'.slice(0, 12)], clientKeys: ['short-client'], receiptSecret: 'short-rcpt' }] }, {}, providers);
    } catch (err) {
      problems = (err as { problems: string[] }).problems;
    }
    expect(problems).toHaveLength(4);
    for (const secret of ['not-a-key-but-secret', 'short-server', 'short-client', 'short-rcpt']) expect(problems.join('\n')).not.toContain(secret);
    expect(problems.join('\n')).toContain('(got (hidden))');
  });

  it('hides the rotation keys (encryptionKeys, lookupKey) in logs', () => {
    const { logger, text } = capture();
    logger.info({ config: { security: { encryptionKeys: [{ id: 2, key: 'c'.repeat(64) }, { id: 1, key: 'd'.repeat(64) }], lookupKey: 'e'.repeat(64) } } }, 'config');
    expect(text()).not.toMatch(/c{64}|d{64}|e{64}/);
    expect(text()).toContain('[redacted]');
  });

  it('masks the password of a URL wherever it is logged, and keeps the rest readable', () => {
    const { logger, text } = capture();
    logger.info({ store: { url: 'postgres://pushgate:db-pass-123@db:5432/pushgate' }, queue: 'redis://:redis-pass-456@cache:6379' }, 'connected');
    expect(text()).not.toMatch(/db-pass-123|redis-pass-456/);
    expect(text()).toContain('postgres://pushgate:***@db:5432/pushgate');
    expect(maskUrl('redis://:redis-pass-456@cache:6379')).toBe('redis://:***@cache:6379');
  });

  it('hides everything below a secret key, leaves errors and other values as they are', () => {
    const r = createRedactor([{ secretFields: ['auth'] }]);
    const err = new Error('boom');
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    expect(r.redact({ auth: { token: { keyId: 'K' } }, topic: 'com.acme', list: [{ clientKeys: ['k1'] }], err, cyclic })).toEqual({
      auth: '[redacted]',
      topic: 'com.acme',
      list: [{ clientKeys: '[redacted]' }],
      err,
      cyclic: { name: 'x', self: cyclic },
    });
    expect(r.hidesPath(['tenants', 0, 'providers', 'apns', 'auth', 'cert', 'cert'])).toBe(true);
    expect(r.hidesPath(['tenants', 0, 'providers', 'apns', 'topic'])).toBe(false);
  });
});
