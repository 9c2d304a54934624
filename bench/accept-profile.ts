/**
 * Profile helper for the single-target accept path: `node --cpu-prof dist/bench/accept-profile.js`.
 * Not a benchmark (no reference, no RESULTS.md): it only drives load at the gateway in-process.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { huaweiProvider } from '../providers/huawei/index.js';
import type { AnyProviderDefinition } from '../providers/types.js';
import { parseConfig } from '../src/config/load.js';
import { parseCommandLine, usageError } from '../src/cli/args.js';
import { buildGateway } from '../src/gateway.js';

const { positionals } = parseCommandLine({
  usage: 'node --cpu-prof dist/bench/accept-profile.js [requests]',
  summary: 'Drive single-target POST /v1/messages at an in-process gateway (SQLite temp file), for a CPU profile. Not a benchmark.',
  options: {},
  help: {},
  positionals: [{ name: 'requests', help: 'how many requests to send (default 5000)' }],
});
const total = Number(positionals[0] ?? 5000);
if (!Number.isInteger(total) || total < 1) usageError(`requests must be a positive whole number, got '${positionals[0]}'`);

const providers = [huaweiProvider] as AnyProviderDefinition[];
const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-prof-'));
const config = parseConfig(
  {
    store: { driver: 'sqlite', path: path.join(dir, 'db') },
    security: { encryptionKey: 'd'.repeat(64) },
    log: { level: 'silent' },
    tenants: [{ id: 'p', serverKeys: ['profile-server-key-0001'], providers: { huawei: { appId: '1', clientSecret: 's', endpoint: 'http://127.0.0.1:9', authEndpoint: 'http://127.0.0.1:9' } } }],
  },
  {},
  providers,
);
const gw = await buildGateway(config, { providers, logger: pino({ level: 'silent' }) });
const server = http.createServer(gw.app).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const port = (server.address() as AddressInfo).port;
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const body = JSON.stringify({ to: { tokens: [{ provider: 'huawei', token: 'IQAAAACy0profile000000000000000000000001' }] }, notification: { title: 'a', body: 'b' } });
const one = () =>
  new Promise<void>((resolve, reject) => {
    const req = http.request({ port, method: 'POST', path: '/v1/messages', agent, headers: { authorization: 'Bearer profile-server-key-0001', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 202 ? resolve() : reject(new Error(String(res.statusCode)))));
    });
    req.end(body);
  });
const started = Date.now();
let next = 0;
await Promise.all(Array.from({ length: 32 }, async () => {
  while (next++ < total) await one();
}));
console.log(`${total} requests in ${Date.now() - started} ms`);
agent.destroy();
server.close();
await gw.stop();
