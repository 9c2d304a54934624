/**
 * GET /v1/lanes over real HTTP, with the vendors on their simulators: a lane's queue and recent
 * sends move as the dispatcher works; a throttling vendor pauses the lane with reason and until; a
 * vendor that stops answering shows as down; vivo's exhausted quota and Xiaomi's reported quota show
 * with their reset; a tenant sees only its own lanes.
 */
import type { SimulatorControls } from '../../providers/types.js';
import type { XiaomiSimulator } from '../../providers/xiaomi/simulator.js';
import { CLIENT_KEY, OTHER_SERVER_KEY, hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

let t: TestGateway;
beforeEach(async () => {
  // No publicBaseUrl: the playground simulators then post no receipts anywhere.
  t = await testGateway({ acmeProviders: { vivo: { simulator: true }, xiaomi: { simulator: true } }, config: { server: { port: 0, bodyLimit: '1mb' } } });
});
afterEach(async () => {
  await t.close();
});

const HUAWEI = { tenant: 'acme', provider: 'huawei' };
const iso = (ms: number) => new Date(ms).toISOString();
const vivoToken = (n: number) => `1234567890123456789${String(n).padStart(4, '0')}`;
const xiaomiToken = (n: number) => `xiaomiRegId${String(n).padStart(8, '0')}AAAAAAAAAAAAAAAAAAAAAAAAA=`;
const hello = { notification: { title: 'Hello', body: 'You have a new message' } };

async function send(provider: string, tokens: string[], extra: object = {}): Promise<string> {
  const res = await t.server('post', '/v1/messages').send({ to: { tokens: tokens.map((token) => ({ provider, token })) }, ...hello, ...extra }).expect(202);
  return res.body.id as string;
}

interface Lane {
  provider: string;
  [k: string]: unknown;
}
async function lanes(key?: string): Promise<Lane[]> {
  return (await t.server('get', '/v1/lanes', key).expect(200)).body.lanes as Lane[];
}
async function lane(provider: string): Promise<Lane> {
  const found = (await lanes()).find((l) => l.provider === provider);
  if (!found) throw new Error(`no ${provider} lane`);
  return found;
}

/** The next midnight in Beijing (UTC+8, no daylight saving) after `now`: 16:00 UTC. */
function nextBeijingMidnight(now: number): number {
  const d = new Date(now);
  const at = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 16);
  return at > now ? at : at + 86_400_000;
}

