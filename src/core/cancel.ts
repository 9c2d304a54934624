/**
 * Cancel: DELETE /v1/messages/{id}. Queued deliveries, and deliveries claimed but not yet handed to
 * the vendor, become `canceled` (final) in one store statement, so no instance sends them: the
 * dispatcher's hand-off (store.startSending) finds them gone. A batch already handed off finishes and
 * is counted `in_flight`. Deliveries already sent are recalled where the provider can
 * (`PushProvider.recall`, HarmonyOS today) and become `canceled` with last error `recalled`; the rest
 * are `not_recallable`, and `recall_failed` when the vendor could not be reached (calling again retries).
 * Calling it again is harmless: what is final stays final.
 */
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics.js';
import type { TokenCipher } from '../privacy/token-cipher.js';
import type { DeliveryRow, OutboxWriter, Store } from '../store/types.js';
import { DomainError } from './errors.js';
import { readStoredMessage } from './payload.js';
import type { ProviderHub } from './providers.js';

const PAGE = 2000;

export interface CancelAnswer {
  id: string;
  /** Queued (or claimed, not yet handed off) deliveries that will never be sent. */
  canceled: number;
  /** Handed to the vendor when the cancel came: they finish as they would have. */
  in_flight: number;
  /** Sent deliveries the vendor took back. */
  recalled: number;
  /** Sent deliveries the vendor cannot take back (no recall, or nothing left to recall). */
  not_recallable: number;
  /** Sent deliveries whose recall did not go through (auth, network); DELETE again to retry. */
  recall_failed: number;
  /** Already failed, expired or canceled before this call. */
  already_final: number;
}

export interface CancelServiceDeps {
  store: Pick<Store, 'getMessage' | 'cancelDeliveries' | 'messageCounts' | 'listDeliveries' | 'markRecalled'>;
  hub: ProviderHub;
  cipher: TokenCipher;
  metrics: Pick<Metrics, 'deliveries' | 'recalls'>;
  logger: Logger;
  now(): number;
  /** The tenant's webhook outbox writer: a cancel that leaves nothing queued or sending writes `message.completed`. */
  outbox?(tenant: string): OutboxWriter | undefined;
}

export class CancelService {
  constructor(private readonly deps: CancelServiceDeps) {}

  async cancel(tenant: string, messageId: string): Promise<CancelAnswer> {
    const { store, metrics, now } = this.deps;
    const message = await store.getMessage(tenant, messageId);
    if (!message) throw new DomainError('not_found', `No message ${messageId} in your tenant (messages are kept for retention.messageDays).`);

    const canceled = await store.cancelDeliveries(tenant, messageId, now(), this.deps.outbox?.(tenant));
    const perProvider = new Map<string, number>();
    for (const c of canceled) perProvider.set(c.provider, (perProvider.get(c.provider) ?? 0) + 1);
    for (const [provider, n] of perProvider) metrics.deliveries.inc({ tenant, provider, state: 'canceled' }, n);

    const counts = { queued: 0, sending: 0, failed: 0, expired: 0, canceled: 0 };
    for (const c of await store.messageCounts(tenant, messageId)) if (c.state in counts) counts[c.state as keyof typeof counts] += c.count;
    const recall = await this.recallSent(tenant, message.id, message.createdAt, message.payload);
    const answer: CancelAnswer = {
      id: messageId,
      canceled: canceled.length,
      in_flight: counts.sending + counts.queued,
      ...recall,
      already_final: counts.failed + counts.expired + counts.canceled - canceled.length,
    };
    return answer;
  }

  /** Sent and delivered deliveries: recalled per provider where it can, in pages. */
  private async recallSent(tenant: string, messageId: string, createdAt: number, payload: string): Promise<Pick<CancelAnswer, 'recalled' | 'not_recallable' | 'recall_failed'>> {
    const { store, hub, cipher, metrics, now } = this.deps;
    const out = { recalled: 0, not_recallable: 0, recall_failed: 0 };
    const stored = readStoredMessage(messageId, createdAt, payload);
    const count = (provider: string, outcome: 'recalled' | 'not_recallable' | 'failed', n: number) => {
      if (!n) return;
      metrics.recalls.inc({ tenant, provider, outcome }, n);
      out[outcome === 'failed' ? 'recall_failed' : outcome] += n;
    };
    for (let after: string | null = null; ; ) {
      const page: DeliveryRow[] = await store.listDeliveries(tenant, messageId, after, PAGE, { states: ['sent', 'delivered'] });
      const byProvider = new Map<string, DeliveryRow[]>();
      for (const d of page) byProvider.set(d.provider, [...(byProvider.get(d.provider) ?? []), d]);
      for (const [provider, rows] of byProvider) {
        const channel = hub.get(tenant, provider);
        if (!channel?.provider.recall) {
          count(provider, 'not_recallable', rows.length);
          continue;
        }
        const tokens = new Map<string, string[]>();
        let unreadable = 0;
        for (const d of rows) {
          try {
            const token = cipher.decrypt(d.tokenEnc);
            tokens.set(token, [...(tokens.get(token) ?? []), d.id]);
          } catch {
            unreadable += 1; // an erased user's row: nothing to address
          }
        }
        count(provider, 'not_recallable', unreadable);
        const overrides = stored.overridesOf(channel.def);
        let results: Awaited<ReturnType<NonNullable<typeof channel.provider.recall>>>;
        try {
          results = tokens.size ? await channel.provider.recall({ message: stored.message, overrides: overrides.ok ? overrides.value : undefined, tokens: [...tokens.keys()] }) : [];
        } catch (err) {
          this.deps.logger.warn({ err, tenant, provider }, 'recall threw; reported as recall_failed');
          results = [...tokens.keys()].map((token) => ({ token, outcome: 'failed' as const }));
        }
        const byToken = new Map(results.map((r) => [r.token, r.outcome]));
        const recalled: string[] = [];
        let notRecallable = 0;
        let failed = 0;
        for (const [token, ids] of tokens) {
          const outcome = byToken.get(token) ?? 'failed';
          if (outcome === 'recalled') recalled.push(...ids);
          else if (outcome === 'not_recallable') notRecallable += ids.length;
          else failed += ids.length;
        }
        count(provider, 'recalled', await store.markRecalled(tenant, recalled, now()));
        count(provider, 'not_recallable', notRecallable);
        count(provider, 'failed', failed);
      }
      const last = page[page.length - 1];
      if (!last || page.length < PAGE) break;
      after = last.id;
    }
    return out;
  }
}
