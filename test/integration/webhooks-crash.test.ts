/**
 * The outbox's durability end to end: a real gateway process (dist/src/main.js) is SIGKILLed while
 * webhook events are pending and in flight to a slow receiver, restarted, and every event still
 * arrives (at least once: the ones in flight at the kill may arrive twice, and are counted).
 * Needs `npm run build` first (`npm test` does it).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HuaweiSimulator } from '../../providers/huawei/index.js';
import { hwToken } from '../factories/gateway.js';
import { api, assertBuilt, startGateway, until } from '../factories/process.js';

const KEY = 'hook-crash-server-key-0001';
const TARGETS = 200;

describe('a gateway process killed with webhook events pending', () => {
  let sim: HuaweiSimulator;
  let dir: string;
  let receiver: Server;
  const children: ChildProcess[] = [];
  /** Event ids as the receiver acknowledged them, duplicates included. */
  const acked: string[] = [];

  beforeAll(assertBuilt);
  beforeEach(async () => {
    sim = await HuaweiSimulator.start({ appId: '778', clientSecret: 'hook-crash-secret' });
    dir = mkdtempSync(path.join(tmpdir(), 'pushgate-hook-crash-'));
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      // A slow receiver: events are in flight and pending when the kill comes.
      req.on('end', () =>
        setTimeout(() => {
          acked.push((JSON.parse(raw) as { id: string }).id);
          res.writeHead(200).end();
        }, 150),
      );
    });
    receiver.listen(0, '127.0.0.1');
    await new Promise((r) => receiver.once('listening', r));
  });
  afterEach(async () => {
    for (const c of children) c.kill('SIGKILL');
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no event after SIGKILL and restart; duplicates are counted', async () => {
    const file = path.join(dir, 'pushgate.yaml');
    writeFileSync(
      file,
      `server: { port: 0, host: 127.0.0.1 }
store: { driver: sqlite, path: ${path.join(dir, 'pushgate.db')} }
security: { encryptionKey: "${'d'.repeat(64)}" }
dispatch: { leaseSeconds: 2, pollIntervalMs: 50 }
webhookDelivery: { leaseSeconds: 1, pollIntervalMs: 50, batch: 16, backoffBaseMs: 50, backoffMaxMs: 200 }
log: { level: info }
tenants:
  - id: acme
    serverKeys: [ "${KEY}" ]
    allowPrivateNetworks: true
    webhooks:
      - { url: "http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks", events: [delivery.failed, message.completed], secret: "hook-crash-webhook-secret" }
    providers:
      huawei: { appId: "${sim.appId}", clientSecret: "${sim.clientSecret}", endpoint: "${sim.url}", authEndpoint: "${sim.url}" }
`,
    );
    const tokens = Array.from({ length: TARGETS }, (_, i) => hwToken(500_000 + i));
    for (const t of tokens) sim.invalidTokens.add(t);
    const first = await startGateway(file);
    children.push(first.child);
    const sent = await api(first.port, KEY, 'POST', '/v1/messages', { to: { tokens: tokens.map((token) => ({ provider: 'huawei', token })) }, data: { k: 'v' } });
    expect(sent.status).toBe(202);

    await until(() => (acked.length >= 16 ? true : undefined), 'the first events to arrive');
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = new Set(acked).size;
    expect(atKill).toBeLessThan(TARGETS + 1);

    const second = await startGateway(file);
    children.push(second.child);
    const list = async (state: string) => (await api(second.port, KEY, 'GET', `/v1/webhooks/deliveries?state=${state}&limit=1000`)).body as unknown as { deliveries: Array<{ id: string }> };
    // Events the first process sent but never recorded are sent again once their lease ends: wait until none is pending.
    await until(async () => (new Set(acked).size === TARGETS + 1 && !(await list('pending')).deliveries.length ? true : undefined), 'every event after the restart', 60_000);
    const delivered = (await list('delivered')).deliveries.map((d) => d.id);
    expect(delivered.sort()).toEqual([...new Set(acked)].sort());
    expect((await list('failed')).deliveries).toEqual([]);
    console.log(`webhook crash test: ${atKill} events acknowledged before SIGKILL, ${acked.length} POSTs in all, ${acked.length - new Set(acked).size} duplicates (at-least-once)`);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
