/**
 * The CLI's HTTP client: Node's global fetch, the server key as a bearer token, JSON both ways.
 * Deliberately thin (the typed client package is for backends): it answers the parsed JSON body
 * and turns the two ways a call fails into errors the commands print in one line each.
 */

/** The API answered with an error status: its `{ error: { code, message, details } }`, kept as sent. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Array<{ field?: string; message: string }>,
    /** The body as the API sent it (printed as-is with --json). */
    readonly body: unknown,
    readonly retryAfter: string | null,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** No HTTP answer at all: refused, unknown host, timeout. The message names the URL. */
export class ConnectionFailure extends Error {
  override name = 'ConnectionFailure';
}

export interface ApiClientOptions {
  /** e.g. http://127.0.0.1:8080 or https://push.example.com/pushgate (a path prefix is kept). */
  baseUrl: string;
  key: string;
  /** Per request. @default 30_000 */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type Query = Record<string, string | number | undefined>;

export class ApiClient {
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ApiClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.request<T>('POST', path, { body, headers });
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path, {});
  }

  async request<T>(method: string, path: string, { query = {}, body, headers = {} }: { query?: Query; body?: unknown; headers?: Record<string, string> }): Promise<T> {
    const qs = new URLSearchParams(Object.entries(query).flatMap(([k, v]): Array<[string, string]> => (v === undefined ? [] : [[k, String(v)]]))).toString();
    const url = `${this.base}${path}${qs ? `?${qs}` : ''}`;
    let res: Response;
    try {
      res = await this.fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.opts.key}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new ConnectionFailure(connectionProblem(err, this.base, this.timeoutMs));
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.ok) {
      if (parsed === undefined && text !== '') throw new ConnectionFailure(`${this.base} answered ${method} ${path} with something that is not JSON: is --url a pushgate gateway?`);
      return parsed as T;
    }
    const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    if (error && typeof error.code === 'string') {
      const details = Array.isArray(error.details) ? (error.details as Array<{ field?: string; message: string }>) : [];
      throw new ApiFailure(res.status, error.code, String(error.message ?? ''), details, parsed, res.headers.get('retry-after'));
    }
    // Not pushgate's error shape (a proxy's page, a 404 from another server): say so with the start of it.
    throw new ApiFailure(res.status, `http_${res.status}`, `${res.statusText || 'error'} from ${url} (not a pushgate error body: ${text.slice(0, 120).replace(/\s+/g, ' ') || 'empty'})`, [], parsed ?? text, null);
  }
}

function connectionProblem(err: unknown, base: string, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer from ${base} within ${timeoutMs / 1000}s`;
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return `cannot reach pushgate at ${base}: connection refused (is it running? set --url or PUSHGATE_URL)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot reach pushgate at ${base}: unknown host (check --url or PUSHGATE_URL)`;
  return `cannot reach pushgate at ${base}: ${code ?? e.cause?.message ?? e.message}`;
}
