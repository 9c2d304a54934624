/**
 * Retries against a real gateway: a 429 backlog_full is waited out for its Retry-After and sent
 * again with the same Idempotency-Key; a 202 lost on the way back is retried and the gateway
 * answers the first message instead of storing a second. The rules for what is retried are then
 * checked answer by answer with a scripted fetch.
 */
import { createPushgateClient, parseRetryAfter, PushgateError, type RetryOptions } from '../src/index.js';
import { SERVER_KEY, hwToken, recordingFetch, servedGateway, type ServedGateway } from './harness.js';

const lane = { tenant: 'acme', provider: 'huawei' };
const note = { title: 'Hi', body: 'there' };

describe('retries on a real gateway', () => {
  let t: ServedGateway;
  beforeAll(async () => {
    // Room for one pending delivery: a second send is refused with 429 backlog_full, Retry-After: 5.
    t = await servedGateway({ maxBacklog: 1 });
    await t.server('post', '/v1/devices').send({ provider: 'huawei', token: hwToken(1), userId: 'u1' }).expect(201);
  });
  afterAll(() => t.close());

  /** The gateway counts pending deliveries at most once a second: move its clock past that. */
  const recount = () => t.clock.advance(1500);
  /** One delivery left pending, counted: the next send is refused. */
  async function fillBacklog(): Promise<void> {
    recount();
    await t.server('post', '/v1/messages').send({ to: { userIds: ['u1'] }, notification: note }).expect(202);
    recount();
  }
  async function drain(): Promise<void> {
    await t.gw.dispatcher.runLane(lane);
    recount();
  }

  it('waits out a 429 for its Retry-After, then sends again with the same Idempotency-Key and is accepted', async () => {
    await fillBacklog();
    const delays: number[] = [];
    const rec = recordingFetch();
    const client = createPushgateClient({
      baseUrl: t.baseUrl,
      key: SERVER_KEY,
      fetch: rec.fetch,
      retry: {
        // While the client waits, the lane drains the backlog and the gateway's clock moves on.
        sleep: async (ms) => {
          delays.push(ms);
          await t.gw.dispatcher.runLane(lane);
          t.clock.advance(ms);
        },
      },
    });
    const accepted = await client.sendMessage({ to: { userIds: ['u1'] }, notification: note });
    expect(accepted).toMatchObject({ status: 'accepted', targets: 1 });
    expect(delays).toEqual([5000]);
    expect(rec.seen).toHaveLength(2);
    expect(rec.seen[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(rec.seen[1]!.key).toBe(rec.seen[0]!.key);
    await drain();
  });

  it('throws backlog_full with retryAfterMs once its attempts are used up; nothing was stored', async () => {
    await fillBacklog();
    const before = (await t.server('get', '/v1/messages').expect(200)).body.messages.length as number;
    const delays: number[] = [];
    const client = createPushgateClient({ baseUrl: t.baseUrl, key: SERVER_KEY, retry: { maxAttempts: 3, sleep: async (ms) => void delays.push(ms) } });
    const err = await client.sendMessage({ to: { userIds: ['u1'] }, notification: note }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PushgateError);
    expect(err).toMatchObject({ status: 429, code: 'backlog_full', retryAfterMs: 5000 });
    expect(delays).toEqual([5000, 5000]);
    expect((await t.server('get', '/v1/messages').expect(200)).body.messages).toHaveLength(before);
    await drain();
  });

  it('does not retry before Retry-After: a wait longer than maxDelayMs throws at once', async () => {
    await fillBacklog();
    const delays: number[] = [];
    const rec = recordingFetch();
    const client = createPushgateClient({ baseUrl: t.baseUrl, key: SERVER_KEY, fetch: rec.fetch, retry: { maxDelayMs: 2000, sleep: async (ms) => void delays.push(ms) } });
    await expect(client.sendMessage({ to: { userIds: ['u1'] }, notification: note })).rejects.toMatchObject({ code: 'backlog_full', retryAfterMs: 5000 });
    expect(delays).toEqual([]);
    expect(rec.seen).toHaveLength(1);
    await drain();
  });

  it('retries a send whose 202 was lost, and the gateway answers the first message instead of sending twice', async () => {
    const sendsBefore = t.sim.sendTimes.length;
    const listed = async () => (await t.server('get', '/v1/messages?limit=100').expect(200)).body.messages as Array<{ id: string }>;
    const before = await listed();
    let lost = false;
    const rec = recordingFetch(async (request) => {
      const answer = await fetch(request);
      if (!lost && answer.status === 202) {
        lost = true;
        throw new TypeError('fetch failed'); // the 202 never reaches the backend
      }
      return answer;
    });
    const client = createPushgateClient({ baseUrl: t.baseUrl, key: SERVER_KEY, fetch: rec.fetch, retry: { sleep: async () => {}, random: () => 0.5 } });
    const accepted = await client.sendMessage({ to: { userIds: ['u1'] }, notification: note });
    expect(lost).toBe(true);
    expect(rec.seen.map((s) => s.key)).toEqual([rec.seen[0]!.key, rec.seen[0]!.key]);
    const after = await listed();
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]!.id).toBe(accepted.id);
    await t.gw.dispatcher.runLane(lane);
    expect(t.sim.sendTimes.length - sendsBefore).toBe(1);
    expect((await client.getMessage(accepted.id)).counts.sent).toBe(1);
  });
});

