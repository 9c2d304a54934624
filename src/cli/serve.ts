/**
 * `pushgate serve` (and `npm start`, through main.ts): read the config, build the gateway, listen,
 * and own shutdown. Runs with config/pushgate.yaml (the playground) unless --config or
 * PUSHGATE_CONFIG names another file.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { providers } from '../../providers/registry.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { buildGateway } from '../gateway.js';
import { applyHeapSettings } from '../heap.js';
import { createLogger } from '../logger.js';
import { StartupError } from '../startup-error.js';
import { parseCommandLine } from './args.js';

/** Listening failed for a reason the operator fixes (port taken, no permission): one line, exit 1. */
class ListenError extends Error {}

/** Parse `argv`, start the gateway and serve until SIGTERM/SIGINT; start-up problems are one line and exit 1. */
export async function serve(argv: string[]): Promise<void> {
  const { values: args } = parseCommandLine(
    {
      usage: 'pushgate serve [options]   (or: npm start -- [options])',
      summary: 'Start the pushgate gateway: read the configuration, migrate the store, listen for the API and deliver queued messages until SIGTERM.',
      options: { config: { type: 'string', short: 'c' } },
      help: { config: 'the YAML configuration file (default: $PUSHGATE_CONFIG, else config/pushgate.yaml)' },
      notes: ['Environment: PUSHGATE_CONFIG (the configuration file); ${NAME} references in the file are read from the environment.'],
    },
    argv,
  );
  try {
    await start(args.config ?? process.env.PUSHGATE_CONFIG ?? 'config/pushgate.yaml');
  } catch (err) {
    // Config and start-up problems are the operator's to fix: say what, not a stack trace.
    if (err instanceof ConfigError || err instanceof StartupError || err instanceof ListenError) console.error(`pushgate: ${err.message}`);
    else console.error('pushgate: failed to start:', err);
    process.exit(1);
  }
}

async function start(file: string): Promise<void> {
  applyHeapSettings();
  const config = loadConfigFile(file, process.env, providers);
  const logger = createLogger(config.log.level);
  const gateway = await buildGateway(config, { providers, logger });
  await gateway.start();

  const server = http.createServer(gateway.app);
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.server.port, config.server.host, resolve);
    });
  } catch (err) {
    // Nothing was accepted yet: give the lanes' claims back before saying why.
    await gateway.stop();
    throw listenError(err, config.server.host, config.server.port, file);
  }
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

function listenError(err: unknown, host: string, port: number, file: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const fix = `change server.port in ${file}`;
  if (code === 'EADDRINUSE') return new ListenError(`cannot listen on ${where}: address already in use (another pushgate or process holds it; ${fix})`);
  if (code === 'EACCES') return new ListenError(`cannot listen on ${where}: permission denied (ports below 1024 need privileges; ${fix})`);
  if (code === 'EADDRNOTAVAIL') return new ListenError(`cannot listen on ${where}: no such address on this machine (change server.host)`);
  return err instanceof Error ? err : new Error(String(err));
}
