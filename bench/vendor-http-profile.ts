/**
 * What one vendor request costs the gateway's CPU: `node dist/bench/vendor-http-profile.js [requests]`.
 * A plain HTTP server in a child process answers a Huawei-shaped JSON reply; this process posts a Huawei-sized JSON
 * body N times, 8 in flight (the bench's Huawei lane concurrency), with
 * - axios, configured as providers/shared/http.ts configured it before undici (keep-alive agent, no proxy, no
 *   redirects, every status resolves): the reference;
 * - createVendorHttp (providers/shared/http.ts) as the adapters use it now.
 * Alternating rounds; prints this process's CPU (user + system) per request and the wall time of each round.
 * CPU per request is the figure: a single-target send is one vendor request. Not the benchmark (bench/all.ts).
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import axios from 'axios';
import { createVendorHttp } from '../providers/shared/http.js';
import { parseCommandLine, usageError } from '../src/cli/args.js';

const REPLY = JSON.stringify({ code: '80000000', msg: 'Success', requestId: '161725298450987341001001' });

if (process.argv[2] === '--serve') {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' }).end(REPLY));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
} else {
  const { positionals } = parseCommandLine({
    usage: 'node dist/bench/vendor-http-profile.js [requests]',
    summary: 'CPU per vendor request: axios as the adapters used it before, against createVendorHttp (undici), 8 in flight, alternating rounds. Not a benchmark.',
    options: {},
    help: {},
    positionals: [{ name: 'requests', help: 'requests per round (default 10000)' }],
  });
  const n = Number(positionals[0] ?? 10_000);
  if (!Number.isInteger(n) || n < 1) usageError(`requests must be a positive whole number, got '${positionals[0]}'`);

  const child = fork(fileURLToPath(import.meta.url), ['--serve']);
  const port = await new Promise<number>((resolve) => child.once('message', (p) => resolve(Number(p))));
  const baseURL = `http://127.0.0.1:${port}`;
  const body = {
    validate_only: false,
    message: { android: { notification: { title: 'pushgate bench', body: 'one message to many devices', click_action: { type: 3 } } }, token: ['0'.repeat(130)] },
  };
  const headers = { authorization: 'Bearer CV4mQ2fVOEuAtfoFQ0pVgW3e9', 'content-type': 'application/json;charset=utf-8' };

  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const ax = axios.create({ baseURL, httpAgent: agent, proxy: false, validateStatus: () => true, maxRedirects: 0, timeout: 15_000 });
  const vendor = createVendorHttp({ baseURL }, { observeRequest: () => undefined });
  const clients: Record<string, () => Promise<unknown>> = {
    axios: () => ax.post('/v1/1/messages:send', body, { headers }),
    createVendorHttp: () => vendor.post('/v1/1/messages:send', body, headers),
  };

  const round = async (name: string, count: number) => {
    const send = clients[name]!;
    let left = count;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (left-- > 0) await send();
    }));
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { cpuUs: (cpu.user + cpu.system) / count, wallMs: wall };
  };

  for (const name of Object.keys(clients)) await round(name, Math.min(n, 2000)); // warm-up
  const results: Record<string, number[]> = { axios: [], createVendorHttp: [] };
  for (let r = 0; r < 3; r++) {
    for (const name of Object.keys(clients)) {
      const { cpuUs, wallMs } = await round(name, n);
      results[name]!.push(cpuUs);
      console.log(`${name.padEnd(16)} ${n} requests in ${wallMs.toFixed(0)} ms, ${cpuUs.toFixed(1)} µs CPU per request`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [a, v] = [median(results.axios!), median(results.createVendorHttp!)];
  console.log(`median CPU per request: axios ${a.toFixed(1)} µs, createVendorHttp ${v.toFixed(1)} µs (${(v / a).toFixed(2)}×)`);
  vendor.close();
  agent.destroy();
  child.kill();
}
