/**
 * Webhooks over real HTTP: a real send through the Huawei simulator produces every event type
 * (a delivered receipt, a pruned token, a failed delivery, the completed message); a receiver on
 * 127.0.0.1 that first refuses connections, then answers 500, then 200 gets each event, retried,
 * and verifies every signature with the README's snippet.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { huaweiCallbackHeader } from '../../providers/huawei/huawei.receipts.js';
import { HUAWEI_CALLBACK_HEADER } from '../../providers/huawei/huawei.wire.js';
import { providers } from '../../providers/registry.js';
import { parseConfig } from '../../src/config/load.js';
import { guardedLookup } from '../../src/core/webhook-address.js';
import { CENSOR, createRedactor } from '../../src/privacy/redact.js';
import { ENCRYPTION_KEY, hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

const SECRET = 'whsec-test-0000000000000001';

// ---- the README's verification snippet (README "Webhooks"), unchanged ----
function verifyPushgateSignature(secret: string, header: string, rawBody: string, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!parts.v1 || !Number.isFinite(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
// ----

interface Received {
  id: string;
  headerId: string;
  verified: boolean;
  body: { id: string; type: string; tenant: string; data: Record<string, unknown> };
  raw: string;
}

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('webhooks against a real receiver', () => {
  let t: TestGateway;
  let receiver: Server | undefined;
  let mode: 'fail' | 'ok' = 'fail';
  const got: Received[] = [];
  let refusedAnswers = 0;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    t = await testGateway({
      realClock: true,
      acmeTenant: { allowPrivateNetworks: true, webhooks: [{ url: `http://127.0.0.1:${port}/hooks`, events: ['message.completed', 'delivery.failed', 'delivery.delivered', 'device.pruned'], secret: SECRET }] },
      config: { webhookDelivery: { pollIntervalMs: 20, backoffBaseMs: 40, backoffMaxMs: 150, timeoutMs: 2000 } },
    });
  });
  afterAll(async () => {
    receiver?.closeAllConnections();
    if (receiver) await new Promise((r) => receiver!.close(r));
    await t.close();
  });

  const startReceiver = async () => {
    receiver = createServer((req: IncomingMessage, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        if (mode === 'fail') {
          refusedAnswers++;
          res.writeHead(500).end('not yet');
          return;
        }
        const body = JSON.parse(raw) as Received['body'];
        got.push({ id: body.id, headerId: String(req.headers['pushgate-event-id']), verified: verifyPushgateSignature(SECRET, String(req.headers['pushgate-signature']), raw), body, raw });
        res.writeHead(204).end();
      });
    });
    receiver.listen(port, '127.0.0.1');
    await new Promise((r) => receiver!.once('listening', r));
  };

  it('sends every event type once the receiver is up, after retrying through refused connections and 500s, each signed and carrying its event id', async () => {
    t.gw.webhooks.start();
    const ok = (await t.server('post', '/v1/devices').send({ provider: 'huawei', token: hwToken(1), userId: 'u1' }).expect(201)).body as { id: string };
    const dead = (await t.server('post', '/v1/devices').send({ provider: 'huawei', token: hwToken(2), userId: 'u1' }).expect(201)).body as { id: string };
    t.sim.invalidTokens.add(hwToken(2));
    const msg = (await t.server('post', '/v1/messages').send({ to: { userIds: ['u1'] }, notification: { title: 'Hi', body: 'there' } }).expect(202)).body as { id: string };
    await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'huawei' });
    await t.http
      .post('/v1/receipts/huawei/acme')
      .set(HUAWEI_CALLBACK_HEADER, huaweiCallbackHeader(Date.now(), 'n1', 'cbuser', 'cbkey'))
      .send({ statuses: [{ status: 0, token: hwToken(1), biTag: msg.id }] })
      .expect(200);

    // Down: connections refused, the events stay pending with the reason.
    await waitFor('a refused attempt', async () => (await t.gw.store.listOutbox('acme', 'pending', null, 10)).some((r) => r.attempts > 0 && /ECONNREFUSED/.test(r.lastError ?? '')));
    const pending = (await t.server('get', '/v1/webhooks/deliveries?state=pending').expect(200)).body as { deliveries: Array<{ event: string; attempts: number }> };
    expect(pending.deliveries.map((d) => d.event).sort()).toEqual(['delivery.delivered', 'delivery.failed', 'device.pruned', 'message.completed']);
    // Up but failing: 500s, retried.
    await startReceiver();
    await waitFor('500 answers', () => refusedAnswers >= 4);
    expect(got).toEqual([]);
    mode = 'ok';
    await waitFor('four events', async () => got.length >= 4 && (await t.gw.store.outboxStats()).length === 0);

    expect(got.map((g) => g.body.type).sort()).toEqual(['delivery.delivered', 'delivery.failed', 'device.pruned', 'message.completed']);
    for (const g of got) {
      expect(g.verified).toBe(true);
      expect(g.headerId).toBe(g.id);
      expect(g.body.tenant).toBe('acme');
      expect(g.raw).not.toContain(hwToken(1));
      expect(g.raw).not.toContain(hwToken(2));
    }
    expect(new Set(got.map((g) => g.id)).size).toBe(4);
    const byType = Object.fromEntries(got.map((g) => [g.body.type, g.body.data]));
    expect(byType['device.pruned']).toEqual({ deviceId: dead.id, userId: 'u1', provider: 'huawei', reason: 'invalid_token' });
    expect(byType['message.completed']).toEqual({ messageId: msg.id, counts: { sent: 1, failed: 1 } });
    expect(byType['delivery.failed']).toMatchObject({ messageId: msg.id, provider: 'huawei', state: 'failed', error: { code: 'invalid_token' } });
    expect(byType['delivery.delivered']).toMatchObject({ messageId: msg.id, provider: 'huawei' });
    expect(ok.id).not.toBe(dead.id);
    // A tampered body fails the snippet.
    expect(verifyPushgateSignature(SECRET, `t=${Math.floor(Date.now() / 1000)},v1=00`, got[0]!.raw)).toBe(false);

    const metrics = (await t.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/pushgate_webhooks_total\{tenant="acme",event="device.pruned",outcome="retry"\} [1-9]/);
    expect(metrics).toMatch(/pushgate_webhooks_total\{tenant="acme",event="device.pruned",outcome="delivered"\} 1/);
    expect(metrics).toMatch(/pushgate_webhook_outbox_depth\{tenant="acme"\} 0/);
    const delivered = (await t.server('get', '/v1/webhooks/deliveries?state=delivered&limit=2').expect(200)).body as { deliveries: unknown[]; nextCursor: string };
    expect(delivered.deliveries).toHaveLength(2);
    const rest = (await t.server('get', `/v1/webhooks/deliveries?state=delivered&limit=2&cursor=${delivered.nextCursor}`).expect(200)).body as { deliveries: unknown[] };
    expect(rest.deliveries).toHaveLength(2);
  });

  it('keeps an event failed after its retry window and sends it again on the retry route', async () => {
    mode = 'fail';
    // Give up at once: the row's window is already over.
    await t.gw.store.upsertDevice({ id: 'dev_x', tenant: 'acme', provider: 'huawei', tokenEnc: 'e', tokenHash: 'hx', userId: 'u9', extras: null, now: Date.now() });
    await t.gw.store.deleteDeviceByHash('acme', 'huawei', 'hx', { now: Date.now(), outbox: (c, now) => [{ id: 'evt_manual', tenant: 'acme', url: `http://127.0.0.1:${port}/hooks`, event: 'device.pruned', body: JSON.stringify({ id: 'evt_manual', type: 'device.pruned', tenant: 'acme', data: c }), giveUpAt: now }] });
    await waitFor('the event failed', async () => (await t.gw.store.listOutbox('acme', 'failed', null, 10)).length === 1);
    const failed = (await t.server('get', '/v1/webhooks/deliveries?state=failed').expect(200)).body as { deliveries: Array<{ id: string; lastError: string }> };
    expect(failed.deliveries).toEqual([expect.objectContaining({ id: 'evt_manual', lastError: expect.stringContaining('the receiver answered 500') })]);
    mode = 'ok';
    expect((await t.server('post', '/v1/webhooks/deliveries/retry').send({ ids: ['evt_manual', 'evt_unknown'] }).expect(200)).body).toEqual({ retried: 1 });
    await waitFor('the retried event', () => got.some((g) => g.id === 'evt_manual'));
    expect((await t.server('get', '/v1/webhooks/deliveries?state=failed').expect(200)).body.deliveries).toEqual([]);
  });
});

describe('webhook addresses', () => {
  const config = (tenant: Record<string, unknown>) =>
    parseConfig(
      { security: { encryptionKey: ENCRYPTION_KEY }, log: { level: 'silent' }, tenants: [{ id: 'acme', serverKeys: ['k'.repeat(16)], ...tenant }] },
      {},
      providers,
    );
  const hook = (url: string) => ({ webhooks: [{ url, events: ['device.pruned'], secret: SECRET }] });

  it('refuses loopback, private and link-local addresses and plain http at config load unless the tenant allows private networks', () => {
    for (const url of ['https://127.0.0.1/h', 'https://localhost:8443/h', 'https://10.1.2.3/h', 'https://[::1]/h', 'https://169.254.169.254/latest', 'http://127.0.0.1:9/h']) {
      expect(() => config(hook(url))).toThrow(/allowPrivateNetworks/);
    }
    expect(() => config(hook('http://hooks.example.com/h'))).toThrow(/must be https/);
    expect(() => config(hook('https://hooks.example.com/h'))).not.toThrow();
    expect(() => config({ ...hook('http://127.0.0.1:9/h'), allowPrivateNetworks: true })).not.toThrow();
  });

  it('hides webhook secrets wherever the config is logged or reported', () => {
    const shown = createRedactor(providers).redact({ tenants: [hook('https://hooks.example.com/h')] });
    expect(shown.tenants[0]!.webhooks[0]).toEqual({ url: 'https://hooks.example.com/h', events: ['device.pruned'], secret: CENSOR });
    expect(() => config({ webhooks: [{ url: 'https://hooks.example.com/h', events: ['device.pruned'], secret: 'short-secret' }] })).toThrow(/secret: webhook secrets must be at least 16 characters \(got \(hidden\)\)/);
  });

  it('refuses at connect time a name that resolves to a private address, unless allowed', async () => {
    const look = (allow: boolean) =>
      new Promise<{ err: (Error & { code?: string }) | null; address: string }>((resolve) => guardedLookup(allow)('localhost', { family: 4 }, (err, address) => resolve({ err, address: String(address) })));
    const refused = await look(false);
    expect(refused.err?.code).toBe('EPRIVATEADDRESS');
    const allowed = await look(true);
    expect(allowed.err).toBeNull();
    expect(allowed.address).toBe('127.0.0.1');
  });
});
