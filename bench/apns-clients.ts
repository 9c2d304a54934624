/**
 * The two APNs references of bench/phase-apns.ts, run in the orchestrator against the APNs
 * simulator child (Apple's one-stream start):
 * - a raw `node:http2` client: one session, a valid ES256 provider JWT, the first request alone
 *   (Apple allows one stream until an authenticated answer), then ≤ 1000 streams in flight;
 * - Parse Server's push adapter (@parse/push-adapter: its APNS class on @parse/node-apn), driven
 *   as Parse Server drives it: Parse Server's PushQueue cuts the installations into batches of 100
 *   (DEFAULT_BATCH_SIZE) and its PushWorker calls `adapter.send(body, installations)` per batch.
 *   `sequential` awaits each batch; `concurrent` starts them all at once, which is what Parse
 *   Server's in-process queue does by default (it publishes every batch without waiting).
 *   No shim was needed: the adapter hands its `ios` options to `new apn.Provider(...)` unchanged,
 *   so node-apn's own `address` (Apple's host name: TLS name and :authority), `host` (the TCP
 *   target, 127.0.0.1), `port` and `ca` reach the simulator, as pushgate's adapter does.
 */
import { sign } from 'node:crypto';
import http2 from 'node:http2';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { NOTIFICATION } from './common.js';
import type { ApnsSimInfo } from './sim-child.js';

export const APNS_TOPIC = 'com.example.pushgate.bench';
const APPLE_HOST = 'api.push.apple.com';
const PARSE_BATCH = 100;

export interface ClientRun {
  ms: number;
  /** Notifications the client was told were accepted (HTTP 200). */
  ok: number;
  failed: number;
  /** The first failure, for the raw numbers. */
  firstFailure?: string;
}

function providerJwt(info: ApnsSimInfo): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'ES256', kid: info.keyId })}.${part({ iss: info.teamId, iat: Math.floor(Date.now() / 1000) })}`;
  return `${unsigned}.${sign('sha256', Buffer.from(unsigned), { key: info.key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** One session, ≤ `maxInFlight` streams; a refused stream (beyond the server's limit) is sent again. */
export async function rawHttp2(info: ApnsSimInfo, tokens: string[], maxInFlight = 1000): Promise<ClientRun & { refused: number }> {
  const started = performance.now();
  const session = http2.connect(`https://${APPLE_HOST}:${info.port}`, {
    createConnection: () => tls.connect({ host: '127.0.0.1', port: info.port, servername: APPLE_HOST, ca: info.caPem, ALPNProtocols: ['h2'] }),
  });
  session.on('error', () => {});
  const jwt = providerJwt(info);
  const payload = JSON.stringify({ aps: { alert: NOTIFICATION } });
  let ok = 0;
  let failed = 0;
  let refused = 0;
  let firstFailure: string | undefined;
  const one = (token: string): Promise<void> =>
    new Promise((resolve) => {
      const req = session.request({ ':method': 'POST', ':path': `/3/device/${token}`, authorization: `bearer ${jwt}`, 'apns-topic': APNS_TOPIC, 'apns-push-type': 'alert', 'apns-priority': '10' });
      let status = 0;
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', () => {});
      req.on('error', () => {});
      req.on('close', () => {
        if (status === 200) ok += 1;
        else if (req.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) {
          refused += 1;
          return void one(token).then(resolve);
        } else {
          failed += 1;
          firstFailure ??= `status ${status}, rst ${req.rstCode}`;
        }
        resolve();
      });
      req.end(payload);
    });
  await one(tokens[0]!); // alone: Apple raises the stream limit after the first authenticated answer
  let next = 1;
  await Promise.all(
    Array.from({ length: Math.min(maxInFlight, tokens.length) }, async () => {
      while (next < tokens.length) await one(tokens[next++]!);
    }),
  );
  const ms = performance.now() - started;
  await new Promise<void>((resolve) => session.close(() => resolve()));
  return { ms, ok, failed, refused, ...(firstFailure ? { firstFailure } : {}) };
}

interface ParseResult {
  transmitted: boolean;
  response?: { error?: unknown };
}
interface ParseAdapter {
  send(body: { data: Record<string, unknown> }, installations: Array<{ deviceType: string; deviceToken: string; appIdentifier: string }>): Promise<ParseResult[]>;
  senderMap: { ios?: { providers: Array<{ shutdown(cb?: () => void): void }> } };
}

/** Parse Server's push adapter over `tokens`, in batches of 100: awaited one by one, or all at once. */
export async function parseAdapter(info: ApnsSimInfo, tokens: string[], mode: 'sequential' | 'concurrent'): Promise<ClientRun> {
  // Its npmlog prints one line per failed device on stderr; the counts are what matter here.
  const npmlog = (await import('npmlog' as string)) as { default: { level: string } };
  npmlog.default.level = 'silent';
  const { default: ParsePushAdapter } = (await import('@parse/push-adapter' as string)) as { default: new (config: object) => ParseAdapter };
  const adapter = new ParsePushAdapter({
    ios: { token: { key: info.key, keyId: info.keyId, teamId: info.teamId }, topic: APNS_TOPIC, production: true, address: APPLE_HOST, host: '127.0.0.1', port: info.port, ca: [info.caPem] },
  });
  const body = { data: { alert: NOTIFICATION } };
  const batches: Array<Array<{ deviceType: string; deviceToken: string; appIdentifier: string }>> = [];
  for (let i = 0; i < tokens.length; i += PARSE_BATCH) batches.push(tokens.slice(i, i + PARSE_BATCH).map((t) => ({ deviceType: 'ios', deviceToken: t, appIdentifier: APNS_TOPIC })));
  const started = performance.now();
  let results: ParseResult[] = [];
  if (mode === 'sequential') for (const b of batches) results.push(...(await adapter.send(body, b)));
  else results = (await Promise.all(batches.map((b) => adapter.send(body, b)))).flat();
  const ms = performance.now() - started;
  // node-apn's shutdown can wait forever on a broken session: give it 2 s.
  await Promise.all((adapter.senderMap.ios?.providers ?? []).map((p) => new Promise<void>((resolve) => {
    setTimeout(resolve, 2000).unref();
    p.shutdown(() => resolve());
  })));
  const failures = results.filter((r) => !r.transmitted);
  const first = failures[0]?.response?.error;
  return { ms, ok: results.length - failures.length, failed: failures.length, ...(first !== undefined ? { firstFailure: String(first instanceof Error ? first.message : JSON.stringify(first)) } : {}) };
}
