/**
 * Part of the store conformance suite (store.contract.ts calls it for SQLite and PostgreSQL): the
 * canonical-token migration. Unlike the rest of the suite it uses real ciphertexts, since the
 * migration decrypts them: rows are seeded the way an older pushgate wrote them (APNs tokens
 * hashed in the case the app sent).
 */
import pino from 'pino';
import { apnsProvider } from '../../providers/apns/index.js';
import { huaweiProvider } from '../../providers/huawei/index.js';
import { TokenCipher } from '../../src/privacy/token-cipher.js';
import { migrateTokenForms } from '../../src/store/token-forms.js';
import type { Store } from '../../src/store/types.js';

const T0 = 1_764_000_000_000;
const cipher = new TokenCipher(Buffer.alloc(32, 7));
const lower = '0123456789abcdef'.repeat(4);
const upper = lower.toUpperCase();
const definitions = [huaweiProvider, apnsProvider];

export function describeTokenForms(current: () => Store): void {
  describe('canonical-token migration', () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    /** A device as an older pushgate stored it: the token hashed and encrypted as the app sent it. */
    const seed = async (id: string, token: string, over: { tenant?: string; provider?: string; userId?: string; now?: number } = {}) => {
      const provider = over.provider ?? 'apns';
      const { device } = await store.upsertDevice({
        id,
        tenant: over.tenant ?? 'acme',
        provider,
        tokenEnc: cipher.encrypt(token),
        tokenHash: cipher.hash(provider, token),
        userId: over.userId ?? null,
        extras: provider === 'apns' ? { apns: { environment: 'production' } } : null,
        now: over.now ?? T0,
      });
      return device;
    };
    const migrate = (force = false) => migrateTokenForms({ store, cipher, definitions, logger: pino({ level: 'silent' }), now: () => T0, force });
    const devicesOf = async (tenant: string) =>
      (await store.getDevices(tenant, ['dev_lower', 'dev_upper', 'dev_beta', 'dev_hw', 'dev_late'])).sort((a, b) => a.id.localeCompare(b.id));

    it('merges two devices that differ only by case into the most recently seen one, moving the deliveries to it', async () => {
      await seed('dev_lower', lower, { userId: 'old-user', now: T0 });
      await seed('dev_upper', upper, { userId: 'new-user', now: T0 + 1000 });
      await seed('dev_beta', upper, { tenant: 'beta' }); // another tenant's device is its own
      await seed('dev_hw', `IQAAAACy0${'AbCd'.repeat(10)}`, { provider: 'huawei' }); // case-sensitive: untouched
      const msg = { id: 'msg_1', tenant: 'acme', idempotencyKey: null, payload: '{}', createdAt: T0, expiresAt: null };
      const base = { provider: 'apns', extras: null, quotaClass: 'default', registered: true };
      await store.insertMessage(msg, [
        { ...base, id: 'dlv_1', deviceId: 'dev_lower', tokenEnc: cipher.encrypt(lower), tokenHash: cipher.hash('apns', lower) },
        { ...base, id: 'dlv_2', deviceId: 'dev_upper', tokenEnc: cipher.encrypt(upper), tokenHash: cipher.hash('apns', upper) },
      ], null);
      const hwBefore = (await devicesOf('acme')).find((d) => d.id === 'dev_hw');

      const reports = await migrate();

      expect(reports).toEqual([{ provider: 'apns', version: 2, scanned: 3, rewritten: 1, merged: 1, unreadable: 0, invalid: 0 }]);
      const acme = await devicesOf('acme');
      expect(acme.map((d) => d.id)).toEqual(['dev_hw', 'dev_upper']);
      const kept = acme[1]!;
      expect(kept).toMatchObject({ userId: 'new-user', createdAt: T0, lastSeenAt: T0 + 1000, tokenHash: cipher.hash('apns', lower) });
      expect(cipher.decrypt(kept.tokenEnc)).toBe(lower);
      expect(acme[0]).toEqual(hwBefore);
      // found by the hash of either spelling's canonical form, as registration and sends compute it
      expect((await store.findDevicesByHashes('acme', 'apns', [cipher.hash('apns', lower)])).map((d) => d.id)).toEqual(['dev_upper']);
      const ds = await store.listDeliveries('acme', 'msg_1', null, 10);
      expect(ds.map((d) => [d.id, d.deviceId, d.tokenHash, cipher.decrypt(d.tokenEnc)])).toEqual([
        ['dlv_1', 'dev_upper', cipher.hash('apns', lower), lower],
        ['dlv_2', 'dev_upper', cipher.hash('apns', lower), lower],
      ]);
      const [beta] = await devicesOf('beta');
      expect(beta).toMatchObject({ id: 'dev_beta', tokenHash: cipher.hash('apns', lower) });
      expect(await store.tokenFormVersions()).toEqual(new Map([['apns', 2]]));
    });

    it('is idempotent: recorded, it is skipped; forced again, it changes nothing', async () => {
      await seed('dev_upper', upper, { now: T0 + 1000 });
      await seed('dev_lower', lower);
      await migrate();
      const after = await devicesOf('acme');
      expect(after.map((d) => d.id)).toEqual(['dev_upper']);

      await seed('dev_late', upper.replace('0123', '4567')); // an old instance wrote this after the upgrade
      expect(await migrate()).toEqual([]);
      expect((await devicesOf('acme')).find((d) => d.id === 'dev_late')?.tokenHash).toBe(cipher.hash('apns', upper.replace('0123', '4567')));

      expect(await migrate(true)).toEqual([{ provider: 'apns', version: 2, scanned: 2, rewritten: 1, merged: 0, unreadable: 0, invalid: 0 }]);
      expect(await migrate(true)).toEqual([{ provider: 'apns', version: 2, scanned: 2, rewritten: 0, merged: 0, unreadable: 0, invalid: 0 }]);
      expect((await devicesOf('acme')).find((d) => d.id === 'dev_upper')).toEqual(after[0]);
    });

    it('leaves a row written under another key as it is, and counts it', async () => {
      const other = new TokenCipher(Buffer.alloc(32, 9));
      await store.upsertDevice({ id: 'dev_upper', tenant: 'acme', provider: 'apns', tokenEnc: other.encrypt(upper), tokenHash: other.hash('apns', upper), userId: null, extras: null, now: T0 });
      expect(await migrate()).toEqual([{ provider: 'apns', version: 2, scanned: 1, rewritten: 0, merged: 0, unreadable: 1, invalid: 0 }]);
      expect((await devicesOf('acme'))[0]?.tokenHash).toBe(other.hash('apns', upper));
    });
  });
}
