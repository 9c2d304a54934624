/**
 * The HTTP client side of bench/run.ts: one keep-alive POST, a closed-loop load generator and the
 * percentiles of what it measured. No state of its own; bench/run.ts owns the ports and the server key.
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

export function pct(values: number[], p: number): number {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}
