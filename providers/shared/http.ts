/**
 * One keep-alive connection pool per vendor endpoint (undici): vendor answers are data, never exceptions, so every
 * status resolves and the adapter's outcome table decides; only a request that got no answer (refused, reset,
 * timed out) throws, with a `code` that names why (`transportReason`).
 *
 * Why undici and not axios (issue 11): a single-target send is one vendor request, and axios cost about 260 µs of CPU
 * per request on the 2-core bench machine against about 50 µs for undici's Pool (`node dist/bench/vendor-http-profile.js`:
 * the same server, 8 in flight, alternating rounds). The answer keeps the shape the adapters read before (status,
 * lower-case headers, data: the parsed JSON when the body is JSON, else its text).
 */
import { EventEmitter } from 'node:events';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { Pool, type Dispatcher } from 'undici';
import type { ProviderDeps } from '../types.js';

/** A vendor's answer: `data` is the parsed JSON when the body is JSON, else its text ('' when empty). */
export interface VendorResponse<T = unknown> {
  status: number;
  /** Lower-case names, as node and undici hand them over. */
  headers: Record<string, string | string[] | undefined>;
  data: T;
}

export interface VendorHttpOptions {
  baseURL: string;
  /**
   * The whole request, from connecting to the last byte of the answer, within this long; else ETIMEDOUT. A request
   * still waiting for one of the `maxSockets` connections when its time is up fails when undici next looks at it
   * (within about a second), never sent.
   */
  timeoutMs?: number;
  /** Extra CA for TLS simulators. */
  ca?: string | undefined;
  maxSockets?: number;
  /**
   * The metrics label of an answer that failed (default `http_<status>` from 400 on). Vendors that answer errors
   * with HTTP 200 and a code (Xiaomi) label by that code.
   */
  errorReasonOf?: (res: VendorResponse) => string | undefined;
  /** Hand bodies over as text, unparsed (vivo quotes its long numeric ids before parsing them). */
  rawText?: boolean;
}

export interface VendorHttp {
  /**
   * POST and record duration / transport errors in the provider metrics. A string or Buffer body goes as it is; an
   * object is JSON (content-type application/json unless given), or a form when the content-type says so.
   */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<VendorResponse>;
  close(): void;
}

const FORM = 'application/x-www-form-urlencoded';
const USER_AGENT = 'pushgate';

export function createVendorHttp(opts: VendorHttpOptions, deps: Pick<ProviderDeps, 'observeRequest'>): VendorHttp {
  const base = new URL(opts.baseURL);
  // Credentials in the base URL (https://user:pass@host) went out as HTTP Basic with axios: keep them, not in the path.
  const basic = base.username || base.password ? `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}` : undefined;
  // axios joined baseURL and path with one slash: a base path (e.g. a regional prefix) stays in front of every path.
  const prefix = base.pathname.replace(/\/+$/, '');
  const timeout = opts.timeoutMs ?? 15_000;
  // undici's own header and body timeouts tick on a coarse (~0.5 s) clock: they stay as a backstop, and the request's
  // own timer below gives the exact total that axios gave and that tests (and short configured timeouts) rely on.
  const pool = new Pool(base.origin, {
    connections: opts.maxSockets ?? 64,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connect: { timeout, ...(opts.ca ? { ca: opts.ca } : {}) },
  });
  const errorReasonOf = opts.errorReasonOf ?? ((res: VendorResponse) => (res.status >= 400 ? `http_${res.status}` : undefined));
  return {
    async post(path, body, headers) {
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      const request = encodeRequest(body, headers);
      if (basic) request.headers['authorization'] ??= basic;
      const deadline = new Deadline(timeout);
      let res: VendorResponse;
      try {
        const answer = await pool.request({ method: 'POST', path: `${prefix}/${path.replace(/^\/+/, '')}`, signal: deadline, ...request });
        const text = await bodyText(answer);
        res = { status: answer.statusCode, headers: answer.headers, data: opts.rawText ? text : jsonOrText(text) };
      } catch (err) {
        const failure = transportError(deadline.reason ?? err);
        deps.observeRequest(seconds(), transportReason(failure));
        throw failure;
      } finally {
        deadline.clear();
      }
      deps.observeRequest(seconds(), errorReasonOf(res));
      return res;
    },
    close() {
      // In-flight requests fail as transport errors (the dispatcher retries them), as a destroyed agent did.
      pool.destroy().catch(() => undefined);
    },
  };
}