describe('GET /v1/lanes', () => {
  it('lists every configured lane of the tenant in config order, idle ones with zeros and nothing unknown invented', async () => {
    const all = await lanes();
    expect(all.map((l) => l.provider)).toEqual(['huawei', 'vivo', 'xiaomi']);
    for (const l of all) {
      expect(l).toMatchObject({ queued: 0, sending: 0, oldestQueuedAt: null, paused: null, pausedClasses: [], providerUp: true, lastError: null, quota: null, quotaClasses: [], sentLastMinute: 0 });
    }
  });

  it('counts the queue, then the sends of the last minute as the vendor takes them', async () => {
    const sentAt = t.clock.now();
    await send('huawei', [hwToken(1), hwToken(2), hwToken(3)]);
    t.clock.advance(5000);
    expect(await lane('huawei')).toMatchObject({ queued: 3, sending: 0, oldestQueuedAt: iso(sentAt), sentLastMinute: 0 });

    expect((await t.gw.dispatcher.runLane(HUAWEI)).kind).toBe('more');
    expect(await lane('huawei')).toMatchObject({ queued: 0, sending: 0, oldestQueuedAt: null, sentLastMinute: 3, providerUp: true, lastSuccessAt: iso(t.clock.now()) });
    t.clock.advance(60_001);
    expect(await lane('huawei')).toMatchObject({ sentLastMinute: 0 });
  });

  it('shows a throttled lane paused with its reason and until, and flowing again after', async () => {
    t.sim.throttle(1, 7);
    await send('huawei', [hwToken(1), hwToken(2)]);
    await t.gw.dispatcher.runLane(HUAWEI);
    expect(await lane('huawei')).toMatchObject({ queued: 2, paused: { reason: 'rate_limited', until: iso(t.clock.now() + 7000) }, sentLastMinute: 0 });

    t.clock.advance(7000);
    await t.gw.dispatcher.runLane(HUAWEI);
    expect(await lane('huawei')).toMatchObject({ queued: 0, paused: null, sentLastMinute: 2 });
  });

  it('shows a vendor that stops answering as down with its last error, and up after its next answer', async () => {
    t.sim.fail(1);
    await send('huawei', [hwToken(1)]);
    const failedAt = t.clock.now();
    await t.gw.dispatcher.runLane(HUAWEI);
    const down = await lane('huawei');
    expect(down).toMatchObject({ providerUp: false, credentials: 'ok', failingSince: iso(failedAt), queued: 1 });
    expect(down.lastError).toEqual(expect.any(String));

    t.clock.advance(120_000); // past the retry's backoff
    await t.gw.dispatcher.runLane(HUAWEI);
    expect(await lane('huawei')).toMatchObject({ providerUp: true, lastError: null, failingSince: null, queued: 0, sentLastMinute: 1 });
  });

  it('shows a vivo class whose daily quota ran out with 0 left until midnight Beijing time, the lane itself not paused', async () => {
    const vivo = t.gw.hub.simulators.get('acme/vivo') as SimulatorControls;
    vivo.quotaExhausted = true;
    await send('vivo', [vivoToken(1)], { options: { category: 'order' } });
    await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'vivo' });
    const l = await lane('vivo');
    const resetsAt = iso(nextBeijingMidnight(t.clock.now()));
    expect(l).toMatchObject({ paused: null, queued: 1, quota: { remaining: 0, resetsAt } });
    expect(l.pausedClasses).toEqual([{ class: expect.any(String), reason: expect.stringMatching(/^quota:/), until: resetsAt }]);
    expect(l.quotaClasses).toEqual([{ class: (l.pausedClasses as Array<{ class: string }>)[0]!.class, remaining: 0, resetsAt }]);
  });

  it('shows the quota Xiaomi reports with each answer, until its quota day ends', async () => {
    const xiaomi = t.gw.hub.simulators.get('acme/xiaomi') as XiaomiSimulator;
    await send('xiaomi', [xiaomiToken(1), xiaomiToken(2)]);
    await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'xiaomi' });
    const resetsAt = nextBeijingMidnight(t.clock.now());
    expect(xiaomi.dayAcked).toBeGreaterThan(0);
    const left = xiaomi.dayQuota - xiaomi.dayAcked;
    expect(await lane('xiaomi')).toMatchObject({ sentLastMinute: 2, quota: { remaining: left, resetsAt: iso(resetsAt) }, quotaClasses: [{ class: 'public', remaining: left, resetsAt: iso(resetsAt) }] });

    // After Xiaomi's day ends the reading says nothing about the new day: unknown, not the old figure.
    t.clock.advance(resetsAt - t.clock.now());
    expect(await lane('xiaomi')).toMatchObject({ quota: null, quotaClasses: [] });
  });

  it("shows a tenant only its own lanes: another tenant's queue and pauses never appear", async () => {
    t.sim.throttle(1, 30);
    await send('huawei', [hwToken(1), hwToken(2), hwToken(3), hwToken(4)]);
    await t.gw.dispatcher.runLane(HUAWEI);
    expect(await lane('huawei')).toMatchObject({ queued: 4, paused: { reason: 'rate_limited' } });

    const beta = await lanes(OTHER_SERVER_KEY);
    expect(beta).toEqual([expect.objectContaining({ provider: 'huawei', queued: 0, sending: 0, oldestQueuedAt: null, paused: null, sentLastMinute: 0 })]);
  });

  it('names an unknown query parameter in a 400, and refuses a client key', async () => {
    const res = await t.server('get', '/v1/lanes?provider=huawei').expect(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request', details: [{ field: 'query.provider', message: expect.stringContaining('unknown query parameter provider') }] });
    await t.server('get', '/v1/lanes', CLIENT_KEY).expect(403);
  });
});
