/**
 * One start-up report for every configuration problem: unset environment variables, schema
 * problems, vendor sections and the files they name (credential files, keys, CA certificates),
 * with a "did you mean" for misspelt keys at every level.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { providers } from '../../providers/registry.js';
import { ConfigError, parseConfig } from '../../src/config/load.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-report-'));
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};
const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsaKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
// Only the PEM framing is checked at load time; TLS parses the certificate when it connects.
const caPem = `-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n`;
const serviceAccount = { type: 'service_account', project_id: 'acme-prod', client_email: 'push@acme-prod.iam.gserviceaccount.com', private_key: rsaKey };

const KEY = 'c'.repeat(64);
const tenant = (providersSection: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ id: 'acme', serverKeys: ['server-key-0123456789'], providers: providersSection, ...extra });
const apns = (over: Record<string, unknown> = {}) => ({ auth: { token: { key: file('AuthKey.p8', ecKey), keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ' } }, topic: 'com.acme.app', ...over });

function problems(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, env, providers);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('files named by vendor sections', () => {
  it('are checked with the rest: a missing or wrong file is one line of the same report', () => {
    const found = problems({
      server: { port: 'eighty' },
      security: { encryptionKey: '${NO_SUCH_KEY}' },
      tenants: [
        tenant({
          fcm: { credential: { serviceAccountFile: path.join(dir, 'missing-firebase.json') }, ca: path.join(dir, 'missing-ca.pem') },
          apns: apns({ auth: { token: { key: file('rsa.p8', rsaKey), keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ' } }, ca: file('not-pem.txt', 'hello') }),
        }),
        { id: 'beta', serverKeys: ['server-key-beta-0123456'], providers: { fcm: { credential: { serviceAccountFile: file('not-json.json', '{oops') } }, apns: apns({ auth: { cert: { cert: path.join(dir, 'nope.crt'), key: file('half.key', '-----BEGIN PRIVATE KEY-----\nAAAA\n') } } }) } },
      ],
    });
    expect(found).toEqual([
      'security.encryptionKey: environment variable NO_SUCH_KEY is not set (referenced as ${NO_SUCH_KEY})',
      expect.stringMatching(/^server\.port: /),
      `tenants[0].providers.fcm.credential.serviceAccountFile: cannot read ${dir}/missing-firebase.json: no such file (the service-account key file from the Firebase console)`,
      `tenants[0].providers.fcm.ca: cannot read ${dir}/missing-ca.pem: no such file (give the PEM text or the path of a readable PEM file)`,
      `tenants[0].providers.apns.auth.token.key: ${dir}/rsa.p8: not a P-256 private key (the .p8 file from the Apple developer account) (got (hidden))`,
      `tenants[0].providers.apns.ca: ${dir}/not-pem.txt holds no PEM block (-----BEGIN …-----)`,
      `tenants[1].providers.fcm.credential.serviceAccountFile: ${dir}/not-json.json is not JSON (expected the service-account key file from the Firebase console)`,
      `tenants[1].providers.apns.auth.cert.cert: cannot read ${dir}/nope.crt: no such file (give the PEM text or the path of a readable PEM file) (got (hidden))`,
      `tenants[1].providers.apns.auth.cert.key: the PEM block in ${dir}/half.key is not complete (BEGIN without END) (got (hidden))`,
    ]);
  });

  it('accept readable files: the FCM service-account file, the APNs key, CA files of any vendor', () => {
    const cfg = parseConfig(
      {
        security: { encryptionKey: KEY },
        tenants: [tenant({ fcm: { credential: { serviceAccountFile: file('firebase.json', JSON.stringify(serviceAccount)) }, ca: file('ca.pem', caPem) }, apns: apns({ ca: file('apns-ca.pem', caPem) }), huawei: { appId: '1', clientSecret: 's', ca: file('hw-ca.pem', caPem) } })],
      },
      {},
      providers,
    );
    const byId = Object.fromEntries(cfg.tenants[0]!.providers.map((p) => [p.id, p.config as Record<string, unknown>]));
    expect(byId.fcm?.ca).toBe(caPem); // read now: TLS gets the PEM
    expect(byId.apns?.ca).toBe(caPem);
    expect(byId.huawei?.ca).toBe(caPem);
    expect(problems({ security: { encryptionKey: KEY }, tenants: [tenant({ huawei: { appId: '1', clientSecret: 's', ca: path.join(dir, 'gone.pem') } })] })).toEqual([
      `tenants[0].providers.huawei.ca: cannot read ${dir}/gone.pem: no such file (give the PEM text or the path of a readable PEM file)`,
    ]);
  });

  it('refuses a service-account file that is JSON but not a key', () => {
    const found = problems({ security: { encryptionKey: KEY }, tenants: [tenant({ fcm: { credential: { serviceAccountFile: file('other.json', '{"project_id":"acme-prod"}') } } })] });
    expect(found).toEqual([expect.stringMatching(new RegExp(`^tenants\\[0\\]\\.providers\\.fcm\\.credential\\.serviceAccountFile: ${dir}/other\\.json is not a service-account key: .*client_email`))]);
  });
});

describe('misspelt keys', () => {
  it('say "unknown key" and suggest the nearest valid key at every level', () => {
    const found = problems({
      sever: {},
      server: { prot: 8080, bodylimit: '1mb' },
      store: { driver: 'sqlite', paht: './x.db' },
      security: { encryptionKey: KEY },
      tenats: [],
      tenants: [tenant({ huwei: {}, huawei: { appId: '1', clientSecret: 's', clientSecrt: 's', rateLimt: {}, rateLimit: { perSecnd: 5, concurrency: 1 } }, apns: apns({ adress: '127.0.0.1' }) }, { serverKey: [], zzz: 1 })],
    });
    expect(found).toHaveLength(13);
    expect(found).toEqual(
      expect.arrayContaining([
        'sever: unknown key; did you mean "server"?',
        'server.prot: unknown key; did you mean "port"?',
        'server.bodylimit: unknown key; did you mean "bodyLimit"?',
        'store.paht: unknown key; did you mean "path"?',
        'tenats: unknown key; did you mean "tenants"?',
        'tenants[0].serverKey: unknown key; did you mean "serverKeys"?',
        'tenants[0].zzz: unknown key; expected one of id, serverKeys, clientKeys, maxBacklog, receiptSecret, providers, webhooks, allowPrivateNetworks',
        `tenants[0].providers.huwei: unknown provider "huwei"; did you mean "huawei"? expected one of ${providers.map((d) => d.id).join(', ')}`,
        'tenants[0].providers.huawei.clientSecrt: unknown key; did you mean "clientSecret"?',
        'tenants[0].providers.huawei.rateLimt: unknown key; did you mean "rateLimit"?',
        'tenants[0].providers.huawei.rateLimit.perSecnd: unknown key; did you mean "perSecond"?',
        expect.stringMatching(/^tenants\[0\]\.providers\.huawei\.rateLimit\.perSecond: .*\(got missing\)$/),
        'tenants[0].providers.apns.adress: unknown key; did you mean "address"?',
      ]),
    );
  });

  it('suggest within the store driver that was chosen', () => {
    expect(problems({ store: { driver: 'postgres', url: 'postgres://x', pth: 'x' }, security: { encryptionKey: KEY }, tenants: [tenant({})] })).toEqual(['store.pth: unknown key; expected one of driver, url, poolSize']);
  });
});

describe('the gateway process', () => {
  it('prints environment, schema and file problems in one report, with no stack trace', () => {
    const config = file(
      'all-wrong.yaml',
      `server: { port: eighty }
security: { encryptionKey: "\${PUSHGATE_TEST_UNSET_KEY}" }
tenats: []
tenants:
  - id: acme
    serverKeys: [ "server-key-0123456789" ]
    providers: { fcm: { credential: { serviceAccountFile: "${dir}/absent.json" } } }
`,
    );
    const main = new URL('../../dist/src/main.js', import.meta.url).pathname;
    const run = spawnSync(process.execPath, [main], { env: { ...process.env, PUSHGATE_CONFIG: config }, encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      [
        `pushgate: invalid configuration in ${config}:`,
        '  - security.encryptionKey: environment variable PUSHGATE_TEST_UNSET_KEY is not set (referenced as ${PUSHGATE_TEST_UNSET_KEY})',
        '  - server.port: Invalid input: expected number, received NaN (got "eighty")',
        '  - tenats: unknown key; did you mean "tenants"?',
        `  - tenants[0].providers.fcm.credential.serviceAccountFile: cannot read ${dir}/absent.json: no such file (the service-account key file from the Firebase console)`,
        '',
      ].join('\n'),
    );
  });
});
