/**
 * The listings over real HTTP (issue 12 point 1): 3,000 deliveries across 30 messages, a third of
 * them refused by the simulated vendor as invalid tokens. Every list is walked page by page and
 * must give each row exactly once, in its order, with its filters exact; another tenant sees
 * nothing of it; bad query parameters are named.
 */
import { HUAWEI_EXPLANATIONS } from '../../providers/huawei/huawei.errors.js';
import { maskToken } from '../../src/privacy/token-cipher.js';
import { CLIENT_KEY, OTHER_SERVER_KEY, SERVER_KEY, hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

let t: TestGateway;
const LANE = { tenant: 'acme', provider: 'huawei' };
const MESSAGES = 30;
const PER_MESSAGE = 100;
/** Token j of a message is invalid when j % 3 === 0: 34 of each 100. */
const FAILED_PER_MESSAGE = 34;
const CATEGORIES = ['im', 'order', undefined] as const;

interface Sent {
  id: string;
  createdAt: number;
  category: string | undefined;
}
const sent: Sent[] = [];
let phase2At = 0;
/** Failed delivery ids after the first dispatch phase (the first 15 messages). */
let phase1Failed: Set<string>;

interface Listed {
  id: string;
  [k: string]: unknown;
}
type Body = Record<string, unknown> & { nextCursor: string | null };

/** Every page of a list: `items` are the rows, the walk ends when nextCursor is null. */
async function walk(url: string, items: 'messages' | 'deliveries', key = SERVER_KEY): Promise<{ rows: Listed[]; pages: number }> {
  const rows: Listed[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await t.server('get', cursor === null ? url : `${url}${sep}cursor=${encodeURIComponent(cursor)}`, key).expect(200);
    const body = res.body as Body;
    rows.push(...(body[items] as Listed[]));
    cursor = body.nextCursor;
    pages++;
    if (pages > 1000) throw new Error('the walk does not end');
  } while (cursor !== null);
  return { rows, pages };
}
const ids = (rows: Listed[]) => rows.map((r) => r.id);
const expectUnique = (rows: Listed[]) => expect(new Set(ids(rows)).size).toBe(rows.length);
const iso = (ms: number) => new Date(ms).toISOString();
/** Newest first: created time descending, then id descending (byte order), as the keyset. */
const newestFirst = (xs: Sent[]) => [...xs].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((m) => m.id);

async function dispatch(messages: number): Promise<void> {
  for (let i = 0; i < messages; i++) expect((await t.gw.dispatcher.runLane(LANE)).kind).toBe('more');
}

beforeAll(async () => {
  t = await testGateway();
  for (let m = 0; m < MESSAGES; m++) {
    const tokens = Array.from({ length: PER_MESSAGE }, (_, j) => hwToken(m * PER_MESSAGE + j));
    tokens.forEach((tok, j) => j % 3 === 0 && t.sim.invalidTokens.add(tok));
    const category = CATEGORIES[m % 3];
    const res = await t
      .server('post', '/v1/messages')
      .send({ to: { tokens: tokens.map((token) => ({ provider: 'huawei', token })) }, data: { m: String(m) }, ...(category ? { options: { category } } : {}) })
      .expect(202);
    sent.push({ id: res.body.id, createdAt: t.clock.now(), category });
    // Pairs of messages share a creation time, so pages cut through ties.
    if (m % 2 === 1) t.clock.advance(1000);
  }
  t.clock.advance(60_000);
  await dispatch(15);
  phase1Failed = new Set(ids((await walk('/v1/deliveries?limit=1000', 'deliveries')).rows));
  t.clock.advance(60_000);
  phase2At = t.clock.now();
  await dispatch(15);
  expect(await t.gw.dispatcher.runLane(LANE)).toEqual({ kind: 'idle', nextDueAt: null });
}, 120_000);
afterAll(async () => {
  await t.close();
});

describe('GET /v1/messages', () => {
  it('walks every message once, newest first, with per-state counts', async () => {
    const { rows, pages } = await walk('/v1/messages?limit=7', 'messages');
    expect(pages).toBe(5);
    expectUnique(rows);
    expect(ids(rows)).toEqual(newestFirst(sent));
    for (const r of rows) {
      const m = sent.find((s) => s.id === r.id)!;
      expect(r).toEqual({
        id: m.id,
        createdAt: iso(m.createdAt),
        category: m.category ?? null,
        status: 'done',
        total: PER_MESSAGE,
        counts: { queued: 0, sending: 0, sent: PER_MESSAGE - FAILED_PER_MESSAGE, delivered: 0, failed: FAILED_PER_MESSAGE, expired: 0, canceled: 0 },
      });
    }
  });

  it('filters by creation time, category and status, exactly, across pages', async () => {
    const from = sent[10]!.createdAt;
    const to = sent[20]!.createdAt;
    const between = await walk(`/v1/messages?limit=4&createdFrom=${iso(from)}&createdTo=${iso(to)}`, 'messages');
    expect(ids(between.rows)).toEqual(newestFirst(sent.filter((m) => m.createdAt >= from && m.createdAt < to)));

    const im = await walk('/v1/messages?limit=3&category=im', 'messages');
    expect(ids(im.rows)).toEqual(newestFirst(sent.filter((m) => m.category === 'im')));
    expect(im.rows).toHaveLength(10);

    // An offset form of the same instant selects the same messages.
    const offset = encodeURIComponent(new Date(from + 2 * 3600_000).toISOString().replace('Z', '+02:00'));
    expect(ids((await walk(`/v1/messages?limit=100&createdFrom=${offset}`, 'messages')).rows)).toEqual(newestFirst(sent.filter((m) => m.createdAt >= from)));

    expect((await t.server('get', '/v1/messages?status=in_progress').expect(200)).body).toEqual({ messages: [], nextCursor: null });
    expect(ids((await walk('/v1/messages?status=done&limit=9&category=order', 'messages')).rows)).toEqual(newestFirst(sent.filter((m) => m.category === 'order')));
  });

  it('tells in-progress messages from done ones', async () => {
    const own = await testGateway();
    try {
      const send = async (n: number) =>
        (await own.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'huawei', token: hwToken(n) }] }, data: { k: 'v' } }).expect(202)).body.id as string;
      const first = await send(1);
      own.clock.advance(1000);
      const second = await send(2);
      await own.gw.dispatcher.runLane(LANE); // the oldest message goes out
      const list = async (q: string) => (await own.server('get', `/v1/messages${q}`).expect(200)).body.messages as Listed[];
      expect(await list('?status=in_progress')).toEqual([expect.objectContaining({ id: second, status: 'in_progress', total: 1, counts: expect.objectContaining({ queued: 1 }) })]);
      expect(await list('?status=done')).toEqual([expect.objectContaining({ id: first, status: 'done', total: 1, counts: expect.objectContaining({ sent: 1, queued: 0 }) })]);
      expect(ids(await list(''))).toEqual([second, first]);
    } finally {
      await own.close();
    }
  });
});

