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
const COUNT = 1150;
const message = (id: string): MessageRow => ({ id, tenant: 'acme', idempotencyKey: null, payload: '{}', createdAt: T0, expiresAt: null, category: null });
/** `count` rows; the one at `badAt` has a newline in its ciphertext, which no chunk can hold (src/store/chunks.ts): the write fails there. */
function* rows(prefix: string, count: number, badAt?: number): Generator<NewDelivery> {
  for (let i = 0; i < count; i++) {
    const tokenEnc = i === badAt ? `enc-${prefix}\n${i}` : `enc-${prefix}-${i}`;
    yield { id: `${prefix}-${i}`, provider: 'huawei', deviceId: null, tokenEnc, tokenHash: `${prefix}-${String(i).padStart(4, '0')}`, extras: null, quotaClass: 'default', registered: false };
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

  it('rolls back only the write that failed, after its first chunk of 1000 targets was written, and commits the others of its turn', async () => {
    // Issued in one turn: one transaction. The middle insert fails at its 1121st row, after its first chunk row.
    const outcomes = await Promise.allSettled([
      store.insertMessage(message('m1'), rows('a', COUNT), null),
      store.insertMessage(message('m2'), rows('b', COUNT, 1120), null),
      store.insertMessage(message('m3'), rows('c', COUNT), null),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.getMessage('acme', 'm2')).toBeNull();
    expect(await store.listDeliveries('acme', 'm2', null, 1000)).toEqual([]);
    expect(await store.messageCounts('acme', 'm2')).toEqual([]);
    for (const [id, prefix] of [['m1', 'a'], ['m3', 'c']] as const) {
      expect(await store.getMessage('acme', id)).toMatchObject({ id });
      const listed = await store.listDeliveries('acme', id, null, COUNT);
      expect(listed.map((d) => d.id)).toEqual(Array.from({ length: COUNT }, (_, i) => `${prefix}-${i}`).sort());
    }
  });
});
