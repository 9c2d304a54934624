/**
 * The HTTP client side of the bench: one keep-alive POST, a closed-loop and an open-loop load
 * generator. No state of its own; the phases own the ports and the server key.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface Answer {
  status: number;
  text: string;
}

export function post(agent: http.Agent, port: number, urlPath: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: 'POST',
        agent,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface LoadResult {
  count: number;
  ms: number;
  latencies: number[];
  unexpected: number;
  firstUnexpected?: string;
}

/** `concurrency` keep-alive clients send `total` requests (with `headers`) between them, as fast as answers come. */
export async function load(port: number, urlPath: string, headers: Record<string, string>, body: (i: number) => string, total: number, concurrency: number, expect: number, offset = 0): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let next = 0;
  let unexpected = 0;
  let firstUnexpected: string | undefined;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const b = body(offset + i);
        const t = performance.now();
        const res = await post(agent, port, urlPath, b, headers);
        latencies.push(performance.now() - t);
        if (res.status !== expect) {
          unexpected += 1;
          firstUnexpected ??= `${res.status} ${res.text.slice(0, 300)}`;
        }
      }
    }),
  );
  const ms = performance.now() - started;
  agent.destroy();
  return { count: total, ms, latencies, unexpected, ...(firstUnexpected ? { firstUnexpected } : {}) };
}

export function merge(a: LoadResult, b: LoadResult): LoadResult {
  return { count: a.count + b.count, ms: a.ms + b.ms, latencies: [...a.latencies, ...b.latencies], unexpected: a.unexpected + b.unexpected, firstUnexpected: a.firstUnexpected ?? b.firstUnexpected };
}

/**
 * Open-loop load: `total` requests started at `rate` per second whatever the answers do (a
 * closed loop would slow down with the server and hide its queueing). `started(i)` gets the
 * wall-clock start of request i, for latencies measured elsewhere (the simulator's arrival time).
 */
export async function openLoop(port: number, urlPath: string, headers: Record<string, string>, body: (i: number) => string, total: number, rate: number, expect: number, started: (i: number, at: number) => void): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  let unexpected = 0;
  let firstUnexpected: string | undefined;
  const inFlight: Array<Promise<void>> = [];
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const b = body(i);
    const t = performance.now();
    started(i, performance.timeOrigin + t);
    inFlight.push(
      post(agent, port, urlPath, b, headers).then((res) => {
        latencies.push(performance.now() - t);
        if (res.status !== expect) {
          unexpected += 1;
          firstUnexpected ??= `${res.status} ${res.text.slice(0, 300)}`;
        }
      }),
    );
  }
  await Promise.all(inFlight);
  const ms = performance.now() - t0;
  agent.destroy();
  return { count: total, ms, latencies, unexpected, ...(firstUnexpected ? { firstUnexpected } : {}) };
}
