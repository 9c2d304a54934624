/**
 * withTransaction (src/store/postgres.tx.ts) when the connection drops while its client is checked out
 * between two queries: the transaction fails with an error, the process does not crash, and the pool
 * serves the next transaction once the network is back.
 */
import pg from 'pg';
import { withTransaction } from '../../src/store/postgres.tx.js';
import { tcpProxy } from '../factories/tcp-proxy.js';
import { requirePostgres, TEST_PG_URL } from './services.js';

const postgres = await requirePostgres();

postgres.describe('PostgreSQL transactions on a connection that drops', () => {
  it('reject instead of crashing the process, and the pool recovers', async () => {
    const url = new URL(TEST_PG_URL);
    const net = await tcpProxy(url.hostname, Number(url.port || 5432));
    const pool = new pg.Pool({ connectionString: net.via(TEST_PG_URL), max: 1 });
    pool.on('error', () => {}); // idle clients: the store's pool has the same listener
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      let dropped!: () => void;
      const droppedNow = new Promise<void>((resolve) => (dropped = resolve));
      const failed = withTransaction(pool, async (c) => {
        await c.query('SELECT 1');
        // Checked out, between two queries: the network goes.
        // Watched on the socket, not with an 'error' listener on the client: that listener is what is under test.
        const socket = (c as unknown as { connection: { stream: NodeJS.EventEmitter } }).connection.stream;
        const gone = new Promise((resolve) => socket.once('close', resolve));
        await net.cut();
        await gone;
        dropped();
        await c.query('SELECT 2');
      });
      await expect(failed).rejects.toThrow();
      await droppedNow;
      expect(uncaught).toEqual([]);
      await net.restore();
      await expect(withTransaction(pool, async (c) => (await c.query('SELECT 3 AS n')).rows[0].n)).resolves.toBe(3);
    } finally {
      process.off('uncaughtException', onUncaught);
      await pool.end();
      await net.close();
    }
  });
});