describe('GET /v1/messages/{id}/deliveries', () => {
  it('walks each message’s deliveries once, and filters by state, provider and error code exactly', async () => {
    const everyFailed = new Set<string>();
    for (const m of sent) {
      const all = await walk(`/v1/messages/${m.id}/deliveries?limit=33`, 'deliveries');
      expect(all.pages).toBe(4);
      expectUnique(all.rows);
      expect(all.rows).toHaveLength(PER_MESSAGE);
      expect(ids(all.rows)).toEqual([...ids(all.rows)].sort());
      expect(all.rows.every((d) => d.messageId === m.id && d.provider === 'huawei')).toBe(true);

      const failed = await walk(`/v1/messages/${m.id}/deliveries?limit=11&state=failed`, 'deliveries');
      expect(failed.rows).toHaveLength(FAILED_PER_MESSAGE);
      expect(failed.rows.every((d) => d.state === 'failed' && (d.lastError as { code: string }).code === 'invalid_token')).toBe(true);
      const byCode = await walk(`/v1/messages/${m.id}/deliveries?limit=50&errorCode=invalid_token&provider=huawei`, 'deliveries');
      expect(ids(byCode.rows)).toEqual(ids(failed.rows));
      const ok = await walk(`/v1/messages/${m.id}/deliveries?limit=50&state=sent`, 'deliveries');
      expect(ok.rows).toHaveLength(PER_MESSAGE - FAILED_PER_MESSAGE);
      expect(new Set([...ids(failed.rows), ...ids(ok.rows)])).toEqual(new Set(ids(all.rows)));
      for (const id of ids(failed.rows)) everyFailed.add(id);
    }
    expect(everyFailed.size).toBe(MESSAGES * FAILED_PER_MESSAGE);
    const none = await t.server('get', `/v1/messages/${sent[0]!.id}/deliveries?errorCode=rejected`).expect(200);
    expect(none.body).toEqual({ deliveries: [], nextCursor: null });
  });

  it('answers 404 for a message of another tenant or none', async () => {
    const res = await t.server('get', `/v1/messages/${sent[0]!.id}/deliveries`, OTHER_SERVER_KEY).expect(404);
    expect(res.body.error.code).toBe('not_found');
    await t.server('get', '/v1/messages/msg_none/deliveries').expect(404);
  });
});

