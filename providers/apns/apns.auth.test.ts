/**
 * The APNs adapter against the APNs simulator: token and certificate authentication
 * (moved out of apns.provider.test.ts; setup in apns.test-helpers.ts).
 */
import { generateKeyPairSync } from 'node:crypto';
import type { ProviderDeps } from '../types.js';
import type { ApnsConfig } from './apns.config.js';
import { ApnsProvider } from './apns.provider.js';
import { batchOf, configFor, device, makeDeps, raw , apnsHarness } from './apns.test-helpers.js';
import { ApnsSimulator, type ApnsSimulatorOptions } from './simulator.js';

let sim: ApnsSimulator;
let provider: ApnsProvider;
const { start, defer } = apnsHarness();

async function setup(opts: ApnsSimulatorOptions = {}, extra: Record<string, unknown> = {}, deps: ProviderDeps = makeDeps()): Promise<ApnsConfig> {
  let config: ApnsConfig;
  ({ sim, provider, config } = await start(opts, extra, deps));
  return config;
}

describe('auth', () => {
  test('a .p8 key APNs does not know is auth_error for the whole batch after one request', async () => {
    const config = await setup();
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const wrong = new ApnsProvider({ ...config, auth: { token: { ...sim.tokenCredentials(), key: other } } }, makeDeps());
    defer(() => wrong.close());
    const { results } = await wrong.send(batchOf([raw(1), raw(2), raw(3)]));
    expect(results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['auth_error', 'InvalidProviderToken'],
      ['auth_error', 'InvalidProviderToken'],
      ['auth_error', 'InvalidProviderToken'],
    ]);
    expect(sim.sendRequests).toBe(1);
  });

  test('an expired provider token is auth_error; after refreshCredentials() a resend succeeds with a fresh JWT on the same connection', async () => {
    await setup();
    expect((await provider.send(batchOf([raw(1)]))).results[0]?.outcome).toBe('sent');
    sim.expireIssuedTokens();
    const expired = await provider.send(batchOf([raw(2)]));
    expect(expired.results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: 'ExpiredProviderToken' });
    const seen = sim.providerTokensSeen;
    await provider.refreshCredentials();
    expect((await provider.send(batchOf([raw(2)]))).results[0]?.outcome).toBe('sent');
    expect(sim.providerTokensSeen).toBe(seen + 1);
    // A new connection would start again at one stream: the JWT is a header, so the session stays.
    expect(sim.sessionsOpened).toBe(1);
  });

  test('certificate auth sends with the client certificate and no authorization header', async () => {
    sim = await ApnsSimulator.start({ certAuth: true });
    const cert = sim.clientCertificate;
    if (!cert) throw new Error('simulator issued no client certificate');
    provider = new ApnsProvider(configFor(sim, { auth: { cert } }), makeDeps());
    const [s, p] = [sim, provider];
    defer(async () => {
      await p.close();
      await s.close();
    });
    const { results } = await provider.send(batchOf([device(1, 'production'), device(2, 'sandbox')]));
    expect(results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    expect(sim.requests.map((r) => [r.environment, r.auth]).sort()).toEqual([
      ['production', 'certificate'],
      ['sandbox', 'certificate'],
    ]);
  });

  test('a client certificate APNs did not issue is 403 BadCertificate: auth_error', async () => {
    sim = await ApnsSimulator.start({ certAuth: true });
    provider = new ApnsProvider(configFor(sim, { auth: { cert: sim.issueClientCertificate({ trusted: false }) } }), makeDeps());
    const [s, p] = [sim, provider];
    defer(async () => {
      await p.close();
      await s.close();
    });
    const { results } = await provider.send(batchOf([raw(1)]));
    expect(results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: 'BadCertificate' });
  });

  test('a production-only certificate used for a sandbox device is 403 BadCertificateEnvironment: auth_error, production still sent', async () => {
    sim = await ApnsSimulator.start({ certAuth: true });
    provider = new ApnsProvider(configFor(sim, { auth: { cert: sim.issueClientCertificate({ environments: ['production'] }) } }), makeDeps());
    const [s, p] = [sim, provider];
    defer(async () => {
      await p.close();
      await s.close();
    });
    const { results } = await provider.send(batchOf([device(1, 'sandbox'), device(2, 'production')]));
    expect(results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: 'BadCertificateEnvironment' });
    expect(results[1]?.outcome).toBe('sent');
    expect(sim.requests.map((r) => [r.environment, r.status]).sort()).toEqual([
      ['production', 200],
      ['sandbox', 403],
    ]);
  });
});
