/**
 * The plumbing every HTTP/1.1 vendor simulator shares: listen on 127.0.0.1:0, parse JSON or
 * form bodies, record what arrived, hold slow answers, reset or hang a request when the fault
 * script says so. The vendor's protocol (auth, limits, codes) lives in each vendor's own simulator.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TransportFault } from './sim-faults.js';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** JSON body, or form fields (repeated fields as arrays), or undefined. */
  body: unknown;
  form: URLSearchParams;
}

export interface SimResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as text. */
  body?: unknown;
  /** Hold the answer this long (slow vendor); released by close(). */
  delayMs?: number;
  /** No answer at all: 'reset' destroys the connection, 'hang' leaves the request open until close(). */
  fault?: TransportFault | undefined;
}

export interface HttpSimulator {
  url: string;
  port: number;
  requests: SimRequest[];
  close(): Promise<void>;
}

export async function startHttpSimulator(
  handle: (req: SimRequest) => SimResponse | Promise<SimResponse>,
  opts: { recordRequests?: boolean } = {},
): Promise<HttpSimulator> {
  const requests: SimRequest[] = [];
  const record = opts.recordRequests ?? true;
  /** Held answers (delayMs), released by close() so no timer outlives the simulator. */
  const held = new Set<() => void>();
  const hold = (ms: number) =>
    new Promise<void>((resolve) => {
      const release = () => {
        clearTimeout(timer);
        held.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      held.add(release);
    });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://sim');
      const type = String(req.headers['content-type'] ?? '');
      const form = type.includes('application/x-www-form-urlencoded') ? new URLSearchParams(rawBody) : new URLSearchParams();
      let body: unknown;
      if (type.includes('json')) {
        try {
          body = rawBody ? JSON.parse(rawBody) : undefined;
        } catch {
          body = undefined;
        }
      } else if (type.includes('application/x-www-form-urlencoded')) {
        body = formToObject(form);
      }
      const simReq: SimRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, body, form };
      if (record) requests.push(simReq);
      Promise.resolve()
        .then(() => handle(simReq))
        .then(async (r) => {
          if (r.fault === 'reset') return void req.socket.destroy();
          if (r.fault === 'hang') return; // closeAllConnections() ends it at close()
          if (r.delayMs) await hold(r.delayMs);
          if (res.destroyed) return;
          const isText = typeof r.body === 'string';
          const payload = r.body === undefined ? '' : isText ? (r.body as string) : JSON.stringify(r.body);
          res.writeHead(r.status ?? 200, {
            'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
            ...r.headers,
          });
          res.end(payload);
        })
        .catch((err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`simulator error: ${String(err)}`);
        });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const release of held) release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function formToObject(form: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of form) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
