/**
 * Profile helper for the dispatch path: `node --cpu-prof dist/bench/dispatch-profile.js 100000`.
 * Queues N deliveries (lanes stopped), then starts the lanes against an in-process Huawei simulator
 * and reports how long they take to drain. Not a benchmark: see bench/run.ts for measured figures.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { huaweiProvider, HuaweiSimulator } from '../providers/huawei/index.js';
import type { AnyProviderDefinition } from '../providers/types.js';
import { parseConfig } from '../src/config/load.js';
import { parseCommandLine, usageError } from '../src/cli/args.js';
import { buildGateway } from '../src/gateway.js';

const { positionals } = parseCommandLine({
  usage: 'node --cpu-prof dist/bench/dispatch-profile.js [deliveries]',
  summary: 'Queue N deliveries with the lanes stopped, then start them against an in-process Huawei simulator and report how long they take to drain. Not a benchmark.',
  options: {},
  help: {},
  positionals: [{ name: 'deliveries', help: 'how many deliveries to queue (default 100000)' }],
});
const total = Number(positionals[0] ?? 100_000);
if (!Number.isInteger(total) || total < 1) usageError(`deliveries must be a positive whole number, got '${positionals[0]}'`);
const providers = [huaweiProvider] as AnyProviderDefinition[];
const sim = await HuaweiSimulator.start({ appId: '1', clientSecret: 's' });
const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-prof-'));
const config = parseConfig(
  {
    store: { driver: 'sqlite', path: path.join(dir, 'db') },
    security: { encryptionKey: 'd'.repeat(64) },
    log: { level: 'silent' },
    dispatch: { pollIntervalMs: 20 },
    tenants: [{ id: 'p', serverKeys: ['profile-server-key-0001'], providers: { huawei: { appId: '1', clientSecret: 's', endpoint: sim.url, authEndpoint: sim.url, rateLimit: { perSecond: 1000, concurrency: 8 } } } }],
  },
  {},
  providers,
);
const gw = await buildGateway(config, { providers, logger: pino({ level: 'silent' }) });
const tokens = Array.from({ length: total }, (_, i) => ({ provider: 'huawei', token: `IQAAAACy0profile${String(i).padStart(24, '0')}` }));
const { default: request } = await import('supertest');
for (let i = 0; i < total; i += 10_000) {
  await request(gw.app).post('/v1/messages').set('Authorization', 'Bearer profile-server-key-0001').send({ to: { tokens: tokens.slice(i, i + 10_000) }, notification: { title: 'a', body: 'b' } }).expect(202);
}
// Time spent inside the store's dispatch calls, to see what the lanes wait on.
const spent: Record<string, number> = {};
for (const name of ['claimBatch', 'completeDeliveries', 'activePauses', 'nextDueAt'] as const) {
  const store = gw.store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const original = store[name]!.bind(gw.store);
  store[name] = async (...a: unknown[]) => {
    const t0 = performance.now();
    try {
      return await original(...a);
    } finally {
      spent[name] = (spent[name] ?? 0) + performance.now() - t0;
    }
  };
}
const started = Date.now();
await gw.start();
while (sim.accepted.length < total) await new Promise((r) => setTimeout(r, 5));
const ms = Date.now() - started;
console.log(`${total} deliveries dispatched in ${ms} ms = ${Math.round((total / ms) * 1000)}/s; store time (ms):`, Object.fromEntries(Object.entries(spent).map(([k, v]) => [k, Math.round(v)])));
await gw.stop();
await sim.close();
