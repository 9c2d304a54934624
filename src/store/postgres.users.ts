/** A user's data on PostgreSQL (GDPR export and erasure); PostgresStore delegates here. */
import type pg from 'pg';
import { ACTIVE } from './postgres.claims.js';
import { pgExpandChunks } from './postgres.chunks.js';
import { pgDisturbLeases } from './postgres.handoffs.js';
import { pgLockMessages, pgOutboxForDeliveries } from './postgres.outbox.js';
import { withTransaction } from './postgres.tx.js';
import { toDelivery, toDevice, type Row } from './rows.js';
import type { DeliveryRow, DeviceRow, OutboxWriter } from './types.js';

/**
 * A user's targets may still be in chunks, which have no device index: the tenant's chunks holding one of
 * the user's devices become rows first (postgres.chunks.ts); the rest of the backlog stays in chunks.
 */
export async function pgExportUser(pool: pg.Pool, tenant: string, userId: string): Promise<{ devices: DeviceRow[]; deliveries: DeliveryRow[] }> {
  return withTransaction(pool, async (c) => {
    await pgExpandChunks(c, { tenant, userId });
    const devices = (await c.query('SELECT * FROM devices WHERE tenant = $1 AND user_id = $2 ORDER BY created_at, id', [tenant, userId])).rows.map(toDevice);
    const deliveries = (
      await c.query('SELECT d.* FROM deliveries d JOIN devices v ON v.id = d.device_id WHERE v.tenant = $1 AND v.user_id = $2 ORDER BY d.created_at, d.id', [tenant, userId])
    ).rows.map(toDelivery);
    return { devices, deliveries };
  });
}

export async function pgEraseUser(pool: pg.Pool, tenant: string, userId: string, finish?: { now: number; outbox: OutboxWriter }): Promise<{ devices: number; deliveries: number }> {
  return withTransaction(pool, async (c) => {
    // Deletes claimed rows too: counted first, before any row lock (postgres.handoffs.ts).
    await pgDisturbLeases(c);
    await pgExpandChunks(c, { tenant, userId });
    const mine = 'SELECT id FROM devices WHERE tenant = $1 AND user_id = $2';
    if (finish) {
      const touched = await c.query(`SELECT DISTINCT message_id FROM deliveries WHERE ${ACTIVE} AND device_id IN (${mine})`, [tenant, userId]);
      await pgLockMessages(c, (touched.rows as Row[]).map((r) => String(r.message_id)));
    }
    const gone = await c.query(`DELETE FROM deliveries WHERE ${ACTIVE} AND device_id IN (${mine}) RETURNING tenant, message_id`, [tenant, userId]);
    const deliveries = gone.rowCount ?? 0;
    // Removed, not finished: no delivery event, but their messages may now be complete.
    if (finish) await pgOutboxForDeliveries(c, (gone.rows as Row[]).map((r) => ({ ...r, state: 'queued' })), finish.outbox, finish.now);
    // Finished deliveries keep their counts but lose the link and the token: nothing about the user remains.
    await c.query(`UPDATE deliveries SET device_id = NULL, token_enc = '', token_hash = '' WHERE device_id IN (${mine})`, [tenant, userId]);
    const devices = (await c.query('DELETE FROM devices WHERE tenant = $1 AND user_id = $2', [tenant, userId])).rowCount ?? 0;
    return { devices, deliveries };
  });
}
