import pino from 'pino';
import type { OutgoingMessage, ProviderDeps, PushProvider, SendBatch } from '../types.js';
import { rongcloudProvider } from './index.js';
import { rongcloudConfigSchema, type RongCloudConfig } from './rongcloud.config.js';
import { DATA_ONLY_MESSAGE, type RongCloudProvider } from './rongcloud.provider.js';
import { buildPushUserRequest, rongcloudOverridesSchema, rongcloudSignature, type RongCloudOverrides } from './rongcloud.request.js';
import { RongCloudSimulator, SIM_APP_KEY, SIM_APP_SECRET } from './simulator.js';

function makeDeps(over: Partial<ProviderDeps> = {}): ProviderDeps {
  return { now: () => Date.now(), random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {}, ...over };
}

function message(over: Partial<OutgoingMessage> = {}, options: Partial<OutgoingMessage['options']> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    notification: { title: 'New message', body: 'Alice: are you there?' },
    data: { convId: 'c1' },
    createdAt: 0,
    ...over,
    options: { priority: 'high', category: 'im', ...options },
  };
}

function batch(userIds: string[], msg: OutgoingMessage = message(), overrides?: RongCloudOverrides): SendBatch<RongCloudOverrides> {
  return { message: msg, overrides, targets: userIds.map((token, i) => ({ deliveryId: `d${i}`, token, registered: true })), callbackRef: 'ref-1' };
}

const users = (n: number, prefix = 'user') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

let primary: RongCloudSimulator;
let backup: RongCloudSimulator;
const open: RongCloudProvider[] = [];

function provider(over: Record<string, unknown> = {}, deps: ProviderDeps = makeDeps()): RongCloudProvider {
  const config: RongCloudConfig = rongcloudConfigSchema.parse({
    appKey: SIM_APP_KEY,
    appSecret: SIM_APP_SECRET,
    endpoint: primary.url,
    backupEndpoint: backup.url,
    ...over,
  });
  const p = rongcloudProvider.create(config, deps) as RongCloudProvider;
  open.push(p);
  return p;
}

beforeEach(async () => {
  primary = await RongCloudSimulator.start();
  backup = await RongCloudSimulator.start();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
  await Promise.all([primary.close(), backup.close()]);
});

