/** The Xiaomi simulator checks requests the way Xiaomi does (moved out of xiaomi.provider.test.ts; setup in xiaomi.test-helpers.ts). */
import type { PushProvider } from '../types.js';
import { xiaomiProvider } from './index.js';
import { XiaomiSimulator } from './simulator.js';
import { xiaomiConfigSchema, type XiaomiConfig } from './xiaomi.config.js';
import { CHANNELS, PACKAGE, SECRET, T0, clock, deps, observed, token } from './xiaomi.test-helpers.js';

let sim: XiaomiSimulator;
let config: XiaomiConfig;
let provider: PushProvider;

beforeEach(async () => {
  sim = await XiaomiSimulator.start({ appSecret: SECRET, packageName: PACKAGE, channels: Object.values(CHANNELS), dayQuota: 5000 });
  config = xiaomiConfigSchema.parse({ appSecret: SECRET, packageName: PACKAGE, endpoint: sim.url, channels: CHANNELS });
  provider = xiaomiProvider.create(config, deps);
  observed.length = 0;
  clock.now = T0;
});

afterEach(async () => {
  await provider.close();
  await sim.close();
});

describe('Xiaomi simulator', () => {
  const post = async (form: Record<string, string>, authorization?: string) => {
    const res = await fetch(`${sim.url}/v3/message/regid`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization !== undefined ? { authorization } : {}) },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: (await res.json()) as { result: string; code: number; description: string } };
  };
  const valid = { registration_id: token(0), restricted_package_name: PACKAGE, pass_through: '0', title: 't', description: 'd' };

  test.each([
    ['no Authorization header', undefined],
    ['a wrong secret', 'key=wrong'],
    ['a Bearer token', `Bearer ${SECRET}`],
    ['an uppercase KEY', `KEY=${SECRET}`],
  ])('rejects %s with HTTP 200 and code 21301, as Xiaomi does', async (_what, authorization) => {
    const { status, body } = await post(valid, authorization);
    expect(status).toBe(200);
    expect(body).toMatchObject({ result: 'error', code: 21301 });
    expect(sim.accepted).toEqual([]);
  });

  test('accepts the exact key header', async () => {
    const { body } = await post(valid, `key=${SECRET}`);
    expect(body).toMatchObject({ result: 'ok', code: 0 });
  });

  test('refuses more than 1000 regIds with 10017', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => token(i)).join(',');
    expect((await post({ ...valid, registration_id: ids }, `key=${SECRET}`)).body).toMatchObject({ code: 10017 });
    expect(sim.accepted).toEqual([]);
  });

  test('refuses a 50-character title and a 128-character description with 65009', async () => {
    expect((await post({ ...valid, title: 'x'.repeat(50) }, `key=${SECRET}`)).body.code).toBe(65009);
    expect((await post({ ...valid, description: 'x'.repeat(128) }, `key=${SECRET}`)).body.code).toBe(65009);
    expect((await post({ ...valid, title: 'x'.repeat(49), description: 'x'.repeat(127) }, `key=${SECRET}`)).body.code).toBe(0);
  });

  test('refuses a missing package name with 10016 and a notification without title with 10016', async () => {
    const { restricted_package_name: _omit, ...noPackage } = valid;
    expect((await post(noPackage, `key=${SECRET}`)).body.code).toBe(10016);
    expect((await post({ ...valid, title: '' }, `key=${SECRET}`)).body.code).toBe(10016);
  });

  test('keeps duplicates in accepted so at-least-once resends are measurable', async () => {
    await post(valid, `key=${SECRET}`);
    await post(valid, `key=${SECRET}`);
    expect(sim.accepted).toEqual([token(0), token(0)]);
    expect(sim.dayAcked).toBe(2);
  });
});
