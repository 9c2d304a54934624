/**
 * Vendor delivery receipts: authenticate (vendor signature where there is one, else the per-tenant
 * secret in the callback URL), then apply: delivered → the delivery turns `delivered`; token
 * invalid → the device is pruned.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { canonicalToken, type ReceiptRequest } from '../../providers/types.js';
import type { Metrics } from '../metrics/metrics.js';
import type { TokenCipher } from '../privacy/token-cipher.js';
import type { OutboxWriter, Store } from '../store/types.js';
import { DomainError } from './errors.js';
import type { ProviderHub } from './providers.js';

export class ReceiptService {
  constructor(
    private readonly deps: {
      store: Store;
      hub: ProviderHub;
      cipher: TokenCipher;
      metrics: Metrics;
      now(): number;
      receiptSecret(tenant: string): string | undefined;
      /** Outbox rows (webhooks) for the tenant's changes, written in the store's transactions. */
      outbox?(tenant: string): OutboxWriter | undefined;
    },
  ) {}

  async handle(providerId: string, tenant: string, req: ReceiptRequest): Promise<{ reply: unknown; applied: number }> {
    const channel = this.deps.hub.get(tenant, providerId);
    const handler = channel?.def.receipts;
    // One answer for "no such tenant" and "wrong secret": receipts must not reveal which tenants exist.
    const refuse = () => new DomainError('unauthorized', 'This receipt could not be authenticated: check the callback URL (including its secret) or the vendor callback key.');
    if (!channel) throw refuse();
    if (!handler) throw new DomainError('not_found', `${providerId} sends no delivery receipts to pushgate.`);

    const verdict = handler.verify(req, channel.config, this.deps.now());
    if (verdict === 'invalid') throw refuse();
    if (verdict === 'unsigned') {
      const expected = this.deps.receiptSecret(tenant);
      const given = typeof req.query.secret === 'string' ? req.query.secret : '';
      if (!expected || !sameSecret(given, expected)) throw refuse();
    }

    let events;
    try {
      events = handler.parse(req);
    } catch (err) {
      throw new DomainError('invalid_request', `The ${providerId} receipt body could not be read: ${(err as Error).message}`);
    }
    const { store, cipher, metrics, now } = this.deps;
    const outbox = this.deps.outbox?.(tenant);
    let applied = 0;
    for (const e of events) {
      metrics.receipts.inc({ tenant, provider: providerId, status: e.status });
      const tokenHash = e.token ? cipher.hash(providerId, canonicalToken(channel.def, e.token)) : undefined;
      if (e.status === 'delivered' || e.status === 'clicked') {
        // markReceipt turns only sent (or still sending) rows delivered, so a repeated or clicked
        // receipt for the same delivery is not counted again.
        const turned = (await store.markReceipt({ tenant, provider: providerId, tokenHash, messageId: e.callbackRef, vendorMessageId: e.vendorMessageId }, 'delivered', now(), outbox)).length;
        if (turned) metrics.delivered.inc({ tenant, provider: providerId }, turned);
        applied += turned;
      } else if (e.status === 'invalid_token' && tokenHash) {
        if (await store.deleteDeviceByHash(tenant, providerId, tokenHash, outbox ? { now: now(), outbox } : undefined)) {
          metrics.tokensPruned.inc({ tenant, provider: providerId });
          applied++;
        }
      }
    }
    return { reply: handler.reply ?? { ok: true }, applied };
  }
}

function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
