/**
 * Where APNs throughput goes: `node [--cpu-prof] dist/bench/apns-profile.js <raw|adapter|gateway> [tokens]`.
 * The APNs simulator runs in a child process (bench/apns-sim-child.ts), started like Apple's: one stream per new
 * session until the first authenticated request. The measured process is this one:
 * - raw: a plain `node:http2` client, one session, at most 1000 streams in flight (never more than the peer's
 *   SETTINGS allow), an ES256 provider token signed once — the reference;
 * - adapter: `ApnsProvider.send()` called directly, batches of the definition's maxTargetsPerRequest with its
 *   default concurrency, as a lane would call it, without the store;
 * - gateway: `buildGateway` (SQLite temp file, local queue, only APNs, default APNs lane) and one
 *   `POST /v1/messages` with all tokens raw in `to.tokens` (split into POSTs of 100,000, the API's cap).
 * Each prints deliveries/s from the start until the simulator has accepted every token, and this process's peak RSS.
 * Not the benchmark (bench/run.ts): a tool to find the limit.
 */
import { createHash, createPrivateKey, sign } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { apnsProvider, ApnsProvider } from '../providers/apns/index.js';
import { apnsConfigSchema } from '../providers/apns/apns.config.js';
import type { AnyProviderDefinition, OutgoingMessage, SendBatch } from '../providers/types.js';
import { parseCommandLine, usageError } from '../src/cli/args.js';
import { parseConfig } from '../src/config/load.js';
import { buildGateway } from '../src/gateway.js';
import type { ApnsSimInfo as SimInfo, ApnsSimStats } from './apns-sim-child.js';
import { Peer, RssSampler } from './ipc.js';

const { positionals } = parseCommandLine({
  usage: 'node [--cpu-prof] dist/bench/apns-profile.js <raw|adapter|gateway> [tokens]',
  summary: 'Deliver N raw APNs tokens to an Apple-like APNs simulator (child process) with a plain node:http2 client, the adapter, or the whole gateway, and print deliveries/s. Not a benchmark.',
  options: {},
  help: {},
  positionals: [
    { name: 'mode', help: 'raw | adapter | gateway' },
    { name: 'tokens', help: 'how many tokens (default 20000)' },
  ],
});
const mode = positionals[0] ?? 'gateway';
const total = Number(positionals[1] ?? 20_000);
if (!Number.isInteger(total) || total < 1) usageError(`tokens must be a positive whole number, got '${positionals[1]}'`);

interface RunResult {
  note: string;
  cleanup?: () => Promise<void>;
}

const tokenOf = (i: number) => createHash('sha256').update(`apns-profile-${i}`).digest('hex');

/** The reference: one session, ≤ 1000 streams and never more than the server's SETTINGS allow. */
async function runRaw(info: SimInfo, tokens: string[]): Promise<RunResult> {
  const jwt = providerToken(info);
  const session = http2.connect(`https://127.0.0.1:${info.port}`, { ca: info.caPem, servername: 'api.push.apple.com' });
  await new Promise<void>((resolve, reject) => {
    session.once('remoteSettings', () => resolve());
    session.once('error', reject);
  });
  const body = JSON.stringify({ aps: { alert: { title: 'Hello', body: 'World' } }, orderId: '42' });
  let next = 0;
  let inFlight = 0;
  let failed = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      const limit = Math.min(1000, session.remoteSettings.maxConcurrentStreams ?? 1000);
      while (inFlight < limit && next < tokens.length) {
        const token = tokens[next++] as string;
        inFlight++;
        const stream = session.request({
          ':method': 'POST',
          ':scheme': 'https',
          ':authority': 'api.push.apple.com',
          ':path': `/3/device/${token}`,
          authorization: `bearer ${jwt}`,
          'apns-topic': 'com.example.pushgate',
          'apns-push-type': 'alert',
          'apns-priority': '10',
        });
        let status = 0;
        stream.on('response', (h) => (status = Number(h[':status'])));
        stream.on('error', () => undefined);
        stream.resume();
        stream.on('close', () => {
          inFlight--;
          if (status !== 200) {
            failed++;
            tokens.push(token);
          }
          if (next >= tokens.length && inFlight === 0) resolve();
          else pump();
        });
        stream.end(body);
      }
    };
    session.on('remoteSettings', pump);
    pump();
  });
  session.close();
  return { note: `${failed} streams resent` };
}

const message: OutgoingMessage = {
  id: 'apns-profile',
  notification: { title: 'Hello', body: 'World' },
  data: { orderId: '42' },
  options: { priority: 'high' },
  createdAt: Date.now(),
};

