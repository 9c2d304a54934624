/**
 * Real gateways for the client's tests, built by the repository's own test factories: an
 * in-process gateway (SQLite, Huawei simulator, a clock the test moves) behind a listening HTTP
 * server on 127.0.0.1 port 0, so the client talks to it over real HTTP.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testGateway, type TestGateway, type TestGatewayOptions } from '../../../test/factories/gateway.js';

export { SERVER_KEY, CLIENT_KEY, OTHER_SERVER_KEY, hwToken } from '../../../test/factories/gateway.js';
export { until } from '../../../test/factories/process.js';

export interface ServedGateway extends TestGateway {
  baseUrl: string;
}

export async function servedGateway(opts: TestGatewayOptions = {}): Promise<ServedGateway> {
  const t = await testGateway(opts);
  const server: Server = t.gw.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    ...t,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await t.close();
    },
  };
}

/** A fetch that records each request's method, path and Idempotency-Key, then sends it. */
export function recordingFetch(inner: (r: Request) => Promise<Response> = (r) => fetch(r)) {
  const seen: Array<{ method: string; path: string; key: string | null }> = [];
  const f = (request: Request) => {
    seen.push({ method: request.method, path: new URL(request.url).pathname, key: request.headers.get('Idempotency-Key') });
    return inner(request);
  };
  return { fetch: f, seen };
}
