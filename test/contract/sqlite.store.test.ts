/**
 * The store conformance suite against SQLite: a fresh file per test; "two instances" are two
 * SqliteStore connections on the same WAL file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite.js';
import { describeStore } from './store.contract.js';

describeStore('SQLite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-store-'));
  const file = path.join(dir, 'pushgate.db');
  return {
    open: async () => new SqliteStore(file),
    destroy: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
