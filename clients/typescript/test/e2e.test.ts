/**
 * A backend on a real gateway: the playground config (Huawei on its in-process simulator, which
 * posts delivery receipts back), the gateway's dispatcher running, and a webhook receiver on
 * 127.0.0.1. The client sends, follows the message to `delivered`, and the receiver checks the
 * gateway's real webhook POSTs with verifyWebhookSignature / parseWebhookEvent. The root README's
 * five-line example runs too, as a node script importing the built package by its name (so it
 * must stay plain JavaScript: no type annotations).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';
import { listeningGateway, type ListeningGateway } from '../../../test/factories/listening-gateway.js';
import { createPushgateClient, parseWebhookEvent, verifyWebhookSignature, type PushgateWebhookEvent } from '../src/index.js';
import { hwToken, until } from './harness.js';

const PLAYGROUND = new URL('../../../config/pushgate.yaml', import.meta.url).pathname;
const ROOT = new URL('../../../', import.meta.url).pathname;
const SERVER_KEY = 'demo-server-key-0123456789';
const CLIENT_KEY = 'demo-client-key-0123456789';
const SECRET = 'whsec-client-test-000000001';

interface Received {
  raw: Buffer;
  header: string | undefined;
}

describe('a backend using @pushgate/client against the playground gateway', () => {
  let e2e: ListeningGateway;
  let receiver: Server;
  const received: Received[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ raw: Buffer.concat(chunks), header: req.headers['pushgate-signature'] as string | undefined });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/pushgate-events`;
    e2e = await listeningGateway(({ dbPath }) => {
      const raw = parse(readFileSync(PLAYGROUND, 'utf8')) as { store: unknown; webhookDelivery?: unknown; tenants: Array<Record<string, unknown> & { providers: Record<string, unknown> }> };
      raw.store = { driver: 'sqlite', path: dbPath };
      raw.webhookDelivery = { pollIntervalMs: 20 };
      const demo = raw.tenants[0]!;
      demo.providers = { huawei: demo.providers.huawei };
      demo.allowPrivateNetworks = true;
      demo.webhooks = [{ url: hooks, events: ['message.completed', 'delivery.delivered'], secret: SECRET }];
      return raw;
    });
  });
  afterAll(async () => {
    await e2e.close();
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
  });

  const baseUrl = () => `http://127.0.0.1:${(e2e.server.address() as AddressInfo).port}`;

  it('sends to a user and follows the message to delivered; the gateway’s signed webhooks verify', async () => {
    const app = createPushgateClient({ baseUrl: baseUrl(), key: CLIENT_KEY });
    expect((await app.registerDevice({ provider: 'huawei', token: hwToken(42), userId: 'alice' })).userId).toBe('alice');

    const pushgate = createPushgateClient({ baseUrl: baseUrl(), key: SERVER_KEY });
    const { id, targets } = await pushgate.sendMessage({ to: { userIds: ['alice'] }, notification: { title: 'Order shipped', body: 'Arrives Friday' } });
    expect(targets).toBe(1);
    const done = await until(async () => {
      const m = await pushgate.getMessage(id);
      return m.counts.delivered === 1 ? m : undefined;
    }, 'the delivery to turn delivered');
    expect(done.status).toBe('done');
    expect(done.deliveries.map((d) => [d.provider, d.state])).toEqual([['huawei', 'delivered']]);

    // The gateway's own webhook POSTs: each verifies, and the events say what happened.
    await until(() => (received.length >= 2 ? true : undefined), 'two webhook events');
    const events: PushgateWebhookEvent[] = received.map((r) => {
      expect(verifyWebhookSignature({ body: r.raw, header: r.header, secret: SECRET })).toBe(true);
      return parseWebhookEvent({ body: r.raw.toString('utf8'), header: r.header, secret: SECRET });
    });
    const byType = Object.fromEntries(events.map((e) => [e.type, e]));
    expect(byType['message.completed']).toMatchObject({ tenant: 'demo', data: { messageId: id } });
    expect(byType['delivery.delivered']).toMatchObject({ tenant: 'demo', data: { messageId: id, provider: 'huawei', deliveryId: done.deliveries[0]!.id } });

    // The same real POSTs, tampered with or replayed late, are refused.
    const real = received[0]!;
    const tampered = Buffer.from(real.raw.toString('utf8').replace('"tenant":"demo"', '"tenant":"evil"'));
    expect(tampered.equals(real.raw)).toBe(false);
    expect(verifyWebhookSignature({ body: tampered, header: real.header, secret: SECRET })).toBe(false);
    expect(verifyWebhookSignature({ body: real.raw, header: real.header, secret: 'another-secret-0000000000' })).toBe(false);
    const signedAt = Number(/t=(\d+)/.exec(real.header ?? '')![1]) * 1000;
    expect(verifyWebhookSignature({ body: real.raw, header: real.header, secret: SECRET, now: () => signedAt + 301_000 })).toBe(false);
    expect(() => parseWebhookEvent({ body: real.raw, header: real.header, secret: SECRET, now: () => signedAt + 301_000 })).toThrow(
      expect.objectContaining({ name: 'WebhookSignatureError', reason: 'timestamp_out_of_tolerance' }),
    );
  });

  it('runs the README’s five lines as written, through the built package', async () => {
    if (!existsSync(`${ROOT}clients/typescript/dist/index.js`)) throw new Error('clients/typescript/dist is missing: run `npm run build` first (npm test does)');
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const code = /## TypeScript client[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code?.trim().split('\n')).toHaveLength(5);
    const script = code!.replace("'http://127.0.0.1:8080'", `'${baseUrl()}'`);
    expect(script).not.toBe(code);
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    expect(out).toMatch(/id: 'msg_/);
    expect(out).toMatch(/counts: \{[^}]*queued: \d/);
    expect(out).toMatch(/deliveries: \[/);
  });
});
