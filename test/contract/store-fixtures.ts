/**
 * The row factories the store conformance suite's parts share (store.contract.ts and
 * claims.contract.ts): call `storeFixtures(() => store)` inside a describe; its sequence restarts
 * at every test, so ids are the same from run to run. Tokens are fake ciphertexts: the store
 * never decrypts.
 */
import type { DeliveryRow, MessageRow, NewDelivery, Store, UpsertDeviceInput } from '../../src/store/types.js';

export const T0 = 1_764_000_000_000;
export const DAY = 86_400_000;
export const LANE = { tenant: 'acme', provider: 'huawei' } as const;

export function storeFixtures(current: () => Store) {
  let seq = 0;
  beforeEach(() => {
    seq = 0;
  });

  const next = () => String(++seq).padStart(6, '0');
  const device = (over: Partial<UpsertDeviceInput> = {}): UpsertDeviceInput => {
    const n = next();
    return { id: `dev_${n}`, tenant: 'acme', provider: 'huawei', tokenEnc: `enc:${n}`, tokenHash: `hash:${n}`, userId: null, extras: null, now: T0, ...over };
  };
  const message = (over: Partial<MessageRow> = {}): MessageRow => ({
    id: `msg_${next()}`,
    tenant: 'acme',
    idempotencyKey: null,
    payload: JSON.stringify({ notification: { title: 'Hi', body: 'there' }, data: {}, options: {} }),
    createdAt: T0,
    expiresAt: null,
    category: null,
    ...over,
  });
  const delivery = (over: Partial<NewDelivery> = {}): NewDelivery => {
    const n = next();
    return { id: `dlv_${n}`, provider: 'huawei', deviceId: null, tokenEnc: `enc:${n}`, tokenHash: `hash:${n}`, extras: null, quotaClass: 'default', registered: false, ...over };
  };
  const deliveries = (count: number, over: Partial<NewDelivery> = {}) => Array.from({ length: count }, () => delivery(over));
  /** Insert a message with `count` deliveries; returns the message and its delivery ids in insertion order. */
  const send = async (count: number, msg: Partial<MessageRow> = {}, over: Partial<NewDelivery> = {}) => {
    const m = message(msg);
    const ds = deliveries(count, over);
    await current().insertMessage(m, ds, null);
    return { message: m, ids: ds.map((x) => x.id) };
  };
  const claim = (s: Store, over: Partial<Parameters<Store['claimBatch']>[0]> = {}) =>
    s.claimBatch({ ...LANE, now: T0, leaseUntil: T0 + 60_000, owner: 'owner-a', limit: 1000, excludeClasses: [], ...over });
  const all = async (tenant: string, messageId: string): Promise<DeliveryRow[]> => current().listDeliveries(tenant, messageId, null, 1_000_000);
  /** One device by lookup hash, through the batch lookup the gateway uses. */
  const byHash = async (tenant: string, provider: string, hash: string) => (await current().findDevicesByHashes(tenant, provider, [hash]))[0] ?? null;
  const counts = async (tenant: string, messageId: string) =>
    Object.fromEntries((await current().messageCounts(tenant, messageId)).map((c) => [`${c.provider}:${c.state}`, c.count]));

  return { next, device, message, delivery, deliveries, send, claim, all, byHash, counts };
}
