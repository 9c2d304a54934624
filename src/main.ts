/**
 * The composition root: read the config, build the gateway, listen, and own shutdown.
 * `npm start` runs this with config/pushgate.yaml (the playground) unless PUSHGATE_CONFIG is set.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { providers } from '../providers/registry.js';
import { ConfigError, loadConfigFile } from './config/load.js';
import { buildGateway } from './gateway.js';
import { createLogger } from './logger.js';
import { StartupError } from './store/factory.js';

async function main(): Promise<void> {
  const file = process.env.PUSHGATE_CONFIG ?? 'config/pushgate.yaml';
  const config = loadConfigFile(file, process.env, providers);
  const logger = createLogger(config.log.level);
  const gateway = await buildGateway(config, { providers, logger });
  await gateway.start();

  const server = http.createServer(gateway.app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ port, host: config.server.host, store: config.store.driver, queue: config.queue.driver, config: file }, `pushgate listening on http://127.0.0.1:${port}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests, finishing in-flight work');
    const force = setTimeout(() => {
      logger.error('shutdown grace period over; exiting with work still in flight (leases expire and it is resent)');
      process.exit(1);
    }, config.server.shutdownGraceSeconds * 1000);
    force.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await gateway.stop();
    await closed;
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  // Config and start-up problems are the operator's to fix: say what, not a stack trace.
  if (err instanceof ConfigError || err instanceof StartupError) console.error(`pushgate: ${err.message}`);
  else console.error('pushgate: failed to start:', err);
  process.exit(1);
});
