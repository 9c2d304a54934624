/**
 * Part of the store conformance suite (store.contract.ts calls it for SQLite and PostgreSQL): web
 * console sessions. Found by id hash until their idle expiry, extended forward only, removed by
 * logout and by the expiry sweep.
 */
import type { ConsoleSessionRow, Store } from '../../src/store/types.js';

const T0 = 1_764_000_000_000;
const HOUR = 3600_000;

export function describeConsoleSessions(current: () => Store): void {
  describe('console sessions', () => {
    const session = (idHash: string, over: Partial<ConsoleSessionRow> = {}): ConsoleSessionRow => ({ idHash, tenant: 'acme', keyTag: 'tag1', createdAt: T0, expiresAt: T0 + HOUR, ...over });

    it('finds a session by its id hash until it expires', async () => {
      const store = current();
      await store.createConsoleSession(session('h1'));
      expect(await store.findConsoleSession('h1', T0)).toEqual(session('h1'));
      expect(await store.findConsoleSession('h1', T0 + HOUR)).toBeNull();
      expect(await store.findConsoleSession('h2', T0)).toBeNull();
    });

    it('extends the idle expiry forward, never back', async () => {
      const store = current();
      await store.createConsoleSession(session('h1'));
      await store.extendConsoleSession('h1', T0 + 2 * HOUR);
      await store.extendConsoleSession('h1', T0 + HOUR);
      expect((await store.findConsoleSession('h1', T0 + HOUR))?.expiresAt).toBe(T0 + 2 * HOUR);
    });

    it('deletes one session on logout and the expired ones on sweep', async () => {
      const store = current();
      await store.createConsoleSession(session('h1'));
      await store.createConsoleSession(session('h2', { tenant: 'beta', expiresAt: T0 + 3 * HOUR }));
      await store.createConsoleSession(session('h3', { expiresAt: T0 + 3 * HOUR }));
      expect(await store.deleteConsoleSession('h3')).toBe(true);
      expect(await store.deleteConsoleSession('h3')).toBe(false);
      expect(await store.deleteExpiredConsoleSessions(T0 + HOUR)).toBe(1);
      expect(await store.findConsoleSession('h1', T0)).toBeNull();
      expect(await store.findConsoleSession('h2', T0 + HOUR)).toEqual(session('h2', { tenant: 'beta', expiresAt: T0 + 3 * HOUR }));
    });
  });
}
