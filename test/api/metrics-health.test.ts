import { CLIENT_KEY, hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

let t: TestGateway;
beforeEach(async () => {
  t = await testGateway();
});
afterEach(async () => {
  await t.close();
});

function value(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((kv) => l.includes(kv)));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('/metrics, /healthz, /readyz', () => {
  it('moves the counters of a send: accepted, attempts by outcome, deliveries by final state, pruned, devices, queue depth, provider duration', async () => {
    for (let i = 0; i < 3; i++) await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'huawei', token: hwToken(i), userId: 'm' }).expect(201);
    await t.server('post', '/v1/messages').send({ to: { userIds: ['m'] }, notification: { title: 'a', body: 'b' } }).expect(202);
    let text = (await t.http.get('/metrics').expect(200)).text;
    expect(value(text, 'pushgate_messages_accepted_total', 'tenant="acme"')).toBe(1);
    expect(value(text, 'pushgate_queue_depth', 'tenant="acme",provider="huawei"')).toBe(3);
    expect(value(text, 'pushgate_devices', 'tenant="acme",provider="huawei"')).toBe(3);
    expect(value(text, 'pushgate_http_requests_total', 'route="/v1/messages",method="POST",status="202"')).toBe(1);

    t.sim.invalidTokens.add(hwToken(0));
    await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'huawei' });
    text = (await t.http.get('/metrics').expect(200)).text;
    expect(value(text, 'pushgate_delivery_attempts_total', 'outcome="sent"')).toBe(2);
    expect(value(text, 'pushgate_delivery_attempts_total', 'outcome="invalid_token"')).toBe(1);
    expect(value(text, 'pushgate_deliveries_total', 'state="sent"')).toBe(2);
    expect(value(text, 'pushgate_deliveries_total', 'state="failed"')).toBe(1);
    expect(value(text, 'pushgate_tokens_pruned_total', 'provider="huawei"')).toBe(1);
    expect(value(text, 'pushgate_devices', 'tenant="acme",provider="huawei"')).toBe(2);
    expect(value(text, 'pushgate_queue_depth', 'tenant="acme",provider="huawei"')).toBe(0);
    expect(value(text, 'pushgate_provider_request_duration_seconds_count', 'provider="huawei"')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'pushgate_provider_up', 'tenant="acme",provider="huawei"')).toBe(1);
    expect(text).toContain('process_cpu_user_seconds_total');
    // no token, user id or message id ever becomes a label
    expect(text).not.toContain(hwToken(1).slice(0, 20));
    expect(text).not.toContain('"m"');
  });

  it('counts provider errors by reason and the oldest queued age per lane', async () => {
    await t.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'huawei', token: hwToken(5) }] }, notification: { title: 'a', body: 'b' } }).expect(202);
    t.clock.advance(42_000);
    let text = (await t.http.get('/metrics').expect(200)).text;
    expect(value(text, 'pushgate_queue_oldest_age_seconds', 'tenant="acme",provider="huawei"')).toBe(42);
    t.sim.fail(1);
    await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'huawei' });
    text = (await t.http.get('/metrics').expect(200)).text;
    expect(value(text, 'pushgate_provider_errors_total', 'provider="huawei",reason="http_500"')).toBe(1);
    // A retry is an attempt, not a final state: the delivery is still queued.
    expect(value(text, 'pushgate_delivery_attempts_total', 'outcome="retry"')).toBe(1);
    expect(text).not.toMatch(/^pushgate_deliveries_total\{/m);
  });

  it('counts every fresh 202 as accepted, with zero targets too, and no idempotent replay', async () => {
    const accepted = async () => value((await t.http.get('/metrics').expect(200)).text, 'pushgate_messages_accepted_total', 'tenant="acme"');
    const nobody = { to: { userIds: ['no-such-user'] }, notification: { title: 'a', body: 'b' } };
    const zero = await t.server('post', '/v1/messages').send(nobody).expect(202);
    expect(zero.body.targets).toBe(0);
    expect(await accepted()).toBe(1);
    const once = { to: { tokens: [{ provider: 'huawei', token: hwToken(7) }] }, notification: { title: 'a', body: 'b' } };
    const first = await t.server('post', '/v1/messages').set('Idempotency-Key', 'k-metrics').send(once).expect(202);
    const again = await t.server('post', '/v1/messages').set('Idempotency-Key', 'k-metrics').send(once).expect(202);
    expect(again.body.id).toBe(first.body.id);
    expect(await accepted()).toBe(2);
  });

  it('answers /healthz and /readyz with the store and queue checks', async () => {
    expect((await t.http.get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
    const ready = await t.http.get('/readyz').expect(200);
    expect(ready.body.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([
      ['store', true],
      ['queue', true],
    ]);
    const ping = t.gw.store.ping.bind(t.gw.store);
    t.gw.store.ping = async () => {
      throw new Error('database is locked');
    };
    const down = await t.http.get('/readyz').expect(503);
    expect(down.body.checks[0]).toMatchObject({ name: 'store', ok: false, error: 'database is locked' });
    t.gw.store.ping = ping;
    await t.http.get('/readyz').expect(200);
  });

  it('stays ready while a vendor is unreachable, and lists that lane as down', async () => {
    await t.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'huawei', token: hwToken(1) }] }, notification: { title: 'a', body: 'b' } }).expect(202);
    await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'huawei' });
    let ready = await t.http.get('/readyz').expect(200);
    expect(ready.body.lanes).toContainEqual(expect.objectContaining({ tenant: 'acme', provider: 'huawei', state: 'up', credentials: 'ok' }));

    await t.sim.close(); // Huawei's endpoint now refuses connections
    await t.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'huawei', token: hwToken(2) }] }, notification: { title: 'a', body: 'b' } }).expect(202);
    await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'huawei' });
    ready = await t.http.get('/readyz').expect(200);
    expect(ready.body.status).toBe('ready');
    const lane = ready.body.lanes.find((l: { tenant: string; provider: string }) => l.tenant === 'acme' && l.provider === 'huawei');
    expect(lane).toMatchObject({ state: 'down', credentials: 'ok', failingSince: new Date(t.clock.now()).toISOString() });
    expect(lane.lastError).toMatch(/econnrefused/i);
    // The other tenant's lane has not met the outage yet: nothing known against it.
    expect(ready.body.lanes).toContainEqual(expect.objectContaining({ tenant: 'beta', provider: 'huawei', state: 'up' }));
  });

  it('stays ready while a lane is paused on refused credentials, and says so with reason and until', async () => {
    const refused = { status: 401, body: { code: '80200001', msg: 'Oauth authentication error' } };
    t.sim.answerNext(refused, refused); // the send, and the resend after the credential refresh
    await t.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'huawei', token: hwToken(3) }] }, notification: { title: 'a', body: 'b' } }).expect(202);
    await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'huawei' });
    const ready = await t.http.get('/readyz').expect(200);
    const lane = ready.body.lanes.find((l: { tenant: string; provider: string }) => l.tenant === 'acme' && l.provider === 'huawei');
    expect(lane).toMatchObject({ state: 'paused', reason: 'auth', until: new Date(t.clock.now() + 1000).toISOString(), credentials: 'failing' });
    const text = (await t.http.get('/metrics').expect(200)).text;
    expect(value(text, 'pushgate_provider_up', 'tenant="acme",provider="huawei"')).toBe(0);
  });

  it('serves an OpenAPI document generated from the request schemas', async () => {
    const doc = (await t.http.get('/openapi.json').expect(200)).body;
    expect(doc.openapi).toBe('3.1.0');
    const send = doc.paths['/v1/messages'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(send.properties)).toEqual(['to', 'notification', 'data', 'options']);
    expect(send.additionalProperties).toBe(false);
  });
});