describe('what is retried, answer by answer', () => {
  /** A fetch that plays the given answers in order (an Error is thrown as a network failure). */
  function scripted(...answers: Array<Response | Error>) {
    const requests: Request[] = [];
    const f = async (request: Request) => {
      requests.push(request);
      const a = answers.shift();
      if (!a) throw new Error('no more scripted answers');
      if (a instanceof Error) throw a;
      return a;
    };
    return { f, requests };
  }
  const apiError = (status: number, code: string, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify({ error: { code, message: `${code} message` } }), { status, headers: { 'Content-Type': 'application/json', ...headers } });
  const okJson = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const netError = () => new TypeError('fetch failed');

  function client(script: ReturnType<typeof scripted>, retry: RetryOptions = {}) {
    const delays: number[] = [];
    const c = createPushgateClient({ baseUrl: 'http://gateway.test', key: SERVER_KEY, fetch: script.f, retry: { sleep: async (ms) => void delays.push(ms), random: () => 0.5, ...retry } });
    return { c, delays };
  }

  it('reads Retry-After as seconds or as an HTTP date, and ignores what it cannot read', () => {
    const now = Date.parse('2026-01-05T10:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Mon, 05 Jan 2026 10:00:12 GMT', now)).toBe(12_000);
    expect(parseRetryAfter('Mon, 05 Jan 2026 09:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('waits for a 503’s Retry-After given as an HTTP date, by the injected clock', async () => {
    const now = Date.parse('2026-01-05T10:00:00Z');
    const s = scripted(apiError(503, 'not_ready', { 'Retry-After': 'Mon, 05 Jan 2026 10:00:07 GMT' }), okJson({ status: 'ok' }));
    const { c, delays } = client(s, { now: () => now });
    const { data } = await c.raw.GET('/healthz');
    expect(data).toEqual({ status: 'ok' });
    expect(delays).toEqual([7000]);
  });

  it('backs off with full jitter when a 429 has no Retry-After', async () => {
    const s = scripted(apiError(429, 'backlog_full'), apiError(429, 'backlog_full'), okJson({ messages: [], nextCursor: null }));
    const { c, delays } = client(s, { baseDelayMs: 1000, random: () => 0.5 });
    await c.listMessages();
    expect(delays).toEqual([500, 1000]); // random · min(maxDelayMs, 1000·2^(attempt−1))
  });

  it('retries a network error or a 502/504 only for a request that can be repeated', async () => {
    // GET: idempotent.
    let s = scripted(netError(), new Response('<html>bad gateway</html>', { status: 502 }), okJson({ devices: [] }));
    await expect(client(s).c.listDevices('u1')).resolves.toEqual({ devices: [] });
    expect(s.requests).toHaveLength(3);
    // POST with an Idempotency-Key: retried.
    s = scripted(new Response('', { status: 504 }), okJson({ id: 'msg_1', status: 'accepted', targets: 1 }, 202));
    await expect(client(s).c.sendMessage({ to: { userIds: ['u1'] }, data: { k: 'v' } })).resolves.toMatchObject({ id: 'msg_1' });
    expect(s.requests).toHaveLength(2);
    // POST without one: the first failure is final (it may have been applied).
    s = scripted(netError(), okJson({ retried: 0 }));
    await expect(client(s).c.retryWebhookDeliveries()).rejects.toThrow('fetch failed');
    expect(s.requests).toHaveLength(1);
    s = scripted(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }), okJson({ retried: 0 }));
    await expect(client(s).c.retryWebhookDeliveries()).rejects.toMatchObject({ status: 502, code: 'http_error', message: 'HTTP 502 Bad Gateway: <html>bad gateway</html>' });
    expect(s.requests).toHaveLength(1);
  });

  it('never retries an answer that is final (400, 404, 409…)', async () => {
    const s = scripted(apiError(404, 'not_found'), okJson({}));
    await expect(client(s).c.getMessage('msg_x')).rejects.toMatchObject({ status: 404, code: 'not_found' });
    expect(s.requests).toHaveLength(1);
  });

  it('stops waiting when the call is aborted', async () => {
    const controller = new AbortController();
    const s = scripted(apiError(503, 'not_ready', { 'Retry-After': '1' }), okJson({}));
    const c = createPushgateClient({
      baseUrl: 'http://gateway.test',
      key: SERVER_KEY,
      fetch: async (r) => {
        const answer = await s.f(r);
        controller.abort(new Error('backend shutting down'));
        return answer;
      },
    });
    await expect(c.listMessages({}, { signal: controller.signal })).rejects.toThrow('backend shutting down');
    expect(s.requests).toHaveLength(1);
  });

  it('sends the given Idempotency-Key, and a fresh one per call otherwise', async () => {
    const accepted = () => okJson({ id: 'msg_1', status: 'accepted', targets: 1 }, 202);
    const s = scripted(accepted(), accepted(), accepted());
    const { c } = client(s);
    await c.sendMessage({ to: { userIds: ['u1'] }, data: { k: 'v' } }, { idempotencyKey: 'order-42-shipped' });
    await c.sendMessage({ to: { userIds: ['u1'] }, data: { k: 'v' } });
    await c.sendMessage({ to: { userIds: ['u1'] }, data: { k: 'v' } });
    const keys = s.requests.map((r) => r.headers.get('Idempotency-Key'));
    expect(keys[0]).toBe('order-42-shipped');
    expect(new Set(keys).size).toBe(3);
    expect(s.requests.every((r) => r.headers.get('Authorization') === `Bearer ${SERVER_KEY}`)).toBe(true);
  });
});
