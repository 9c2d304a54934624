/**
 * A real gateway behind a listening HTTP server, for end-to-end tests whose simulators post
 * receipts back: the server listens first so `server.publicBaseUrl` can name its real port, then
 * the gateway built from the config is plugged in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { providers } from '../../providers/registry.js';
import { parseConfig } from '../../src/config/load.js';
import { buildGateway, type Gateway } from '../../src/gateway.js';

export interface ListeningGateway {
  server: http.Server;
  gw: Gateway;
  close(): Promise<void>;
}

/**
 * @param rawConfig - builds the raw (unparsed) config from the base URL and a fresh SQLite path;
 *   `${PUBLIC_BASE_URL}` in it resolves to the base URL too.
 */
export async function listeningGateway(rawConfig: (ctx: { baseUrl: string; dbPath: string }) => unknown): Promise<ListeningGateway> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-e2e-'));
  const plugged: { app?: http.RequestListener } = {};
  const server = http.createServer((req, res) => (plugged.app ? plugged.app(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = parseConfig(rawConfig({ baseUrl, dbPath: path.join(dir, 'pushgate.db') }), { PUBLIC_BASE_URL: baseUrl }, providers);
  const gw = await buildGateway(config, { providers, logger: pino({ level: 'silent' }) });
  await gw.start();
  plugged.app = gw.app;
  return {
    server,
    gw,
    async close() {
      await gw.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