describe('RongCloud adapter against the simulator', () => {
  it('sends one signed /push/user.json request and marks every user sent with the push id', async () => {
    const now = Date.now();
    const p = provider({}, makeDeps({ now: () => now, random: () => 0 }));
    const out = await p.send(batch(['alice', 'bob']));

    expect(out.results).toHaveLength(2);
    for (const r of out.results) expect(r).toMatchObject({ outcome: 'sent', vendorCode: '200', vendorMessageId: expect.stringMatching(/^simpush/) });
    expect(out.results.map((r) => r.deliveryId)).toEqual(['d0', 'd1']);
    expect(primary.accepted).toEqual(['alice', 'bob']);
    expect(backup.sendRequests).toBe(0);

    const req = primary.lastRequest!;
    const ts = String(Math.floor(now / 1000));
    expect(req.headers['app-key']).toBe(SIM_APP_KEY);
    expect(req.headers['nonce']).toBe('0000000000000000');
    expect(req.headers['timestamp']).toBe(ts);
    expect(req.headers['signature']).toBe(rongcloudSignature(SIM_APP_SECRET, '0000000000000000', ts));
    expect(req.headers['content-type']).toMatch(/application\/json/);
    expect(req.body).toEqual(buildPushUserRequest(message(), ['alice', 'bob'], {}));
  });

  it('reports each request to observeRequest', async () => {
    const seen: Array<[number, string | undefined]> = [];
    await provider({}, makeDeps({ observeRequest: (s, reason) => seen.push([s, reason]) })).send(batch(['alice']));
    expect(seen).toHaveLength(1);
    expect(seen[0]![1]).toBeUndefined();
  });

  it('puts 100 users (the most the dispatcher sends) in one request', async () => {
    const p = provider();
    const out = await p.send(batch(users(100)));
    expect(primary.sendRequests).toBe(1);
    expect(out.results).toHaveLength(100);
    expect(out.results.every((r) => r.outcome === 'sent')).toBe(true);
    expect(primary.accepted).toHaveLength(100);
  });

  it('counts a user with no reachable device as sent: RongCloud has no per-user error on this API', async () => {
    primary.invalidTokens.add('ghost');
    const out = await provider().send(batch(['ghost', 'alice']));
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    expect(primary.accepted).toEqual(['alice']);
  });

  it('rejects a data-only message without calling RongCloud', async () => {
    const out = await provider().send(batch(['alice', 'bob'], message({ notification: undefined })));
    expect(out.results).toEqual([
      { deliveryId: 'd0', outcome: 'rejected', vendorCode: 'data_only', vendorMessage: DATA_ONLY_MESSAGE },
      { deliveryId: 'd1', outcome: 'rejected', vendorCode: 'data_only', vendorMessage: DATA_ONLY_MESSAGE },
    ]);
    expect(primary.sendRequests + backup.sendRequests).toBe(0);
  });

  it('merges the parsed overrides.rongcloud into the request', async () => {
    const p = provider();
    const ok = await p.send(batch(['alice'], message(), rongcloudOverridesSchema.parse({ ios: { 'thread-id': 'conv-1' }, android: { hw: { channelId: 'hw-im' } } })));
    expect(ok.results[0]!.outcome).toBe('sent');
    const body = primary.lastRequest!.body as { notification: { ios: Record<string, unknown>; android: { hw: Record<string, unknown> } } };
    expect(body.notification.ios['thread-id']).toBe('conv-1');
    expect(body.notification.android.hw).toEqual({ category: 'IM', importance: 'NORMAL', channelId: 'hw-im' });
    expect(primary.sendRequests).toBe(1);
    // What the API refuses at accept (400), before any adapter could see it.
    expect(rongcloudOverridesSchema.safeParse({ android: { oppo: { notify_level: 3 } } }).error?.issues[0]?.path).toEqual(['android', 'oppo', 'notify_level']);
  });

  it('maps code 1005 (title over 50 characters) to rejected with the vendor message', async () => {
    const out = await provider().send(batch(['alice'], message(), rongcloudOverridesSchema.parse({ title: 't'.repeat(51) })));
    expect(out.results[0]).toMatchObject({ outcome: 'rejected', vendorCode: '1005', vendorMessage: expect.stringContaining('50') });
    expect(primary.accepted).toEqual([]);
  });

  it('maps HTTP 429 code 1008 to rate_limited with Retry-After in ms, without trying the backup', async () => {
    primary.throttle(1, 7);
    const out = await provider().send(batch(['alice', 'bob']));
    expect(out.results.map((r) => r.outcome)).toEqual(['rate_limited', 'rate_limited']);
    expect(out.results[0]).toMatchObject({ vendorCode: '1008', retryAfterMs: 7000 });
    expect(backup.sendRequests).toBe(0);
  });

  it('leaves retryAfterMs unset when a 1008 answer carries no Retry-After', async () => {
    primary.throttle(1);
    const out = await provider().send(batch(['alice']));
    expect(out.results[0]!.outcome).toBe('rate_limited');
    expect(out.results[0]!.retryAfterMs).toBeUndefined();
  });

  it('maps a wrong App Secret (code 1004) to auth_error and offers no credential refresh', async () => {
    const p: PushProvider = provider({ appSecret: 'not-the-secret' });
    const out = await p.send(batch(['alice']));
    expect(out.results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '1004' });
    expect(p.refreshCredentials).toBeUndefined();
    expect(backup.sendRequests).toBe(0);
  });

  it('maps an unknown App Key (code 1001) to auth_error', async () => {
    const out = await provider({ appKey: 'someone-else' }).send(batch(['alice']));
    expect(out.results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '1001' });
  });

  it('maps a stale timestamp from a skewed clock (code 1004) to auth_error', async () => {
    const out = await provider({}, makeDeps({ now: () => Date.now() + 10 * 60_000 })).send(batch(['alice']));
    expect(out.results[0]).toMatchObject({ outcome: 'auth_error', vendorCode: '1004', vendorMessage: expect.stringContaining('clock') });
  });

  it('fails over to the backup host within the same send when the primary answers 1000', async () => {
    primary.fail(1);
    const out = await provider().send(batch(['alice', 'bob']));
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    expect(primary.sendRequests).toBe(1);
    expect(backup.sendRequests).toBe(1);
    expect(primary.accepted).toEqual([]);
    expect(backup.accepted).toEqual(['alice', 'bob']);
  });

  it('keeps using the host that answered after a failover', async () => {
    primary.fail(1);
    const p = provider();
    await p.send(batch(['alice']));
    expect(p.currentHost).toBe(backup.url);
    await p.send(batch(['bob']));
    expect(primary.sendRequests).toBe(1);
    expect(backup.accepted).toEqual(['alice', 'bob']);
  });

  it('returns retry for every user when both hosts fail, after one request to each', async () => {
    primary.fail(1);
    backup.fail(1);
    const out = await provider().send(batch(['alice', 'bob']));
    expect(out.results.map((r) => r.outcome)).toEqual(['retry', 'retry']);
    expect(out.results[0]).toMatchObject({ vendorCode: '1000' });
    expect(primary.sendRequests).toBe(1);
    expect(backup.sendRequests).toBe(1);
  });

  it('returns retry after one request when no backup host is configured', async () => {
    primary.fail(1);
    const out = await provider({ backupEndpoint: undefined }).send(batch(['alice']));
    expect(out.results[0]).toMatchObject({ outcome: 'retry', vendorCode: '1000' });
    expect(primary.sendRequests).toBe(1);
    expect(backup.sendRequests).toBe(0);
  });

  it('fails over when the primary host is unreachable', async () => {
    await primary.close();
    const out = await provider().send(batch(['alice']));
    expect(out.results[0]!.outcome).toBe('sent');
    expect(backup.accepted).toEqual(['alice']);
  });

  it('fails over when the primary host times out', async () => {
    primary.delayMs = 400;
    const out = await provider({ timeoutMs: 100 }).send(batch(['alice']));
    expect(out.results[0]!.outcome).toBe('sent');
    expect(backup.accepted).toEqual(['alice']);
  });

  it('returns retry with the transport reason when neither host is reachable', async () => {
    await Promise.all([primary.close(), backup.close()]);
    const out = await provider().send(batch(['alice', 'bob']));
    expect(out.results.map((r) => r.outcome)).toEqual(['retry', 'retry']);
    expect(out.results[0]!.vendorCode).toBe('econnrefused');
    expect(out.results[0]!.vendorMessage).toContain('transport error');
  });
});

