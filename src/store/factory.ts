/**
 * Drivers are loaded only when selected (`pg` is never imported on the embedded default), and an
 * unreachable database is one clear line naming the URL with its password masked.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { maskUrl } from '../privacy/redact.js';
import { StartupError } from '../startup-error.js';
import type { Store } from './types.js';

export async function createStore(cfg: Config['store'], logger: Logger): Promise<Store> {
  if (cfg.driver === 'sqlite') {
    const { SqliteStore } = await import('./sqlite.js');
    try {
      return new SqliteStore(cfg.path);
    } catch (err) {
      throw new StartupError(`cannot open the SQLite store at ${cfg.path}: ${(err as Error).message}`);
    }
  }
  const { PostgresStore } = await import('./postgres.js');
  try {
    return await PostgresStore.connect(cfg.url, { poolSize: cfg.poolSize, logger });
  } catch (err) {
    throw new StartupError(`cannot reach PostgreSQL at ${maskUrl(cfg.url)}: ${(err as Error).message}`);
  }
}