describe('GET /v1/deliveries (dead letters)', () => {
  it('walks every failed delivery across messages once, most recently failed first, with message id, provider, masked token, attempts and last error', async () => {
    const { rows } = await walk('/v1/deliveries?state=failed&limit=97', 'deliveries');
    expectUnique(rows);
    expect(rows).toHaveLength(MESSAGES * FAILED_PER_MESSAGE);
    const sentIds = new Set(sent.map((m) => m.id));
    for (const d of rows) {
      expect(d).toEqual({
        id: expect.any(String),
        messageId: expect.any(String),
        provider: 'huawei',
        deviceId: null,
        token: maskToken(hwToken(0)),
        state: 'failed',
        attempts: 1,
        lastError: expect.objectContaining({ code: 'invalid_token', vendorCode: '80100000' }),
        // Huawei's partial success, in words (providers/huawei/huawei.errors.ts).
        explanation: { ...HUAWEI_EXPLANATIONS['80100000'], of: 'vendorCode' },
        vendorMessageId: null,
        updatedAt: expect.any(String),
      });
      expect(sentIds.has(d.messageId as string)).toBe(true);
    }
    const times = rows.map((d) => Date.parse(d.updatedAt as string));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Phase 2 failed last, so it comes first.
    expect(rows.slice(0, 15 * FAILED_PER_MESSAGE).some((d) => phase1Failed.has(d.id))).toBe(false);
    // No raw token anywhere in the answers.
    expect(JSON.stringify(rows)).not.toContain(hwToken(0).slice(4, -4));
  });

  it('filters by since, state, provider and error code exactly', async () => {
    const since = await walk(`/v1/deliveries?since=${iso(phase2At)}&limit=200`, 'deliveries');
    expect(since.rows).toHaveLength(15 * FAILED_PER_MESSAGE);
    expect(since.rows.some((d) => phase1Failed.has(d.id))).toBe(false);
    const all = await walk('/v1/deliveries?limit=1000', 'deliveries');
    expect(new Set(ids(all.rows))).toEqual(new Set([...phase1Failed, ...ids(since.rows)]));
    expect(ids((await walk('/v1/deliveries?errorCode=invalid_token&provider=huawei&limit=500', 'deliveries')).rows)).toEqual(ids(all.rows));
    expect((await t.server('get', '/v1/deliveries?state=expired').expect(200)).body).toEqual({ deliveries: [], nextCursor: null });
    expect((await t.server('get', '/v1/deliveries?errorCode=rejected').expect(200)).body).toEqual({ deliveries: [], nextCursor: null });
    expect((await t.server('get', '/v1/deliveries?provider=vivo').expect(200)).body).toEqual({ deliveries: [], nextCursor: null });
  });
});

describe('GET /v1/deliveries/summary', () => {
  it('counts finished deliveries by provider, state, error code and vendor code since a time (the last hour by default), each group explained', async () => {
    const ok = MESSAGES * (PER_MESSAGE - FAILED_PER_MESSAGE);
    const explained = { ...HUAWEI_EXPLANATIONS['80100000'], of: 'vendorCode' };
    const failedGroup = { provider: 'huawei', state: 'failed', errorCode: 'invalid_token', vendorCode: '80100000', explanation: explained };
    const sentGroup = { provider: 'huawei', state: 'sent', errorCode: null, vendorCode: null, explanation: null };
    const everything = { counts: [{ ...failedGroup, count: MESSAGES * FAILED_PER_MESSAGE }, { ...sentGroup, count: ok }] };
    const all = await t.server('get', `/v1/deliveries/summary?since=${iso(sent[0]!.createdAt)}`).expect(200);
    expect(all.body).toEqual({ since: iso(sent[0]!.createdAt), ...everything });
    const byDefault = await t.server('get', '/v1/deliveries/summary').expect(200);
    expect(byDefault.body).toEqual({ since: iso(t.clock.now() - 3600_000), ...everything });
    const phase2 = await t.server('get', `/v1/deliveries/summary?since=${iso(phase2At)}`).expect(200);
    expect(phase2.body.counts).toEqual([
      { ...failedGroup, count: 15 * FAILED_PER_MESSAGE },
      { ...sentGroup, count: 15 * (PER_MESSAGE - FAILED_PER_MESSAGE) },
    ]);
  });
});

