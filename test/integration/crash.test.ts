/**
 * The durability promise, end to end: a real gateway process (dist/src/main.js) is SIGKILLed in
 * the middle of a 5,000-target send to a slowed Huawei simulator, restarted, and must deliver
 * every target. Needs `npm run build` first (`npm test` does it).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HuaweiSimulator } from '../../providers/huawei/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { hwToken } from '../factories/gateway.js';
import { api, assertBuilt, startGateway, until, type ApiBody } from '../factories/process.js';

const KEY = 'crash-test-server-key-0001';

function writeConfig(dir: string, sim: HuaweiSimulator): string {
  const file = path.join(dir, 'pushgate.yaml');
  writeFileSync(
    file,
    `server: { port: 0, host: 127.0.0.1, bodyLimit: 4mb, shutdownGraceSeconds: 20 }
store: { driver: sqlite, path: ${path.join(dir, 'pushgate.db')} }
security: { encryptionKey: "${'c'.repeat(64)}" }
dispatch: { leaseSeconds: 2, pollIntervalMs: 100, backoffBaseMs: 100 }
log: { level: info }
tenants:
  - id: acme
    serverKeys: [ "${KEY}" ]
    providers:
      huawei: { appId: "${sim.appId}", clientSecret: "${sim.clientSecret}", endpoint: "${sim.url}", authEndpoint: "${sim.url}", rateLimit: { perSecond: 20, concurrency: 2 } }
`,
  );
  return file;
}

const call = (port: number, method: string, url: string, body?: unknown) => api(port, KEY, method, url, body);

describe('a gateway process killed mid-send', () => {
  let sim: HuaweiSimulator;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(assertBuilt);
  beforeEach(async () => {
    sim = await HuaweiSimulator.start({ appId: '777', clientSecret: 'crash-secret' });
    dir = mkdtempSync(path.join(tmpdir(), 'pushgate-crash-'));
  });
  afterEach(async () => {
    for (const c of children) c.kill('SIGKILL');
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no delivery after SIGKILL and restart; duplicates are counted', async () => {
    const config = writeConfig(dir, sim);
    sim.delayMs = 400; // a slow vendor: batches are in flight when the kill comes
    const first = await startGateway(config);
    children.push(first.child);
    const tokens = Array.from({ length: 5000 }, (_, i) => hwToken(i));
    const sent = await call(first.port, 'POST', '/v1/messages', { to: { tokens: tokens.map((token) => ({ provider: 'huawei', token })) }, notification: { title: 'crash', body: 'test' } });
    expect(sent.status).toBe(202);
    expect(sent.body.targets).toBe(5000);

    await until(() => (sim.accepted.length >= 1000 ? true : undefined), 'the first batches to reach the simulator');
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = sim.accepted.length;
    expect(atKill).toBeLessThan(5000);

    sim.delayMs = 0;
    const second = await startGateway(config);
    children.push(second.child);
    const done = await until<ApiBody>(async () => {
      const s = await call(second.port, 'GET', `/v1/messages/${sent.body.id}?limit=1`);
      return s.body.status === 'done' ? s.body : undefined;
    }, 'every delivery to finish after the restart');

    expect(done.counts).toMatchObject({ sent: 5000, failed: 0, expired: 0, queued: 0, sending: 0 });
    const unique = new Set(sim.accepted);
    expect(tokens.every((t) => unique.has(t))).toBe(true);
    const duplicates = sim.accepted.length - unique.size;
    console.log(`crash test: ${atKill} accepted before SIGKILL, ${sim.accepted.length} in all, ${duplicates} duplicates (at-least-once)`);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('on SIGTERM finishes in-flight vendor requests, gives back its claims and exits 0', async () => {
    const config = writeConfig(dir, sim);
    sim.delayMs = 300;
    const gw = await startGateway(config);
    children.push(gw.child);
    const tokens = Array.from({ length: 3000 }, (_, i) => hwToken(100_000 + i));
    const sent = await call(gw.port, 'POST', '/v1/messages', { to: { tokens: tokens.map((token) => ({ provider: 'huawei', token })) }, notification: { title: 'term', body: 'test' } });
    await until(() => (sim.sendRequests >= 1 ? true : undefined), 'a request in flight');
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toBe(0);

    // nothing is left leased by the stopped process: another instance can take the rest at once
    const store = new SqliteStore(path.join(dir, 'pushgate.db'));
    const counts = await store.messageCounts('acme', sent.body.id);
    await store.close();
    expect(counts.filter((c) => c.state === 'sending')).toEqual([]);
    expect(counts.find((c) => c.state === 'sent')?.count).toBeGreaterThan(0);

    sim.delayMs = 0;
    const again = await startGateway(config);
    children.push(again.child);
    await until(async () => ((await call(again.port, 'GET', `/v1/messages/${sent.body.id}?limit=1`)).body.status === 'done' ? true : undefined), 'the rest to be sent');
    expect(new Set(sim.accepted).size).toBe(3000);
    again.child.kill('SIGTERM');
    await again.exited;
  });
});
