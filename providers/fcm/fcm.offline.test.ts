/**
 * Nothing leaves the machine (issue 4, item 4): every TCP connection the FCM adapter makes —
 * firebase-admin's OAuth exchange through google-auth-library/gaxios/node-fetch, and the HTTP/2
 * session — goes through net.Socket#connect, which this file wraps: loopback is let through and
 * recorded, anything else is recorded and refused before a DNS lookup or a packet.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { SendBatch } from '../types.js';
import { fcmConfigSchema } from './fcm.config.js';
import { FcmProvider } from './fcm.provider.js';
import type { FcmDeviceExtras, FcmOverrides } from './fcm.request.js';
import { FcmSimulator } from './simulator.js';

interface Attempt {
  host: string;
  port: number;
  blocked: boolean;
}

const attempts: Attempt[] = [];
const realConnect = net.Socket.prototype.connect;
const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

beforeAll(() => {
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    // connect(options[, cb]) | connect(port[, host][, cb]) | connect([options, cb]) (net's normalized form)
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const opts = (typeof first === 'object' && first !== null ? first : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined }) as { host?: string; port?: unknown; path?: unknown };
    // A non-empty `path` is a Unix socket (net.js); http's Agent passes `path: null` for TCP.
    if (typeof opts.path !== 'string' || opts.path === '') {
      const host = opts.host ?? 'localhost';
      const blocked = !isLoopback(host);
      attempts.push({ host, port: Number(opts.port), blocked });
      if (blocked) {
        process.nextTick(() => this.destroy(Object.assign(new Error(`test guard: connection to ${host} refused`), { code: 'EBLOCKED' })));
        return this;
      }
    }
    return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
});
afterAll(() => {
  net.Socket.prototype.connect = realConnect;
});

let dir: string;
let keyFile: string;
const serviceAccount = (() => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return { type: 'service_account', project_id: 'offline-check', private_key_id: 'k1', private_key: privateKey, client_email: 'offline@offline-check.iam.gserviceaccount.com' };
})();

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pushgate-fcm-offline-'));
  keyFile = path.join(dir, 'sa.json');
  writeFileSync(keyFile, JSON.stringify(serviceAccount), { mode: 0o600 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  attempts.length = 0;
});

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const deps = { now: () => Date.now(), random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} };
const batch: SendBatch<FcmOverrides, FcmDeviceExtras> = {
  message: { id: 'm', notification: { title: 'T', body: 'B' }, data: {}, options: { priority: 'high' }, createdAt: 0 },
  targets: [
    { deliveryId: 'a', token: 'offline-token-a', registered: true },
    { deliveryId: 'b', token: 'offline-token-b', registered: true },
  ],
  callbackRef: 'm',
};

test('with its endpoints on closed loopback ports the adapter answers retry and no connection attempt leaves the machine', async () => {
  const oauthPort = await closedPort();
  const fcmPort = await closedPort();
  const p = new FcmProvider(
    fcmConfigSchema.parse({ credential: { serviceAccountFile: keyFile }, endpoint: `https://127.0.0.1:${fcmPort}`, oauthEndpoint: `127.0.0.1:${oauthPort}` }),
    deps,
  );
  try {
    const out = await p.send(batch);
    expect(out.results.map((r) => r.outcome)).toEqual(['retry', 'retry']);
  } finally {
    await p.close();
  }
  expect(attempts.length).toBeGreaterThan(0); // the guard saw the OAuth dial
  expect(attempts.every((a) => a.host === '127.0.0.1' && a.port === oauthPort)).toBe(true);
});

test('with the OAuth exchange answered on loopback, the FCM session dials only the configured loopback endpoint', async () => {
  const sim = await FcmSimulator.start(); // answers the OAuth exchange only; FCM sends go to a closed port
  const fcmPort = await closedPort();
  const p = new FcmProvider(
    fcmConfigSchema.parse({
      credential: { serviceAccountFile: sim.serviceAccountFile() },
      endpoint: `https://127.0.0.1:${fcmPort}`,
      oauthEndpoint: sim.oauthEndpoint,
      ca: sim.caPem,
    }),
    deps,
  );
  try {
    const out = await p.send(batch);
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['retry', 'econnrefused'],
      ['retry', 'econnrefused'],
    ]);
    expect(sim.tokenRequests).toBe(1);
  } finally {
    await p.close();
    await sim.close();
  }
  expect(attempts.some((a) => a.port === fcmPort)).toBe(true);
  expect(attempts.filter((a) => !isLoopback(a.host))).toEqual([]);
});

test('the guard catches what the production defaults would dial: oauth2.googleapis.com, refused before any lookup', async () => {
  // Defaults: endpoint https://fcm.googleapis.com, OAuth at https://oauth2.googleapis.com/token.
  const config = fcmConfigSchema.parse({ credential: { serviceAccount } });
  expect(config.endpoint).toBe('https://fcm.googleapis.com');
  const p = new FcmProvider(config, deps);
  try {
    const out = await p.send(batch);
    expect(out.results.map((r) => r.outcome)).toEqual(['retry', 'retry']);
  } finally {
    await p.close();
  }
  // Only non-loopback dials matter here: a loopback socket of an earlier test may still reconnect.
  const outside = attempts.filter((a) => !isLoopback(a.host));
  expect(outside.length).toBeGreaterThan(0);
  expect(outside.every((a) => a.blocked && a.host === 'oauth2.googleapis.com' && a.port === 443)).toBe(true);
});

test('the guard catches the default FCM endpoint too: fcm.googleapis.com:443, refused before any lookup', async () => {
  const sim = await FcmSimulator.start(); // answers the OAuth exchange only
  const config = fcmConfigSchema.parse({ credential: { serviceAccountFile: sim.serviceAccountFile() }, oauthEndpoint: sim.oauthEndpoint, ca: sim.caPem });
  const p = new FcmProvider(config, deps);
  try {
    const out = await p.send(batch);
    expect(out.results.map((r) => [r.outcome, r.vendorCode])).toEqual([
      ['retry', 'eblocked'],
      ['retry', 'eblocked'],
    ]);
    expect(sim.sendRequests).toBe(0);
  } finally {
    await p.close();
    await sim.close();
  }
  expect(attempts.filter((a) => a.blocked)).toEqual([{ host: 'fcm.googleapis.com', port: 443, blocked: true }]);
});
