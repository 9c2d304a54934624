import type { ConsoleSessionRow } from '../store/types.js';
import { ConsoleSessions } from './console-sessions.js';

/** The five store calls, on a Map: the store's own behaviour is the conformance suite's. */
function memoryStore() {
  const rows = new Map<string, ConsoleSessionRow>();
  return {
    rows,
    createConsoleSession: async (s: ConsoleSessionRow) => void rows.set(s.idHash, s),
    findConsoleSession: async (h: string, now: number) => (rows.get(h) && rows.get(h)!.expiresAt > now ? rows.get(h)! : null),
    extendConsoleSession: async (h: string, at: number) => void (rows.get(h) && (rows.get(h)!.expiresAt = Math.max(at, rows.get(h)!.expiresAt))),
    deleteConsoleSession: async (h: string) => rows.delete(h),
    deleteExpiredConsoleSessions: async () => 0,
  };
}

describe('ConsoleSessions', () => {
  const configured = new Set(['acme/tag1']);
  const store = memoryStore();
  const now = 1_000_000;
  let seed = 0;
  const sessions = new ConsoleSessions({ store, now: () => now, randomBytes: (n) => Buffer.alloc(n, ++seed), ttlMs: 3600_000, keyStillConfigured: (t, k) => configured.has(`${t}/${k}`) });

  it('stores only a hash of the random id, and derives a CSRF token that is neither', async () => {
    const s = await sessions.open('acme', 'tag1');
    expect(s.id).toBe(Buffer.alloc(32, seed).toString('base64url'));
    const [row] = [...store.rows.values()];
    expect(row!.idHash).toMatch(/^[0-9a-f]{64}$/);
    expect([row!.idHash, s.id]).not.toContain(s.csrfToken);
    const active = await sessions.resolve(s.id);
    expect(active).toEqual({ tenant: 'acme', csrfToken: s.csrfToken, expiresAt: now + 3600_000 });
    expect(sessions.csrfMatches(active!, s.csrfToken)).toBe(true);
    expect(sessions.csrfMatches(active!, undefined)).toBe(false);
    expect(sessions.csrfMatches(active!, s.csrfToken.slice(1))).toBe(false);
  });

  it('ends the sessions of a server key removed from the config', async () => {
    const s = await sessions.open('acme', 'tag1');
    configured.delete('acme/tag1');
    expect(await sessions.resolve(s.id)).toBeNull();
    configured.add('acme/tag1');
    expect(await sessions.resolve(s.id)).toBeNull();
  });

  it('refuses ids that are not one of its own shape without a store lookup', async () => {
    const find = store.findConsoleSession;
    let lookups = 0;
    store.findConsoleSession = async (h, at) => (lookups++, find(h, at));
    expect(await sessions.resolve("' OR 1=1 --")).toBeNull();
    expect(await sessions.resolve('a'.repeat(44))).toBeNull();
    expect(await sessions.resolve('a'.repeat(43))).toBeNull();
    expect(lookups).toBe(1);
  });
});