async function runAdapter(info: SimInfo, tokens: string[]): Promise<RunResult> {
  const config = apnsConfigSchema.parse({
    auth: { token: { key: info.key, keyId: info.keyId, teamId: info.teamId } },
    topic: 'com.example.pushgate',
    address: '127.0.0.1',
    port: info.port,
    ca: info.caPem,
  });
  const provider = new ApnsProvider(config, { now: Date.now, random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => undefined });
  const size = apnsProvider.limits.maxTargetsPerRequest;
  const batches: SendBatch[] = [];
  for (let i = 0; i < tokens.length; i += size) {
    batches.push({ message, targets: tokens.slice(i, i + size).map((token, j) => ({ deliveryId: `d${i + j}`, token, registered: false })), callbackRef: 'r' });
  }
  let next = 0;
  const notSent: string[] = [];
  await Promise.all(
    Array.from({ length: apnsProvider.limits.defaultRate.concurrency }, async () => {
      while (next < batches.length) {
        const { results } = await provider.send(batches[next++] as SendBatch as never);
        for (const r of results) if (r.outcome !== 'sent') notSent.push(`${r.outcome}:${r.vendorCode ?? ''}`);
      }
    }),
  );
  await provider.close();
  return { note: `${notSent.length} results other than sent ${[...new Set(notSent)].join(',')}` };
}

async function runGateway(info: SimInfo, tokens: string[]): Promise<RunResult> {
  const providers = [apnsProvider] as AnyProviderDefinition[];
  const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-apns-prof-'));
  const config = parseConfig(
    {
      server: { port: 0, host: '127.0.0.1', bodyLimit: '32mb' },
      store: { driver: 'sqlite', path: path.join(dir, 'db') },
      security: { encryptionKey: 'c'.repeat(64) },
      log: { level: 'silent' },
      tenants: [
        {
          id: 'p',
          serverKeys: ['apns-profile-server-key-01'],
          providers: {
            apns: {
              auth: { token: { key: info.key, keyId: info.keyId, teamId: info.teamId } },
              topic: 'com.example.pushgate',
              address: '127.0.0.1',
              port: info.port,
              ca: info.caPem,
            },
          },
        },
      ],
    },
    {},
    providers,
  );
  const gw = await buildGateway(config, { providers, logger: pino({ level: 'silent' }) });
  // Time inside the store's dispatch calls (synchronous SQLite work: the event loop waits for it).
  const spent: Record<string, number> = {};
  const store = gw.store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const name of ['claimBatch', 'startSending', 'completeDeliveries', 'activePauses', 'nextDueAt'] as const) {
    const original = store[name]?.bind(gw.store);
    if (!original) continue;
    store[name] = async (...a: unknown[]) => {
      const t0 = performance.now();
      try {
        return await original(...a);
      } finally {
        spent[name] = (spent[name] ?? 0) + performance.now() - t0;
      }
    };
  }
  await gw.start();
  const server = http.createServer(gw.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const accepts: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < tokens.length; i += 100_000) {
    const t0 = performance.now();
    const body = JSON.stringify({ to: { tokens: tokens.slice(i, i + 100_000).map((token) => ({ provider: 'apns', token })) }, notification: { title: 'Hello', body: 'World' }, data: { orderId: '42' } });
    const status = await post(port, body);
    if (status !== 202) throw new Error(`POST /v1/messages answered ${status}`);
    accepts.push(performance.now() - t0);
  }
  const acceptCpu = process.cpuUsage(cpu0);
  // Stopped once the simulator has everything (the caller waits for it).
  const cleanup = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const storeTime = () => Object.entries(spent).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
  return {
    note: `202 after ${accepts.map((a) => a.toFixed(0)).join(', ')} ms, CPU until then ${((acceptCpu.user + acceptCpu.system) / 1000).toFixed(0)} ms (lanes already running)`,
    cleanup: async () => {
      console.log(`store dispatch calls, ms: ${storeTime()}`);
      await cleanup();
    },
  };
}

function post(port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { port, host: '127.0.0.1', method: 'POST', path: '/v1/messages', headers: { 'content-type': 'application/json', authorization: 'Bearer apns-profile-server-key-01' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function providerToken(info: SimInfo): string {
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: info.keyId })).toString('base64url');
  const claims = Buffer.from(JSON.stringify({ iss: info.teamId, iat: Math.floor(Date.now() / 1000) })).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key: createPrivateKey(info.key), dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

// Main, after the declarations it uses.
if (!['raw', 'adapter', 'gateway'].includes(mode)) usageError(`mode is raw, adapter or gateway, got '${mode}'`);
const rss = new RssSampler();
const peer = Peer.start('./apns-sim-child.js');
const info = await peer.call<SimInfo>('info');
const tokens = Array.from({ length: total }, (_, i) => tokenOf(i));
const run = mode === 'raw' ? runRaw : mode === 'adapter' ? runAdapter : runGateway;
const started = performance.now();
const cpuBefore = process.cpuUsage();
const wait = peer.call<ApnsSimStats>('waitFor', { count: total, timeoutMs: 600_000 });
const { note: extra, cleanup } = await run(info, tokens);
const stats = await wait;
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
await cleanup?.();
console.log(
  `${mode}: ${total} tokens in ${ms.toFixed(0)} ms = ${Math.round((total / ms) * 1000)} deliveries/s; simulator accepted ${stats.accepted} (${stats.distinct} distinct), ` +
    `sessions ${stats.sessions}, max streams in flight ${stats.maxStreams}, simulator CPU ${((stats.cpuMs * 1000) / total).toFixed(1)} µs per delivery; this process's CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms = ${((cpu.user + cpu.system) / total).toFixed(1)} µs per delivery; peak RSS ${Math.round(rss.peak / 2 ** 20)} MB${extra ? `; ${extra}` : ''}`,
);
rss.stop();
await peer.call('close').catch(() => undefined);
await peer.stop();
