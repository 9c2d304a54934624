/**
 * The HTTP/2-over-TLS server the FCM and APNs simulators share: the throwaway test certificate
 * (tls.ts), 127.0.0.1 on port 0, every session tracked so `goAway()`, `dropConnections()` and
 * `close()` reach them, session/socket errors swallowed (a client that vanishes is not a
 * simulator failure), and the two transport faults of the fault script carried out on a stream.
 * The vendor's protocol (auth, paths, answers) is in each vendor's simulator, which listens to
 * `server` ('stream' or the compatibility 'request' event).
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TransportFault } from './sim-faults.js';
import { testTls } from './tls.js';

export interface Http2SimulatorOptions {
  /** Initial SETTINGS (e.g. maxConcurrentStreams). */
  settings?: http2.Settings;
  /** Also answer HTTP/1.1 on the same port (Google's OAuth exchange is HTTP/1.1). */
  allowHTTP1?: boolean;
  /** Ask clients for a certificate issued by one of these CAs (APNs certificate auth); never refused at TLS. */
  clientCa?: string[] | undefined;
  maxSessionMemory?: number;
}

export interface Http2Simulator {
  server: http2.Http2SecureServer;
  port: number;
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** The test CA clients must trust. */
  caPem: string;
  /** Sessions open now. */
  readonly sessions: ReadonlySet<http2.ServerHttp2Session>;
  /** Sessions opened so far. */
  readonly sessionsOpened: number;
  /** Graceful GOAWAY (with opaque data, e.g. APNs' JSON reason) on every open session. */
  goAway(data?: Buffer): void;
  /** Drop every connection at once: in-flight streams end without an answer. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startHttp2Simulator(opts: Http2SimulatorOptions = {}): Promise<Http2Simulator> {
  const tls = testTls();
  const server = http2.createSecureServer({
    key: tls.keyPem,
    cert: tls.certPem,
    ...(opts.allowHTTP1 ? { allowHTTP1: true } : {}),
    ...(opts.settings ? { settings: opts.settings } : {}),
    ...(opts.maxSessionMemory !== undefined ? { maxSessionMemory: opts.maxSessionMemory } : {}),
    ...(opts.clientCa ? { requestCert: true, rejectUnauthorized: false, ca: opts.clientCa } : {}),
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  let opened = 0;
  server.on('session', (s: http2.ServerHttp2Session) => {
    opened += 1;
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => {});
  });
  server.on('sessionError', () => {});
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `https://127.0.0.1:${port}`,
    caPem: tls.caPem,
    sessions,
    get sessionsOpened() {
      return opened;
    },
    goAway(data) {
      for (const s of sessions) {
        if (s.closed || s.destroyed) continue;
        s.goaway(http2.constants.NGHTTP2_NO_ERROR, 0, data);
        s.close();
      }
    },
    dropConnections() {
      for (const s of sessions) s.destroy();
    },
    async close() {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Carry out a transport fault on one stream: 'reset' tears the connection down (as a TCP reset
 * would: every stream on it fails), 'hang' leaves the stream unanswered until close().
 */
export function applyStreamFault(stream: http2.ServerHttp2Stream, fault: TransportFault): void {
  if (fault === 'reset') stream.session?.destroy();
}
