// Placeholder until the PostgreSQL store lands (issue: scale-out). Selecting it fails clearly.
import type { Logger } from 'pino';
import type { Store } from './types.js';

export class PostgresStore {
  static async connect(_url: string, _opts: { poolSize: number; logger: Logger }): Promise<Store> {
    throw new Error('the PostgreSQL store is not available in this build');
  }
}
