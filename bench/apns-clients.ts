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

/**
 * The raw client's session: one `node:http2` session to the simulator, a valid ES256 provider JWT, at most `maxInFlight`
 * streams at once (the rest wait), the first request alone (Apple allows one stream until an authenticated answer),
 * and a stream refused unprocessed (beyond the server's limit) sent again. Used by the raw reference below and by
 * the APNs durable floor (bench/floor.ts), so both send exactly the same way.
 */
export class RawApnsSession {
  readonly session: http2.ClientHttp2Session;
  private readonly jwt: string;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  /** The first request, alone; `open` once it was answered. */
  private first: Promise<void> | undefined;
  private open = false;
  ok = 0;
  failed = 0;
  refused = 0;
  firstFailure: string | undefined;

  constructor(info: ApnsSimInfo, private readonly maxInFlight = 1000) {
    this.session = http2.connect(`https://${APPLE_HOST}:${info.port}`, {
      createConnection: () => tls.connect({ host: '127.0.0.1', port: info.port, servername: APPLE_HOST, ca: info.caPem, ALPNProtocols: ['h2'] }),
    });
    this.session.on('error', () => {});
    this.jwt = providerJwt(info);
  }

  /** One notification; resolves when its stream closed (counted in ok / failed). */
  async send(token: string, payload: string): Promise<void> {
    if (!this.open) {
      if (!this.first) {
        this.first = this.stream(token, payload).then(() => void (this.open = true));
        return this.first;
      }
      await this.first;
    }
    if (this.inFlight >= this.maxInFlight) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight += 1;
    try {
      await this.stream(token, payload);
    } finally {
      this.inFlight -= 1;
      this.waiting.shift()?.();
    }
  }

  private stream(token: string, payload: string): Promise<void> {
    return new Promise((resolve) => {
      const req = this.session.request({ ':method': 'POST', ':path': `/3/device/${token}`, authorization: `bearer ${this.jwt}`, 'apns-topic': APNS_TOPIC, 'apns-push-type': 'alert', 'apns-priority': '10' });
      let status = 0;
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', () => {});
      req.on('error', () => {});
      req.on('close', () => {
        if (status === 200) this.ok += 1;
        else if (req.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) {
          this.refused += 1;
          return void this.stream(token, payload).then(resolve);
        } else {
          this.failed += 1;
          this.firstFailure ??= `status ${status}, rst ${req.rstCode}`;
        }
        resolve();
      });
      req.end(payload);
    });
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => this.session.close(() => resolve()));
  }
}

/** The raw reference: one RawApnsSession, the first token alone, then `maxInFlight` senders in a loop. */
export async function rawHttp2(info: ApnsSimInfo, tokens: string[], maxInFlight = 1000): Promise<ClientRun & { refused: number }> {
  const started = performance.now();
  const s = new RawApnsSession(info, maxInFlight);
  const payload = JSON.stringify({ aps: { alert: NOTIFICATION } });
  await s.send(tokens[0]!, payload);
  let next = 1;
  await Promise.all(
    Array.from({ length: Math.min(maxInFlight, tokens.length) }, async () => {
      while (next < tokens.length) await s.send(tokens[next++]!, payload);
    }),
  );
  const ms = performance.now() - started;
  await s.close();
  return { ms, ok: s.ok, failed: s.failed, refused: s.refused, ...(s.firstFailure ? { firstFailure: s.firstFailure } : {}) };
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
