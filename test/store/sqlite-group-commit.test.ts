/**
 * The SQLite store's group commit (src/store/sqlite.group.ts): writes of one event-loop turn share a
 * transaction, each in its own savepoint, so one that fails halfway leaves nothing behind and takes
 * none of the others with it.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { MessageRow, NewDelivery } from '../../src/store/types.js';

const T0 = 1_764_000_000_000;
const message = (id: string): MessageRow => ({ id, tenant: 'acme', idempotencyKey: null, payload: '{}', createdAt: T0, expiresAt: null, category: null });
function* rows(prefix: string, count: number, duplicateAt?: number): Generator<NewDelivery> {
  for (let i = 0; i < count; i++) {
    const id = i === duplicateAt ? `${prefix}-0` : `${prefix}-${i}`;
    yield { id, provider: 'huawei', deviceId: null, tokenEnc: `enc-${prefix}-${i}`, tokenHash: `${prefix}-${String(i).padStart(4, '0')}`, extras: null, quotaClass: 'default', registered: false };
  }
}

describe('SQLite group commit', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pushgate-group-'));
    store = new SqliteStore(path.join(dir, 'pushgate.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rolls back only the write that failed, after 120 of its rows were written, and commits the others of its turn', async () => {
    // Issued in one turn: one transaction. The middle insert repeats a delivery id at its 121st row.
    const outcomes = await Promise.allSettled([
      store.insertMessage(message('m1'), rows('a', 150), null),
      store.insertMessage(message('m2'), rows('b', 150, 120), null),
      store.insertMessage(message('m3'), rows('c', 150), null),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.getMessage('acme', 'm2')).toBeNull();
    expect(await store.listDeliveries('acme', 'm2', null, 1000)).toEqual([]);
    for (const [id, prefix] of [['m1', 'a'], ['m3', 'c']] as const) {
      expect(await store.getMessage('acme', id)).toMatchObject({ id });
      const listed = await store.listDeliveries('acme', id, null, 1000);
      expect(listed.map((d) => d.id)).toEqual(Array.from({ length: 150 }, (_, i) => `${prefix}-${i}`).sort());
    }
  });
});