/** The body as bytes on the wire and the headers with lower-case names; the content-type said for JSON and forms. */
function encodeRequest(body: unknown, given: Record<string, string> = {}): { body: string | Uint8Array | undefined; headers: Record<string, string> } {
  // axios sent both; undici sends neither Accept nor User-Agent, and gateways and WAFs in front of vendor APIs may
  // refuse a request that names no client. A caller's own header of either name wins.
  const headers: Record<string, string> = { accept: 'application/json, text/plain, */*', 'user-agent': USER_AGENT };
  for (const [name, value] of Object.entries(given)) headers[name.toLowerCase()] = value;
  if (body === undefined || body === null) return { body: undefined, headers };
  if (typeof body === 'string' || body instanceof Uint8Array) return { body, headers };
  if (body instanceof URLSearchParams) {
    headers['content-type'] ??= `${FORM};charset=utf-8`;
    return { body: body.toString(), headers };
  }
  if (headers['content-type']?.includes(FORM)) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (v !== undefined) form.append(k, String(v));
    return { body: form.toString(), headers };
  }
  headers['content-type'] ??= 'application/json';
  return { body: JSON.stringify(body), headers };
}

/**
 * The answer's text. pushgate asks for no compression (no Accept-Encoding, so nothing to inflate on every answer), but
 * an answer compressed anyway is inflated rather than read as junk and retried forever; axios inflated every answer.
 */
async function bodyText(answer: Dispatcher.ResponseData): Promise<string> {
  const encoding = String(answer.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return answer.body.text();
  const bytes = Buffer.from(await answer.body.arrayBuffer());
  const inflate = INFLATE[encoding];
  try {
    return (inflate ? inflate(bytes) : bytes).toString('utf8');
  } catch {
    // Not what it says it is: the adapter gets unreadable text and decides by the status, as for any junk answer.
    return bytes.toString('utf8');
  }
}

const INFLATE: Record<string, (b: Buffer) => Buffer> = { gzip: gunzipSync, 'x-gzip': gunzipSync, deflate: inflateSync, br: brotliDecompressSync };

/** Parsed JSON when the body is JSON (whatever the content-type says), else the text itself. */
function jsonOrText(text: string): unknown {
  if (text === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * A request's deadline, as the EventEmitter signal undici accepts (`aborted`, `reason`, an 'abort' event). An
 * AbortController per request cost 15–25 µs of CPU, half of what the request itself costs.
 */
class Deadline extends EventEmitter {
  aborted = false;
  reason: Error | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    super();
    this.timer = setTimeout(() => {
      this.aborted = true;
      this.reason = Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' });
      this.emit('abort');
    }, ms);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** undici's own error codes, in the words the metrics and the error explanations already use. */
const UNDICI_CODES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_SOCKET: 'ECONNRESET',
  // close() destroys the pool under a request in flight: the connection went away before the answer, which is what
  // the destroyed keep-alive agent reported (and what the error explanations know).
  UND_ERR_DESTROYED: 'ECONNRESET',
};

function transportError(err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  const mapped = typeof code === 'string' ? UNDICI_CODES[code] : undefined;
  if (!mapped) return err;
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(`${message} (${mapped})`, { cause: err }), { code: mapped });
}

/** A bounded label for a transport failure (timeout, refused, reset…). */
export function transportReason(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code)) return code.toLowerCase();
  return 'transport';
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unparseable. */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = String(v).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
