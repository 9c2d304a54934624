/**
 * Every typed method against a real gateway (in-process, over HTTP, Huawei simulator): each
 * reaches its route with its parameters and resolves to the documented body, and API errors come
 * back as PushgateError with the gateway's status, code, message and details.
 */
import { createPushgateClient, PushgateError, type PushgateClient } from '../src/index.js';
import { CLIENT_KEY, OTHER_SERVER_KEY, SERVER_KEY, hwToken, servedGateway, type ServedGateway } from './harness.js';

const lane = { tenant: 'acme', provider: 'huawei' };

describe('the typed methods on a real gateway', () => {
  let t: ServedGateway;
  let pushgate: PushgateClient;
  beforeAll(async () => {
    t = await servedGateway();
    pushgate = createPushgateClient({ baseUrl: t.baseUrl, key: SERVER_KEY });
  });
  afterAll(() => t.close());

  it('registers, lists, sends, cancels, replays, exports and erases through one client', async () => {
    const first = await pushgate.registerDevice({ provider: 'huawei', token: hwToken(1), userId: 'bob' });
    const again = await pushgate.registerDevice({ provider: 'huawei', token: hwToken(1), userId: 'bob' });
    expect(again.id).toBe(first.id);
    await pushgate.registerDevice({ provider: 'huawei', token: hwToken(2), userId: 'bob' });
    expect((await pushgate.listDevices('bob')).devices.map((d) => d.id)).toContain(first.id);

    // Queued, then canceled before its lane runs.
    const queued = await pushgate.sendMessage({ to: { deviceIds: [first.id] }, data: { k: 'v' } });
    expect(await pushgate.cancelMessage(queued.id)).toMatchObject({ canceled: 1 });
    expect((await pushgate.getMessage(queued.id)).counts.canceled).toBe(1);
    t.clock.advance(1000);

    // Sent to both devices; the vendor calls the second token dead.
    t.sim.invalidTokens.add(hwToken(2));
    const sent = await pushgate.sendMessage({ to: { userIds: ['bob'] }, notification: { title: 'Hi', body: 'Bob' }, options: { category: 'im' } });
    expect(sent.targets).toBe(2);
    await t.gw.dispatcher.runLane(lane);
    const status = await pushgate.getMessage(sent.id, { limit: 1 });
    expect(status).toMatchObject({ status: 'done', counts: { sent: 1, failed: 1 } });
    expect(status.deliveries).toHaveLength(1);
    expect(status.nextCursor).toEqual(expect.any(String));
    const failed = await pushgate.listMessageDeliveries(sent.id, { state: 'failed' });
    expect(failed.deliveries.map((d) => d.lastError?.code)).toEqual(['invalid_token']);
    expect((await pushgate.listDeadLetters({ errorCode: 'invalid_token' })).deliveries.map((d) => d.id)).toEqual([failed.deliveries[0]!.id]);
    expect((await pushgate.listMessages({ limit: 10 })).messages.map((m) => m.id)).toEqual([sent.id, queued.id]);
    const { lanes } = await pushgate.listLanes();
    expect(lanes.find((l) => l.provider === 'huawei')).toMatchObject({ queued: 0, sending: 0 });
    const summary = await pushgate.getDeliverySummary({ since: new Date(t.clock.now() - 60_000).toISOString() });
    expect(JSON.stringify(summary)).toContain('invalid_token');

    // A dead token was pruned, so a replay has nothing it may requeue; the answer says why.
    const replay = await pushgate.retryMessage(sent.id);
    expect(replay.requeued).toBe(0);
    expect(await pushgate.retryDeliveries({ errorCode: 'invalid_token' })).toMatchObject({ requeued: 0 });

    expect((await pushgate.exportUserData('bob')).devices.map((d) => d.id)).toEqual([first.id]);
    await pushgate.deleteDevice(first.id);
    await pushgate.registerDevice({ provider: 'huawei', token: hwToken(3), userId: 'bob' });
    await createPushgateClient({ baseUrl: t.baseUrl, key: CLIENT_KEY }).unregisterDevice({ provider: 'huawei', token: hwToken(3) });
    expect((await pushgate.listDevices('bob')).devices).toEqual([]);
    await pushgate.registerDevice({ provider: 'huawei', token: hwToken(4), userId: 'bob' });
    expect(await pushgate.eraseUser('bob')).toEqual({ userId: 'bob', removed: { devices: 1, deliveries: 0 } });

    expect(await pushgate.listWebhookDeliveries({ state: 'failed' })).toEqual({ deliveries: [], nextCursor: null });
    expect(await pushgate.retryWebhookDeliveries()).toEqual({ retried: 0 });

    // The raw openapi-fetch client, typed from the same document, for the rest.
    const { data } = await pushgate.raw.GET('/readyz');
    expect(data?.status).toBe('ready');
  });

  describe('errors', () => {
    const caught = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a PushgateError'); }, (e: unknown) => e as PushgateError);

    it('a 400 names the field and says how to fix it', async () => {
      const err = await caught(pushgate.sendMessage({ to: { userIds: ['bob'] }, notification: { title: 'Hi', body: 'x' }, options: { ttlSeconds: -1 } }));
      expect(err).toBeInstanceOf(PushgateError);
      expect(err).toMatchObject({ name: 'PushgateError', status: 400, code: 'invalid_request' });
      expect(err.message).toContain('options.ttlSeconds');
      expect(err.field('options.ttlSeconds')?.message).toEqual(expect.any(String));
    });

    it('a field the provider does not take is field_not_allowed, naming it', async () => {
      const err = await caught(pushgate.registerDevice({ provider: 'huawei', token: hwToken(9), imei: '490154203237518' } as never));
      expect(err).toMatchObject({ status: 400, code: 'field_not_allowed' });
      expect(err.details.map((d) => d.field)).toContain('imei');
    });

    it('a wrong key is 401, a client key on a server route 403, another tenant’s message 404, a reused key with another body 409', async () => {
      await expect(createPushgateClient({ baseUrl: t.baseUrl, key: 'nope-nope-nope-nope-0000' }).listMessages()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
      await expect(createPushgateClient({ baseUrl: t.baseUrl, key: CLIENT_KEY }).listMessages()).rejects.toMatchObject({ status: 403, code: 'forbidden' });
      const mine = await pushgate.sendMessage({ to: { userIds: ['nobody'] }, data: { k: 'v' } });
      await expect(createPushgateClient({ baseUrl: t.baseUrl, key: OTHER_SERVER_KEY }).getMessage(mine.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
      await pushgate.sendMessage({ to: { userIds: ['nobody'] }, data: { k: 'v' } }, { idempotencyKey: 'job-7' });
      await expect(pushgate.sendMessage({ to: { userIds: ['nobody'] }, data: { k: 'other' } }, { idempotencyKey: 'job-7' })).rejects.toMatchObject({ status: 409, code: 'idempotency_conflict' });
    });

    it('refuses options it cannot use, saying what is expected', () => {
      expect(() => createPushgateClient({ baseUrl: 'localhost:8080', key: SERVER_KEY })).toThrow('baseUrl must be an absolute http(s) URL such as https://push.example.com; got "localhost:8080"');
      expect(() => createPushgateClient({ baseUrl: t.baseUrl, key: ' ' })).toThrow(/^key must be a server key/);
      expect(() => createPushgateClient({ baseUrl: t.baseUrl, key: SERVER_KEY, retry: { maxAttempts: 0 } })).toThrow('retry.maxAttempts must be an integer ≥ 1; got 0');
    });
  });
});