describe('tenant isolation', () => {
  it('shows another tenant none of these messages, deliveries or counts, and only its own', async () => {
    expect((await t.server('get', '/v1/messages', OTHER_SERVER_KEY).expect(200)).body).toEqual({ messages: [], nextCursor: null });
    expect((await t.server('get', '/v1/deliveries', OTHER_SERVER_KEY).expect(200)).body).toEqual({ deliveries: [], nextCursor: null });
    expect((await t.server('get', '/v1/deliveries/summary', OTHER_SERVER_KEY).expect(200)).body.counts).toEqual([]);
    const own = await t.server('post', '/v1/messages', OTHER_SERVER_KEY).send({ to: { tokens: [{ provider: 'huawei', token: hwToken(0) }] }, data: { k: 'v' } }).expect(202);
    expect(ids((await t.server('get', '/v1/messages', OTHER_SERVER_KEY).expect(200)).body.messages)).toEqual([own.body.id]);
    expect(ids((await walk('/v1/messages?limit=1000', 'messages')).rows)).not.toContain(own.body.id);
  });

  it('refuses client keys: listings are for the backend', async () => {
    for (const url of ['/v1/messages', `/v1/messages/${sent[0]!.id}/deliveries`, '/v1/deliveries', '/v1/deliveries/summary']) {
      expect([url, (await t.server('get', url, CLIENT_KEY)).status]).toEqual([url, 403]);
    }
  });
});

describe('bad query parameters', () => {
  it('are refused with 400, each named as query.<name>', async () => {
    const messagesCursor = (await t.server('get', '/v1/messages?limit=1').expect(200)).body.nextCursor as string;
    const cases: Array<[url: string, fields: string[]]> = [
      ['/v1/messages?limit=0', ['query.limit']],
      ['/v1/messages?limit=1001', ['query.limit']],
      ['/v1/messages?limit=ten', ['query.limit']],
      ['/v1/messages?createdFrom=yesterday', ['query.createdFrom']],
      ['/v1/messages?createdFrom=2026-11-30T12:00:00Z&createdTo=2026-11-30T11:00:00Z', ['query.createdTo']],
      ['/v1/messages?status=failed', ['query.status']],
      ['/v1/messages?category=IM', ['query.category']],
      ['/v1/messages?cursor=not-a-cursor', ['query.cursor']],
      ['/v1/messages?since=2026-11-30T12:00:00Z&limit=1&limit=2', ['query.limit']],
      ['/v1/messages?since=2026-11-30T12:00:00Z', ['query.since']],
      [`/v1/messages/${sent[0]!.id}/deliveries?state=lost`, ['query.state']],
      [`/v1/messages/${sent[0]!.id}/deliveries?provider=nokia`, ['query.provider']],
      [`/v1/messages/${sent[0]!.id}/deliveries?cursor=${messagesCursor}`, ['query.cursor']],
      ['/v1/deliveries?state=sent', ['query.state']],
      ['/v1/deliveries?since=1h', ['query.since']],
      [`/v1/deliveries?cursor=${messagesCursor}`, ['query.cursor']],
      ['/v1/deliveries?errorCode=', ['query.errorCode']],
      ['/v1/deliveries/summary?since=last-hour', ['query.since']],
      ['/v1/deliveries/summary?limit=10', ['query.limit']],
    ];
    for (const [url, fields] of cases) {
      const res = await t.server('get', url);
      expect([url, res.status, res.body.error?.code]).toEqual([url, 400, 'invalid_request']);
      expect([url, res.body.error.details.map((d: { field: string }) => d.field)]).toEqual([url, fields]);
    }
  });
});
