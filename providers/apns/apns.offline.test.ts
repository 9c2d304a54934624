/**
 * Nothing leaves the machine: the APNs adapter with Apple's real hosts and no simulator. Every
 * TCP connection (net, tls and http2 all go through net.Socket#connect) is observed; one to a
 * non-loopback host is recorded and failed before any DNS lookup or packet, so the test is safe
 * to run with a network too. The adapter must try only Apple's hosts, and answer retry.
 */
import { generateKeyPairSync } from 'node:crypto';
import net from 'node:net';
import pino from 'pino';
import type { DeliveryTarget } from '../types.js';
import { apnsConfigSchema } from './apns.config.js';
import { ApnsProvider } from './apns.provider.js';
import type { ApnsDeviceExtras } from './apns.token.js';

interface Attempt {
  host: string;
  port: number;
}

const attempts: Attempt[] = [];
const passedThrough: Attempt[] = [];
const originalConnect = net.Socket.prototype.connect;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

beforeAll(() => {
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    // net.connect passes its normalized [options, cb] array; tls.connect passes (options, cb).
    const first = args[0];
    const opts = (Array.isArray(first) ? first[0] : typeof first === 'object' && first !== null ? first : { port: first, host: args[1] }) as {
      host?: string;
      port?: number | string;
      path?: string;
    };
    if (opts.path !== undefined) return originalConnect.apply(this, args as never);
    const attempt = { host: String(opts.host ?? 'localhost'), port: Number(opts.port) };
    if (isLoopback(attempt.host)) {
      passedThrough.push(attempt);
      return originalConnect.apply(this, args as never);
    }
    attempts.push(attempt);
    process.nextTick(() => this.destroy(Object.assign(new Error(`blocked by test: ${attempt.host}:${attempt.port}`), { code: 'ENETUNREACH' })));
    return this;
  } as typeof net.Socket.prototype.connect;
});

afterAll(() => {
  net.Socket.prototype.connect = originalConnect;
});

const deps = { now: () => Date.now(), random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} };
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const target = (i: number, apns?: ApnsDeviceExtras['apns']): DeliveryTarget<ApnsDeviceExtras> => ({
  deliveryId: `d${i}`,
  token: i.toString(16).padStart(64, '0'),
  registered: apns !== undefined,
  extras: apns ? { apns } : undefined,
});
const message = { id: 'm', notification: { title: 'T', body: 'B' }, data: {}, options: { priority: 'high' as const }, createdAt: Date.now() };

test('with Apple’s default hosts and no network, only api.push.apple.com and api.sandbox.push.apple.com are tried, nothing gets out, and every result is retry', async () => {
  const provider = new ApnsProvider(apnsConfigSchema.parse({ auth: { token: { key, keyId: 'ABC123DEFG', teamId: 'TEAM123456' } }, topic: 'com.example.app' }), deps);
  try {
    const targets = [target(1), target(2), target(3, { environment: 'sandbox' }), target(4, { environment: 'production' })];
    const { results } = await provider.send({ message, targets, callbackRef: 'r' });
    expect(results.map((r) => r.outcome)).toEqual(['retry', 'retry', 'retry', 'retry']);
    expect(results[0]?.vendorMessage).toMatch(/enetunreach/);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(attempts.map((a) => `${a.host}:${a.port}`))).toEqual(new Set(['api.push.apple.com:443', 'api.sandbox.push.apple.com:443']));
    expect(passedThrough).toEqual([]);
  } finally {
    await provider.close();
  }
});

test('pointed at a closed loopback port, every result is retry', async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const provider = new ApnsProvider(
    apnsConfigSchema.parse({ auth: { token: { key, keyId: 'ABC123DEFG', teamId: 'TEAM123456' } }, topic: 'com.example.app', address: '127.0.0.1', port }),
    deps,
  );
  try {
    const { results } = await provider.send({ message, targets: Array.from({ length: 20 }, (_, i) => target(i)), callbackRef: 'r' });
    expect(new Set(results.map((r) => r.outcome))).toEqual(new Set(['retry']));
    expect(results).toHaveLength(20);
    expect(passedThrough.every((a) => a.host === '127.0.0.1' && a.port === port)).toBe(true);
  } finally {
    await provider.close();
  }
});
