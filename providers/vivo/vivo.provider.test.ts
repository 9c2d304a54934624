/**
 * The vivo adapter against its simulator: single and list pushes, pruning, content and transport.
 * Authentication is in vivo.auth.test.ts, throttling and daily quotas in vivo.quota.test.ts;
 * the shared setup is vivo.test-helpers.ts.
 */
import type { VivoProvider } from './vivo.provider.js';
import { vivoListRequestId, vivoSign, vivoTextWidth } from './vivo.request.js';
import { batch, bodiesTo, headerOf, makeProvider, message, targets, token, type Clock } from './vivo.test-helpers.js';
import { VivoSimulator } from './simulator.js';

// --------------------------------------------------------------------------------------------- adapter

describe('vivo adapter against the simulator', () => {
  let sim: VivoSimulator;
  let provider: VivoProvider;
  let clock: Clock;

  beforeEach(async () => {
    clock = { now: Date.UTC(2025, 2, 10, 4, 0, 0) }; // 12:00 Beijing
    sim = await VivoSimulator.start({ now: () => clock.now, recordRequests: true });
    provider = makeProvider(sim, clock);
  });

  afterEach(async () => {
    await provider.close();
    await sim.close();
  });

  it('sends one target through /message/send with the authToken header, appId and the delivery id as requestId', async () => {
    const out = await provider.send(batch(targets(1)));
    expect(out.results).toEqual([{ deliveryId: 'dlv-0', outcome: 'sent', vendorCode: '0', vendorMessageId: expect.stringMatching(/^\d+$/) }]);
    expect(sim.accepted).toEqual([token(0)]);
    const [auth] = bodiesTo(sim, '/message/auth');
    expect(auth).toEqual({ appId: 10004, appKey: sim.appKey, timestamp: clock.now, sign: vivoSign(sim.appId, sim.appKey, clock.now, sim.appSecret) });
    const [body] = bodiesTo(sim, '/message/send');
    expect(body).toMatchObject({ appId: 10004, regId: token(0), requestId: 'dlv-0', classification: 1, category: 'IM', clientCustomMap: { conversation: 'c-1' } });
    expect(headerOf(sim, '/message/send', 0)).toEqual(expect.any(String));
    expect(sim.calls).toEqual({ auth: 1, send: 1, saveListPayload: 0, pushToList: 0 });
  });

  it('sends a batch through saveListPayload then pushToList, with appId in every body', async () => {
    const ts = targets(3);
    const out = await provider.send(batch(ts));
    const [saved] = bodiesTo(sim, '/message/saveListPayload');
    const [pushed] = bodiesTo(sim, '/message/pushToList');
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'sent', 'sent']);
    expect(out.results.every((r) => r.vendorMessageId === pushed?.['taskId'])).toBe(true);
    expect(saved).toMatchObject({ appId: 10004, requestId: expect.stringMatching(/^p[0-9a-f]{63}$/), title: 'New message', classification: 1 });
    expect(pushed).toEqual({ appId: 10004, regIds: ts.map((t) => t.token), taskId: expect.any(String), requestId: vivoListRequestId(ts.map((t) => t.deliveryId)), pushMode: 0 });
    expect(sim.accepted).toEqual(ts.map((t) => t.token));
  });

  it('reuses the saved list payload for the next batch of the same message', async () => {
    await provider.send(batch(targets(2, 'a')));
    await provider.send(batch(targets(2, 'b')));
    expect(sim.calls.saveListPayload).toBe(1);
    expect(sim.calls.pushToList).toBe(2);
    const [first, second] = bodiesTo(sim, '/message/pushToList');
    expect(second?.['taskId']).toBe(first?.['taskId']);
  });

  it('keeps one saved list payload while a message with a ttl is sent over several seconds', async () => {
    const m = message({ createdAt: clock.now - 10_000 }, { ttlSeconds: 3600 });
    await provider.send(batch(targets(2, 'a'), { message: m }));
    clock.now += 5000;
    await provider.send(batch(targets(2, 'b'), { message: m }));
    expect(sim.calls.saveListPayload).toBe(1);
    expect(bodiesTo(sim, '/message/saveListPayload')[0]?.['timeToLive']).toBe(3540);
  });

  it('a resent single push carries the same requestId and vivo delivers it once', async () => {
    const b = batch(targets(1));
    const first = await provider.send(b);
    const again = await provider.send(b);
    expect(again.results[0]?.vendorMessageId).toBe(first.results[0]?.vendorMessageId);
    expect(sim.accepted).toEqual([token(0)]);
    expect(sim.duplicateRequests).toBe(1);
  });

  it('a resent list batch carries the same requestId and vivo delivers it once', async () => {
    const b = batch(targets(3));
    await provider.send(b);
    const again = await provider.send({ ...b, targets: [...b.targets].reverse() });
    expect(again.results.map((r) => r.outcome)).toEqual(['sent', 'sent', 'sent']);
    expect(sim.accepted).toHaveLength(3);
    expect(sim.duplicateRequests).toBe(1);
  });

  it('prunes a regId that /message/send answers with 10302 and invalidUser', async () => {
    sim.invalidTokens.add(token(0));
    const out = await provider.send(batch(targets(1)));
    expect(out.results).toEqual([{ deliveryId: 'dlv-0', outcome: 'invalid_token', vendorCode: '10302', vendorMessage: 'regId不合法 (status 1)' }]);
    expect(sim.accepted).toEqual([]);
  });

  it('rejects rather than prunes a target vivo calls "not a test user" (status 4)', async () => {
    sim.invalidTokens.add(token(0));
    sim.invalidStatus.set(token(0), 4);
    const out = await provider.send(batch(targets(1)));
    expect(out.results[0]).toMatchObject({ outcome: 'rejected', vendorCode: '10302' });
  });

  it('prunes only the invalidUsers of a list push (status 1, 2, 3) and sends the rest', async () => {
    const ts = targets(5);
    [1, 2, 3].forEach((status, i) => {
      sim.invalidTokens.add(token(i + 1));
      sim.invalidStatus.set(token(i + 1), status);
    });
    const out = await provider.send(batch(ts));
    expect(out.results.map((r) => r.outcome)).toEqual(['sent', 'invalid_token', 'invalid_token', 'invalid_token', 'sent']);
    expect(out.results[2]).toMatchObject({ vendorCode: '10302', vendorMessage: 'regId invalid (status 2)' });
    expect(sim.accepted).toEqual([token(0), token(4)]);
  });
  it('an over-long Chinese title and body are cut the vivo way so vivo accepts them', async () => {
    const m = message({ notification: { title: '您有一条来自客服中心的新消息请及时查看谢谢您的耐心等待', body: '这是一段很长的消息内容'.repeat(8) } });
    const out = await provider.send(batch(targets(1), { message: m }));
    expect(out.results[0]?.outcome).toBe('sent');
    const [body] = bodiesTo(sim, '/message/send');
    expect(vivoTextWidth(String(body?.['title']))).toBeLessThanOrEqual(40);
    expect(String(body?.['content']).endsWith('…')).toBe(true);
  });

  it('sends category marketing as classification 0 / MARKETING and no category as plain operations, both accepted', async () => {
    const a = await provider.send(batch(targets(1, 'a'), { message: message({}, { category: 'marketing' }) }));
    const b = await provider.send(batch(targets(1, 'b'), { message: message({ id: 'm2' }, { category: undefined }) }));
    expect([a.results[0]?.outcome, b.results[0]?.outcome]).toEqual(['sent', 'sent']);
    const [first, second] = bodiesTo(sim, '/message/send');
    expect([first?.['classification'], first?.['category']]).toEqual([0, 'MARKETING']);
    expect([second?.['classification'], second?.['category']]).toEqual([0, undefined]);
  });

  it('puts callbackUrl and callbackRef into extra.callback and extra["callback.param"]', async () => {
    await provider.send(batch(targets(1), { callbackUrl: 'https://gw.example.com/v1/receipts/vivo/acme?secret=s3', callbackRef: 'msg-1.7' }));
    const [body] = bodiesTo(sim, '/message/send');
    expect(body?.['extra']).toEqual({ callback: 'https://gw.example.com/v1/receipts/vivo/acme?secret=s3', 'callback.param': 'msg-1.7' });
  });

  it('a data-only message is rejected without calling vivo', async () => {
    const out = await provider.send(batch(targets(2), { message: message({ notification: undefined }) }));
    expect(out.results.every((r) => r.outcome === 'rejected' && /notification messages only/.test(r.vendorMessage ?? ''))).toBe(true);
    expect(sim.requests).toHaveLength(0);
  });

  it('HTTP 500 from vivo gives retry for every target', async () => {
    sim.fail(1);
    const out = await provider.send(batch(targets(2)));
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['retry', 'http_500'],
      ['retry', 'http_500'],
    ]);
  });

  it('a closed simulator gives retry for every target', async () => {
    await sim.close();
    const out = await provider.send(batch(targets(3)));
    expect(out.results.map((r) => r.outcome)).toEqual(['retry', 'retry', 'retry']);
    sim = await VivoSimulator.start(); // for afterEach
  });

  it('a full batch of 1000 targets (the most the dispatcher sends) is one saveListPayload and one pushToList', async () => {
    const out = await provider.send(batch(targets(1000)));
    expect(out.results.every((r) => r.outcome === 'sent')).toBe(true);
    expect(sim.calls.pushToList).toBe(1);
    expect(sim.calls.send).toBe(0);
    expect(bodiesTo(sim, '/message/pushToList')[0]?.['regIds']).toHaveLength(1000);
  });
});

describe('vivo adapter at scale', () => {
  it('delivers 100,000 tokens in 100 list pushes sharing one saved payload', async () => {
    const sim = await VivoSimulator.start();
    const provider = makeProvider(sim);
    const all = targets(100_000);
    const outs = await Promise.all(Array.from({ length: 100 }, (_, i) => provider.send(batch(all.slice(i * 1000, (i + 1) * 1000)))));
    await provider.close();
    await sim.close();
    expect(outs.reduce((n, o) => n + o.results.filter((r) => r.outcome === 'sent').length, 0)).toBe(100_000);
    expect(sim.accepted).toHaveLength(100_000);
    expect(sim.calls.auth).toBe(1);
    expect(sim.calls.pushToList).toBe(100);
  });
});
