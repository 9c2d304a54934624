/**
 * One persistent HTTP/2 session to one vendor host, shared by every request of one adapter instance (FCM and APNs:
 * docs/vendors/fcm.md#transport, docs/vendors/apns.md#transport).
 *
 * - Streams in flight are capped at min(our ceiling, the server's SETTINGS maxConcurrentStreams), read again on
 *   every SETTINGS frame and every answer; the rest wait in a FIFO queue and start as answers come back. Nothing is
 *   sent before the server's SETTINGS arrive, so a server that starts a session at one stream (APNs, until the first
 *   authenticated request) gets one, and the next ones as soon as it raises the limit. Node's client does not wait:
 *   it opens every stream it is asked for and the server refuses the extra ones.
 * - GOAWAY or close: the session is dropped; queued requests go out on a fresh session. A stream the server
 *   refused unprocessed (REFUSED_STREAM, or above a GOAWAY's last stream id) is sent again on the next session up
 *   to `refusedRetries` times (it was never processed, so this is no duplicate); any other stream that ended
 *   without a status (reset connection, timeout) is answered with an `error` and left to the caller: the vendor
 *   may have taken it.
 * - `:scheme` is `https` (firebase-admin sends `https:`, which nghttp2 servers reject, docs/vendors/fcm.md#transport).
 * - A failed connect fails only the requests queued at that moment; the next request dials again.
 */
import http2 from 'node:http2';
import { isIP } from 'node:net';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import type { Logger } from 'pino';

export interface StreamRequest {
  path: string;
  headers: OutgoingHttpHeaders;
  /** A Buffer can be shared by every stream of a batch (APNs: one payload for all its targets). */
  body: string | Buffer;
}

/** A stream's answer, or `error` (a short lower-case reason) when it ended without a status. */
export interface StreamAnswer {
  status?: number;
  headers?: IncomingHttpHeaders;
  body?: string;
  error?: string;
}

/** TLS options of the connection (client certificates for APNs certificate auth). */
export interface SessionTls {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  passphrase?: string | undefined;
}

export interface Http2SessionOptions {
  /** `https://host[:port]`: `:authority` and the TLS server name; the path part is ignored. */
  origin: string;
  /** Dial this host/port instead of the origin's (a simulator or proxy); the TLS name and `:authority` stay the origin's. */
  connectTo?: { host?: string | undefined; port?: number | undefined } | undefined;
  tls?: SessionTls | undefined;
  /** Per-stream and connect timeout. */
  timeoutMs: number;
  /** Our ceiling on streams in flight. */
  maxStreams: number;
  /** How often a stream the server refused unprocessed is sent again on the next session. @default 0 */
  refusedRetries?: number;
  logger: Logger;
  /** A name for the debug log lines (`fcm`, `apns`). */
  label?: string;
}

/** Called once with a stream's answer (the callback form of `request`, without a promise per stream). */
export type AnswerCallback = (a: StreamAnswer) => void;

interface Job {
  req: StreamRequest;
  resolve: AnswerCallback;
  done: boolean;
  refused: number;
  /** While in flight: its stream, when it started (performance.now()), and what came back so far. */
  stream: http2.ClientHttp2Stream | undefined;
  startedAt: number;
  status: number | undefined;
  headers: IncomingHttpHeaders | undefined;
  chunks: Buffer[] | undefined;
  failure: string | undefined;
}

/** The job a stream carries, so one set of listener functions serves every stream (no closures per stream). */
const JOB = Symbol('job');
type JobStream = http2.ClientHttp2Stream & { [JOB]: Job };

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, NGHTTP2_NO_ERROR } = http2.constants;

/** RST_STREAM/GOAWAY error code → a bounded reason label (RFC 9113 §7). */
const RST_NAMES = new Map<number, string>(
  ['NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED', 'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED'].map(
    (name, code) => [code, name.toLowerCase()],
  ),
);

export class Http2Session {
  private session: http2.ClientHttp2Session | undefined;
  /** True once the current session's SETTINGS arrived. */
  private ready = false;
  private readonly queue: Job[] = [];
  private head = 0;
  private inFlight = 0;
  /** Streams in flight, for the timeout sweep. */
  private readonly running = new Set<Job>();
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly origin: string;
  private readonly authority: string;
  private readonly servername: string;
  private readonly label: string;
  /** Sessions opened so far (observability and tests). */
  sessionsOpened = 0;

