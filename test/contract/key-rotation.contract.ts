/**
 * Part of the store conformance suite (store.contract.ts calls it for SQLite and PostgreSQL):
 * encryption-key rotation (store/key-rotation.ts). Real ciphertexts: rows are written under key 1
 * the way every pushgate before rotation wrote them, then rotated to key 2.
 */
import { TokenCipher } from '../../src/privacy/token-cipher.js';
import { rotateTokenKeys } from '../../src/store/key-rotation.js';
import type { Store } from '../../src/store/types.js';

const T0 = 1_764_000_000_000;
const K1 = Buffer.alloc(32, 1);
const K2 = Buffer.alloc(32, 2);
const before = new TokenCipher(K1);
/** Key 2 encrypts, key 1 still decrypts; the lookup hash stays keyed by key 1's secret. */
const during = new TokenCipher([{ id: 2, secret: K2 }, { id: 1, secret: K1 }], K1);
/** Key 1 removed from the configuration. */
const after = new TokenCipher([{ id: 2, secret: K2 }], K1);
const tok = (n: number) => `token-${String(n).padStart(4, '0')}-${'x'.repeat(40)}`;

export function describeKeyRotation(current: () => Store): void {
  describe('encryption-key rotation', () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    const seedDevice = (id: string, token: string, cipher = before, tenant = 'acme') =>
      store.upsertDevice({ id, tenant, provider: 'fcm', tokenEnc: cipher.encrypt(token), tokenHash: cipher.hash('fcm', token), userId: 'u1', extras: null, now: T0 });
    /** Three deliveries: one of a device, one to an unregistered token, one of the device already final. */
    const seedMessage = async () => {
      const base = { provider: 'fcm', extras: null, quotaClass: 'default' };
      await store.insertMessage({ id: 'msg_1', tenant: 'acme', idempotencyKey: null, payload: '{}', createdAt: T0, expiresAt: null }, [
        { ...base, id: 'dlv_1', deviceId: 'dev_1', registered: true, tokenEnc: before.encrypt(tok(1)), tokenHash: before.hash('fcm', tok(1)) },
        { ...base, id: 'dlv_2', deviceId: null, registered: false, tokenEnc: before.encrypt(tok(9)), tokenHash: before.hash('fcm', tok(9)) },
      ], null);
    };
    /** msg_1's deliveries (listing turns its targets still in chunks into rows). */
    const allDeliveries = async () => (await store.listDeliveries('acme', 'msg_1', null, 1000)).map((d) => ({ id: d.id, tokenEnc: d.tokenEnc, tokenHash: d.tokenHash }));
    const claim = (limit: number) => store.claimBatch({ tenant: 'acme', provider: 'fcm', now: T0, leaseUntil: T0 + 60_000, owner: 'lane', limit, excludeClasses: [] });
    const chunks = () => store.scanChunkTokens(null, 1000);

    it('re-encrypts devices and deliveries under the first key, keeps every lookup hash, and a second run finds nothing to do', async () => {
      for (let i = 1; i <= 5; i++) await seedDevice(`dev_${i}`, tok(i));
      await seedMessage();

      const report = await rotateTokenKeys({ store, cipher: during, pageSize: 2 });
      expect(report.devices).toEqual({ scanned: 5, rewritten: 5, merged: 0, changedMeanwhile: 0 });
      // Both targets are still in their chunk (no lane claimed them): rewritten there, by the chunk pass.
      expect(report.deliveries).toEqual({ scanned: 2, rewritten: 2, merged: 0, changedMeanwhile: 0 });
      expect(report.unreadable).toEqual({});

      const devices = await store.findDevicesByHashes('acme', 'fcm', [1, 2, 3, 4, 5].map((i) => before.hash('fcm', tok(i))));
      expect(devices.map((d) => [d.id, after.keyIdOf(d.tokenEnc), after.decrypt(d.tokenEnc)]).sort()).toEqual([1, 2, 3, 4, 5].map((i) => [`dev_${i}`, 2, tok(i)]));
      expect((await allDeliveries()).map((d) => [d.id, after.decrypt(d.tokenEnc), d.tokenHash])).toEqual([
        ['dlv_1', tok(1), before.hash('fcm', tok(1))],
        ['dlv_2', tok(9), before.hash('fcm', tok(9))],
      ]);

      const again = await rotateTokenKeys({ store, cipher: during });
      expect([again.devices.rewritten, again.deliveries.rewritten]).toEqual([0, 0]);
      expect((await rotateTokenKeys({ store, cipher: after, check: true })).devices.rewritten).toBe(0);
    });

    it('in check mode counts what is left and writes nothing', async () => {
      await seedDevice('dev_1', tok(1));
      await seedMessage();
      const report = await rotateTokenKeys({ store, cipher: during, check: true });
      expect([report.devices.rewritten, report.deliveries.rewritten]).toEqual([1, 2]);
      expect((await allDeliveries()).map((d) => before.keyIdOf(d.tokenEnc))).toEqual([1, 1]);
      expect(before.keyIdOf((await store.getDevices('acme', ['dev_1']))[0]!.tokenEnc)).toBe(1);
    });

    it('re-encrypts targets no lane has claimed yet inside their chunks, and in check mode before that writes nothing', async () => {
      await seedDevice('dev_1', tok(1));
      await seedMessage();
      const stored = await chunks();
      expect(stored.flatMap((c) => c.tokens.map((t) => t.id))).toEqual(['dlv_1', 'dlv_2']);

      const check = await rotateTokenKeys({ store, cipher: during, check: true });
      expect(check.deliveries).toEqual({ scanned: 2, rewritten: 2, merged: 0, changedMeanwhile: 0 });
      expect(await chunks()).toEqual(stored);
      expect(await store.scanDeliveryTokens(null, 1000)).toEqual([]);
      expect(await store.pendingCount('acme')).toBe(2);
      // A lane claims one target after the check: it still carries key 1, and is a row from now on.
      const first = await claim(1);
      expect(first?.deliveries.map((d) => [d.id, during.keyIdOf(d.tokenEnc)])).toEqual([['dlv_1', 1]]);

      const report = await rotateTokenKeys({ store, cipher: during, pageSize: 1 });
      // dlv_2 in its chunk; dlv_1 (a row now) moved with its device, as the row pass then finds.
      expect(report.deliveries).toEqual({ scanned: 2, rewritten: 1, merged: 0, changedMeanwhile: 0 });
      expect((await chunks()).map((c) => c.chunkId)).toEqual(stored.map((c) => c.chunkId));
      expect((await store.scanDeliveryTokens(null, 1000)).map((d) => [d.id, after.keyIdOf(d.tokenEnc), after.decrypt(d.tokenEnc)])).toEqual([['dlv_1', 2, tok(1)]]);
      const rest = await claim(10);
      expect(rest?.deliveries.map((d) => [d.id, after.keyIdOf(d.tokenEnc), after.decrypt(d.tokenEnc), d.tokenHash])).toEqual([['dlv_2', 2, tok(9), before.hash('fcm', tok(9))]]);
      expect((await rotateTokenKeys({ store, cipher: after, check: true })).deliveries).toMatchObject({ rewritten: 0 });
    });

    it('leaves a row the gateway changed since it was read (its ciphertext is re-checked in the transaction)', async () => {
      const { device } = await seedDevice('dev_1', tok(1));
      await seedMessage();
      // Rows (the targets a lane claimed): chunk targets are re-checked the same way (chunks.contract.ts).
      const [stale] = (await claim(10))!.deliveries;
      // A registration re-wrote the device (same token, new ciphertext) after the rotation read it.
      await seedDevice('dev_1', tok(1), during);
      const next = { tokenEnc: during.encrypt(tok(1)), tokenHash: device.tokenHash };
      expect(await store.rewriteDeviceTokens('fcm', [{ id: 'dev_1', fromHash: device.tokenHash, fromEnc: device.tokenEnc, ...next }])).toEqual({ rewritten: 0, merged: 0 });
      expect(await store.rewriteDeliveryTokens([{ id: stale!.id, fromEnc: 'v1.not.what.it.was', ...next }])).toBe(0);
      expect(await store.rewriteDeliveryTokens([{ id: stale!.id, fromEnc: stale!.tokenEnc, ...next }])).toBe(1);
    });

    it('reports rows under a key that is not configured by its id and leaves them as they are', async () => {
      await seedDevice('dev_1', tok(1), new TokenCipher([{ id: 7, secret: Buffer.alloc(32, 7) }], K1));
      await seedDevice('dev_2', tok(2));
      const report = await rotateTokenKeys({ store, cipher: after });
      expect(report.unreadable).toEqual({ 7: 1, 1: 1 });
      expect(report.devices.rewritten).toBe(0);
    });

    it('with a new lookup key, rehashes every row and merges a device registered twice meanwhile', async () => {
      const rehashed = new TokenCipher([{ id: 2, secret: K2 }, { id: 1, secret: K1 }], K2);
      await seedDevice('dev_1', tok(1));
      await seedDevice('dev_2', tok(2));
      await seedMessage();
      // The same token registered again under the new lookup key before the rotation reached it.
      await store.upsertDevice({ id: 'dev_1b', tenant: 'acme', provider: 'fcm', tokenEnc: rehashed.encrypt(tok(1)), tokenHash: rehashed.hash('fcm', tok(1)), userId: 'u1', extras: null, now: T0 + 1000 });
      const report = await rotateTokenKeys({ store, cipher: rehashed });
      expect(report.devices).toMatchObject({ scanned: 3, rewritten: 1, merged: 1 });
      const found = await store.findDevicesByHashes('acme', 'fcm', [rehashed.hash('fcm', tok(1)), rehashed.hash('fcm', tok(2))]);
      expect(found.map((d) => d.id).sort()).toEqual(['dev_1b', 'dev_2']);
      expect((await allDeliveries()).map((d) => [d.id, d.tokenHash])).toEqual([
        ['dlv_1', rehashed.hash('fcm', tok(1))],
        ['dlv_2', rehashed.hash('fcm', tok(9))],
      ]);
    });
  });
}