describe('RongCloud simulator', () => {
  async function post(
    sim: RongCloudSimulator,
    body: unknown,
    opts: { secret?: string; key?: string; timestamp?: string; nonce?: string; prefix?: string; signature?: string } = {},
  ): Promise<{ status: number; json: { code: number; id?: string; errorMessage?: string }; headers: Headers }> {
    const nonce = opts.nonce ?? 'abc123';
    const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
    const prefix = opts.prefix ?? '';
    const res = await fetch(`${sim.url}/push/user.json`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [`${prefix}App-Key`]: opts.key ?? SIM_APP_KEY,
        [`${prefix}Nonce`]: nonce,
        [`${prefix}Timestamp`]: timestamp,
        [`${prefix}Signature`]: opts.signature ?? rongcloudSignature(opts.secret ?? SIM_APP_SECRET, nonce, timestamp),
      },
      body: body === undefined ? '' : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as { code: number }, headers: res.headers };
  }
  const ok = { userIds: ['u1'], notification: { pushContent: 'hello' } };

  it('accepts a correct signature over a seconds timestamp and records the userIds', async () => {
    const r = await post(primary, { userIds: ['u1', 'u2', 'u1'], notification: { title: 'T', pushContent: 'hello' } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ code: 200, id: expect.any(String) });
    expect(primary.accepted).toEqual(['u1', 'u2', 'u1']);
  });

  it('accepts a millisecond timestamp and RC- prefixed headers', async () => {
    expect((await post(primary, ok, { timestamp: String(Date.now()) })).json.code).toBe(200);
    expect((await post(primary, ok, { prefix: 'RC-' })).json.code).toBe(200);
  });

  it('rejects a wrong signature with HTTP 401 code 1004', async () => {
    const r = await post(primary, ok, { secret: 'wrong' });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe(1004);
    const upper = await post(primary, ok, { signature: rongcloudSignature(SIM_APP_SECRET, 'abc123', String(Math.floor(Date.now() / 1000))).toUpperCase() });
    expect(upper.json.code).toBe(1004);
    expect(primary.accepted).toEqual([]);
  });

  it('rejects a stale timestamp, in seconds or milliseconds, with HTTP 401 code 1004', async () => {
    const old = Date.now() - 301_000;
    expect((await post(primary, ok, { timestamp: String(Math.floor(old / 1000)) })).json.code).toBe(1004);
    const r = await post(primary, ok, { timestamp: String(old) });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe(1004);
  });

  it('rejects an unknown App-Key with HTTP 401 code 1001 and a nonce over 18 characters with 1004', async () => {
    const r = await post(primary, ok, { key: 'nobody' });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe(1001);
    expect((await post(primary, ok, { nonce: 'n'.repeat(19) })).json.code).toBe(1004);
  });

  it('enforces the body rules: ≤100 userIds, non-empty userIds and pushContent (1002), title ≤50 (1005), a body (1003)', async () => {
    const cases: Array<[unknown, number]> = [
      [{ userIds: users(101), notification: { pushContent: 'x' } }, 1002],
      [{ userIds: [], notification: { pushContent: 'x' } }, 1002],
      [{ userIds: ['u1'], notification: { title: 'no content' } }, 1002],
      [{ userIds: ['u1'] }, 1002],
      [{ userIds: ['u1'], notification: { title: 't'.repeat(51), pushContent: 'x' } }, 1005],
      [undefined, 1003],
    ];
    for (const [body, code] of cases) {
      const r = await post(primary, body);
      expect([r.status, r.json.code]).toEqual([400, code]);
    }
    expect((await post(primary, { userIds: users(100), notification: { title: 't'.repeat(50), pushContent: 'x' } })).json.code).toBe(200);
  });

  it('answers throttle(n) with HTTP 429 code 1008 and Retry-After, and fail(n) with HTTP 500 code 1000', async () => {
    primary.throttle(1, 3);
    const t = await post(primary, ok);
    expect([t.status, t.json.code, t.headers.get('retry-after')]).toEqual([429, 1008, '3']);
    primary.fail(1);
    const f = await post(primary, ok);
    expect([f.status, f.json.code]).toEqual([500, 1000]);
    expect((await post(primary, ok)).json.code).toBe(200);
    expect(primary.sendRequests).toBe(3);
  });

  it('ignores quotaExhausted: RongCloud documents no push quota on this API', async () => {
    primary.quotaExhausted = true;
    expect((await post(primary, ok)).json.code).toBe(200);
  });
});

describe('rongcloudProvider definition', () => {
  it('declares 100 users per request, 1 request/s, the appSecret as secret and no receipts', () => {
    expect(rongcloudProvider.id).toBe('rongcloud');
    expect(rongcloudProvider.limits).toEqual({ maxTargetsPerRequest: 100, defaultRate: { perSecond: 1, concurrency: 1 } });
    expect(rongcloudProvider.secretFields).toEqual(['appSecret']);
    expect(rongcloudProvider.receipts).toBeUndefined();
    expect(rongcloudProvider.tokenSchema.safeParse('user_1').success).toBe(true);
  });

  it('starts a playground whose config reaches the simulator, with a backup host that takes over', async () => {
    const { simulator, config } = await rongcloudProvider.playground!();
    const p: PushProvider = rongcloudProvider.create(rongcloudProvider.configSchema.parse(config), makeDeps());
    try {
      expect(config.backupEndpoint).toBeDefined();
      simulator.fail(1);
      const out = await p.send(batch(['alice']));
      expect(out.results[0]!.outcome).toBe('sent');
      expect(simulator.sendRequests).toBe(1);
    } finally {
      await p.close();
      await simulator.close();
    }
  });
});