  constructor(private readonly opts: Http2SessionOptions) {
    const url = new URL(opts.origin);
    this.authority = url.host;
    // SNI carries names only (RFC 6066): none for an IP origin.
    this.servername = isIP(url.hostname) ? '' : url.hostname;
    const { host, port } = opts.connectTo ?? {};
    this.origin = host !== undefined || port !== undefined ? `https://${bracket(host ?? url.hostname)}:${port ?? (url.port || 443)}` : url.origin;
    this.label = opts.label ?? 'http2';
  }

  /** True while a session is open and has the server's SETTINGS (new streams go out at once). */
  get connected(): boolean {
    return this.session !== undefined && this.ready;
  }

  /** Streams currently in flight. */
  get active(): number {
    return this.inFlight;
  }

  /** Streams the server allows now (1 on a fresh APNs session), or undefined before its SETTINGS. */
  get remoteLimit(): number | undefined {
    return this.ready ? this.session?.remoteSettings.maxConcurrentStreams : undefined;
  }

  request(req: StreamRequest): Promise<StreamAnswer> {
    return new Promise<StreamAnswer>((resolve) => this.send(req, resolve));
  }

  /** `request` with a callback: a batch of thousands of streams (APNs) then costs no promise per stream. */
  send(req: StreamRequest, done: AnswerCallback): void {
    if (this.closed) return done({ error: 'closed' });
    this.queue.push({ req, resolve: done, done: false, refused: 0, stream: undefined, startedAt: 0, status: undefined, headers: undefined, chunks: undefined, failure: undefined });
    this.pump();
  }

  /** Stop using the current session (in-flight streams end on it); the next request dials a new one. */
  reconnect(): void {
    if (this.session) this.retire(this.session, 'reconnect');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (let i = this.head; i < this.queue.length; i++) this.finish(this.queue[i] as Job, { error: 'closed' });
    this.queue.length = 0;
    this.head = 0;
    const s = this.session;
    this.session = undefined;
    if (!s || s.destroyed) return;
    await new Promise<void>((done) => {
      const t = setTimeout(() => {
        s.destroy();
        done();
      }, 2000);
      s.close(() => {
        clearTimeout(t);
        done();
      });
    });
  }

  private limit(): number {
    const remote = this.session?.remoteSettings.maxConcurrentStreams;
    return Math.max(1, Math.min(this.opts.maxStreams, remote ?? this.opts.maxStreams));
  }

