/**
 * Part of the store conformance suite (store.contract.ts calls it for SQLite and PostgreSQL): a
 * database that pushgate 0.1 left behind opens with its rows carried over: APNs info into device
 * extras, categories from the stored payloads. Each test makes its own harness from `makeHarness`.
 */
import type { StoreHarness } from './store.contract.js';

/** 0.1 rows with APNs info in the `apns` columns; valid SQL for both SQLite and PostgreSQL. */
const PRE_EXTRAS_ROWS = `
  INSERT INTO devices (id, tenant, provider, token_enc, token_hash, user_id, apns, created_at, last_seen_at) VALUES
    ('dev_ios', 'acme', 'apns', 'enc:ios', 'hash:ios', 'alice', '{"environment":"sandbox","topic":"com.example.app"}', 1, 2),
    ('dev_android', 'acme', 'huawei', 'enc:android', 'hash:android', 'alice', NULL, 1, 2);
  INSERT INTO messages (id, tenant, idempotency_key, payload, created_at, expires_at) VALUES
    ('msg_old', 'acme', NULL, '{"data":{"k":"v"},"options":{"priority":"normal"}}', 1, NULL);
  INSERT INTO deliveries (id, tenant, message_id, provider, device_id, token_enc, token_hash, apns, quota_class, registered, state, attempts, due_at, created_at, updated_at) VALUES
    ('dlv_ios', 'acme', 'msg_old', 'apns', 'dev_ios', 'enc:ios', 'hash:ios', '{"environment":"sandbox","topic":"com.example.app"}', 'default', TRUE, 'queued', 0, 1, 1, 1),
    ('dlv_raw', 'acme', 'msg_old', 'apns', NULL, 'enc:raw', 'hash:raw', '{"environment":"production"}', 'default', FALSE, 'queued', 0, 1, 1, 1),
    ('dlv_android', 'acme', 'msg_old', 'huawei', 'dev_android', 'enc:android', 'hash:android', NULL, 'default', TRUE, 'queued', 0, 1, 1, 1);
`;

export function describeMigrations(makeHarness: () => Promise<StoreHarness>): void {
  describe('migration to device extras', () => {
    it("moves 0.1's APNs info into extras as { apns }, for devices and pending deliveries, and leaves rows without it empty", async () => {
      const legacy = await makeHarness();
      try {
        await legacy.seedPreExtras(PRE_EXTRAS_ROWS);
        const s = await legacy.open();
        try {
          const devices = await s.getDevices('acme', ['dev_ios', 'dev_android']);
          expect(Object.fromEntries(devices.map((x) => [x.id, x.extras]))).toEqual({
            dev_ios: { apns: { environment: 'sandbox', topic: 'com.example.app' } },
            dev_android: null,
          });
          const rows = await s.listDeliveries('acme', 'msg_old', null, 10);
          expect(Object.fromEntries(rows.map((x) => [x.id, x.extras]))).toEqual({
            dlv_android: null,
            dlv_ios: { apns: { environment: 'sandbox', topic: 'com.example.app' } },
            dlv_raw: { apns: { environment: 'production' } },
          });
          // The migrated rows behave like new ones: a refresh replaces the extras.
          const again = await s.upsertDevice({ id: 'dev_new', tenant: 'acme', provider: 'apns', tokenEnc: 'enc:ios', tokenHash: 'hash:ios', userId: 'alice', extras: null, now: 3 });
          expect(again).toMatchObject({ created: false, device: { id: 'dev_ios', extras: null } });
        } finally {
          await s.close();
        }
      } finally {
        await legacy.destroy();
      }
    });

    it('gives messages stored before the category column their category from the payload, so listings filter them', async () => {
      const legacy = await makeHarness();
      try {
        await legacy.seedPreExtras(`
          INSERT INTO messages (id, tenant, idempotency_key, payload, created_at, expires_at) VALUES
            ('msg_im', 'acme', NULL, '{"data":{"k":"v"},"options":{"category":"im","priority":"normal"}}', 1, NULL),
            ('msg_plain', 'acme', NULL, '{"data":{"k":"v"},"options":{"priority":"normal"}}', 2, NULL);`);
        const s = await legacy.open();
        try {
          expect((await s.listMessages('acme', { category: 'im' }, null, 10)).map((m) => m.id)).toEqual(['msg_im']);
          expect((await s.getMessage('acme', 'msg_plain'))?.category).toBeNull();
        } finally {
          await s.close();
        }
      } finally {
        await legacy.destroy();
      }
    });
  });
}