  private pump(): void {
    if (this.closed) return;
    if (this.head >= this.queue.length) return this.compact();
    if (!this.session) return this.connect();
    if (!this.ready) return;
    const session = this.session;
    // Destroyed (a reset connection) before its 'close' event: start nothing more on it.
    if (session.destroyed || session.closed) return this.retire(session, 'connection_closed');
    const limit = this.limit();
    while (this.inFlight < limit && this.head < this.queue.length) {
      const job = this.queue[this.head++] as Job;
      if (job.done) continue;
      this.start(session, job);
      if (this.session !== session) return; // retired while starting: the next session takes the queue
    }
    this.compact();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    } else if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
  }

  private connect(): void {
    const { tls, timeoutMs, logger } = this.opts;
    this.ready = false;
    this.sessionsOpened++;
    const s = http2.connect(this.origin, {
      ...(this.servername ? { servername: this.servername } : {}),
      ...(tls?.ca ? { ca: tls.ca } : {}),
      ...(tls?.cert ? { cert: tls.cert } : {}),
      ...(tls?.key ? { key: tls.key } : {}),
      ...(tls?.passphrase ? { passphrase: tls.passphrase } : {}),
      settings: { enablePush: false },
    });
    this.session = s;
    const timer = setTimeout(() => s.destroy(Object.assign(new Error('HTTP/2 connect timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
    let failure: string | undefined;
    s.once('remoteSettings', () => {
      clearTimeout(timer);
      if (this.session !== s) return;
      this.ready = true;
      this.pump();
    });
    // A later SETTINGS frame may raise or lower the stream limit.
    s.on('remoteSettings', () => this.session === s && this.ready && this.pump());
    s.on('goaway', (errorCode: number, lastStreamID: number) => {
      logger.debug({ errorCode, lastStreamID }, `${this.label}: server sent GOAWAY; new streams go to a new session`);
      this.retire(s, 'goaway');
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      failure = reasonOf(err);
      logger.debug({ err: { code: err.code, message: err.message } }, `${this.label}: HTTP/2 session error`);
    });
    s.on('close', () => {
      clearTimeout(timer);
      this.retire(s, failure ?? 'connect_failed');
    });
  }

  /**
   * Stop using `s` for new streams (in-flight ones end on their own). If it had become ready, the
   * queue moves to a new session; if it never did (refused, TLS failure, GOAWAY before SETTINGS),
   * what is queued now fails with `reason` — no reconnect loop; the next send dials again.
   */
  private retire(s: http2.ClientHttp2Session, reason: string): void {
    if (this.session !== s) return;
    const wasReady = this.ready;
    this.session = undefined;
    this.ready = false;
    if (!s.closed && !s.destroyed) s.close();
    if (wasReady) {
      setImmediate(() => this.pump());
      return;
    }
    for (let i = this.head; i < this.queue.length; i++) this.finish(this.queue[i] as Job, { error: reason });
    this.queue.length = 0;
    this.head = 0;
  }

  private start(session: http2.ClientHttp2Session, job: Job): void {
    let stream: JobStream;
    try {
      stream = session.request({ ':method': 'POST', ':scheme': 'https', ':authority': this.authority, ':path': job.req.path, ...job.req.headers }) as JobStream;
    } catch (err) {
      if (session.destroyed || session.closed) {
        // Never sent: it waits for the next session, first in line.
        this.queue.splice(this.head, 0, job);
        this.retire(session, 'connection_closed');
      } else this.finish(job, { error: reasonOf(err as NodeJS.ErrnoException) });
      return;
    }
    this.inFlight++;
    job.stream = stream;
    job.startedAt = performance.now();
    job.status = undefined;
    job.headers = undefined;
    job.chunks = undefined;
    job.failure = undefined;
    stream[JOB] = job;
    this.running.add(job);
    this.sweeper ??= setInterval(() => this.sweep(), Math.max(10, Math.min(1000, this.opts.timeoutMs / 10))).unref();
    stream.on('response', onResponse);
    stream.on('data', onData);
    stream.on('error', onError);
    stream.on('close', () => this.onClose(session, stream, job));
    stream.end(job.req.body);
  }

  /**
   * Streams without an answer after `timeoutMs` are canceled: one timer per session instead of one per stream
   * (a stream's own setTimeout was measurable at 1000 streams in flight). A stream may run up to a tenth of the
   * timeout longer than it.
   */
  private sweep(): void {
    if (!this.running.size) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
      return;
    }
    const late = performance.now() - this.opts.timeoutMs;
    for (const job of this.running) {
      // Insertion order is start order: the rest started later.
      if (job.startedAt > late) break;
      job.failure = 'timeout';
      job.stream?.close(NGHTTP2_CANCEL);
      this.running.delete(job);
    }
  }

  private onClose(session: http2.ClientHttp2Session, stream: http2.ClientHttp2Stream, job: Job): void {
    this.inFlight--;
    this.running.delete(job);
    job.stream = undefined;
    const { status, failure } = job;
    const complete = status !== undefined && failure === undefined && stream.rstCode === NGHTTP2_NO_ERROR;
    if (complete) this.finish(job, { status, headers: job.headers ?? {}, body: job.chunks ? Buffer.concat(job.chunks).toString('utf8') : '' });
    else if (status === undefined && failure !== 'timeout' && stream.rstCode === NGHTTP2_REFUSED_STREAM && job.refused < (this.opts.refusedRetries ?? 0)) {
      // Refused unprocessed (over the stream limit, or above a GOAWAY's last stream id): send it again, first.
      job.refused++;
      this.queue.splice(this.head, 0, job);
    } else if (status === undefined && failure === undefined && (session.destroyed || stream.rstCode === NGHTTP2_NO_ERROR)) {
      // Closed with the connection, before any answer.
      this.finish(job, { error: 'connection_closed' });
    } else this.finish(job, { error: failure ?? RST_NAMES.get(stream.rstCode) ?? 'stream_closed' });
    this.pump();
  }

  private finish(job: Job, answer: StreamAnswer): void {
    if (job.done) return;
    job.done = true;
    job.resolve(answer);
  }
}

// One set of listeners for every stream (`this` is the stream); the answer is kept on its job.
function onResponse(this: JobStream, h: IncomingHttpHeaders): void {
  this[JOB].headers = h;
  this[JOB].status = Number(h[':status']);
}

// Buffers, decoded once at the end: most answers (APNs 200) have no body at all.
function onData(this: JobStream, c: Buffer): void {
  (this[JOB].chunks ??= []).push(c);
}

function onError(this: JobStream, err: NodeJS.ErrnoException): void {
  this[JOB].failure ??= reasonOf(err);
}

/** A bounded, lower-case reason: the nghttp2 code name inside a stream error, else the error code. */
function reasonOf(err: NodeJS.ErrnoException): string {
  const m = /NGHTTP2_([A-Z_]+)/.exec(err.message ?? '');
  if (m?.[1]) return m[1].toLowerCase();
  if (typeof err.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(err.code)) return err.code.toLowerCase();
  return 'transport';
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
