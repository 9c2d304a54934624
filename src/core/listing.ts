/**
 * The listings an operator reaches for when pushes fail: a tenant's messages (newest first, with
 * per-state counts), one message's deliveries filtered, the dead-letter view (failed and expired
 * deliveries across the tenant) and a summary by provider × state × error code. Every page is a
 * keyset (src/core/cursor.ts), every query scoped to the caller's tenant, every token masked.
 */
import { maskStored, type TokenCipher } from '../privacy/token-cipher.js';
import { DELIVERY_STATES, type DeliveryRow, type DeliveryState, type MessageRow, type Store, type TimeKey } from '../store/types.js';
import type { AnyProviderDefinition } from '../../providers/types.js';
import { decodeCursor, encodeCursor, type CursorList } from './cursor.js';
import { DomainError } from './errors.js';
import { explainError, type Explanation } from './explanations.js';

/** What a summary covers when the caller names no `since`: "what broke in the last hour". */
export const SUMMARY_DEFAULT_WINDOW_MS = 3600_000;

export interface ListingServiceDeps {
  store: Pick<Store, 'getMessage' | 'listMessages' | 'messageStateCounts' | 'listDeliveries' | 'listDeadLetters' | 'deliverySummary'>;
  cipher: TokenCipher;
  /** The vendors, for their error explanations. */
  definitions: ReadonlyMap<string, Pick<AnyProviderDefinition, 'errors'>>;
  now(): number;
}

interface Page {
  limit: number;
  cursor?: string | undefined;
}

/** GET /v1/messages (times as ISO 8601, already validated by the route). */
export interface MessageListQuery extends Page {
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
  status?: 'in_progress' | 'done' | undefined;
  category?: string | undefined;
}

/** GET /v1/messages/{id}/deliveries */
export interface MessageDeliveriesQuery extends Page {
  state?: DeliveryState | undefined;
  provider?: string | undefined;
  errorCode?: string | undefined;
  vendorCode?: string | undefined;
}

/** GET /v1/deliveries: the dead-letter view; no `state` means failed and expired. */
export interface DeadLetterQuery extends Page {
  state?: 'failed' | 'expired' | undefined;
  since?: string | undefined;
  provider?: string | undefined;
  errorCode?: string | undefined;
  vendorCode?: string | undefined;
}

export interface ListedMessage {
  id: string;
  createdAt: string;
  category: string | null;
  status: 'in_progress' | 'done';
  total: number;
  counts: Record<DeliveryState, number>;
}

export interface ListedDelivery {
  id: string;
  messageId: string;
  provider: string;
  deviceId: string | null;
  token: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt?: string;
  lastError: DeliveryRow['lastError'];
  /** `lastError` in words: what it means and what to do; null without an error or for a code nothing explains. */
  explanation: Explanation | null;
  vendorMessageId: string | null;
  updatedAt: string;
}

export interface DeliverySummary {
  since: string;
  counts: Array<{ provider: string; state: DeliveryState; errorCode: string | null; vendorCode: string | null; count: number; explanation: Explanation | null }>;
}

export class ListingService {
  constructor(private readonly deps: ListingServiceDeps) {}

  /** A tenant's messages, newest first, each with its deliveries counted per state. */
  async messages(tenant: string, q: MessageListQuery): Promise<{ messages: ListedMessage[]; nextCursor: string | null }> {
    const { store } = this.deps;
    const after = cursorOf('messages', q.cursor);
    const filter = { createdFrom: msOf(q.createdFrom), createdTo: msOf(q.createdTo), status: q.status, category: q.category };
    const { rows, more } = page(await store.listMessages(tenant, filter, after, q.limit + 1), q.limit);
    const counts = new Map<string, Record<DeliveryState, number>>(rows.map((m) => [m.id, zeroCounts()]));
    for (const c of await store.messageStateCounts(tenant, rows.map((m) => m.id))) {
      const of = counts.get(c.messageId);
      if (of) of[c.state] += c.count;
    }
    return {
      messages: rows.map((m) => listedMessage(m, counts.get(m.id) ?? zeroCounts())),
      nextCursor: more ? nextCursor('messages', rows, (m) => ({ at: m.createdAt, id: m.id })) : null,
    };
  }

  /** One message's deliveries in id order, filtered by state, provider and `lastError.code`. */
  async messageDeliveries(tenant: string, messageId: string, q: MessageDeliveriesQuery): Promise<{ deliveries: ListedDelivery[]; nextCursor: string | null }> {
    const { store } = this.deps;
    const after = cursorOf('deliveries', q.cursor);
    if (!(await store.getMessage(tenant, messageId))) throw new DomainError('not_found', `No message ${messageId} in your tenant (messages are kept for retention.messageDays).`);
    const filter = { states: q.state ? [q.state] : undefined, provider: q.provider, errorCode: q.errorCode, vendorCode: q.vendorCode };
    const { rows, more } = page(await store.listDeliveries(tenant, messageId, after?.id ?? null, q.limit + 1, filter), q.limit);
    return {
      deliveries: rows.map((d) => this.listedDelivery(d)),
      // A message's deliveries page in id order alone (they share the message's creation time).
      nextCursor: more ? nextCursor('deliveries', rows, (d) => ({ at: 0, id: d.id })) : null,
    };
  }

  /** The dead-letter view: failed and expired deliveries across the tenant, most recently finished first. */
  async deadLetters(tenant: string, q: DeadLetterQuery): Promise<{ deliveries: ListedDelivery[]; nextCursor: string | null }> {
    const { store } = this.deps;
    const after = cursorOf('dead-letters', q.cursor);
    const filter = { states: q.state ? [q.state] : (['failed', 'expired'] as Array<'failed' | 'expired'>), since: msOf(q.since), provider: q.provider, errorCode: q.errorCode, vendorCode: q.vendorCode };
    const { rows, more } = page(await store.listDeadLetters(tenant, filter, after, q.limit + 1), q.limit);
    return {
      deliveries: rows.map((d) => this.listedDelivery(d)),
      nextCursor: more ? nextCursor('dead-letters', rows, (d) => ({ at: d.updatedAt, id: d.id })) : null,
    };
  }

  /** Finished deliveries since `since` (default: the last hour), counted by provider × state × error code. */
  async summary(tenant: string, q: { since?: string | undefined }): Promise<DeliverySummary> {
    const since = msOf(q.since) ?? this.deps.now() - SUMMARY_DEFAULT_WINDOW_MS;
    const rows = await this.deps.store.deliverySummary(tenant, since);
    return { since: new Date(since).toISOString(), counts: rows.map((r) => ({ ...r, explanation: this.explain(r.provider, r.errorCode, r.vendorCode) })) };
  }

  /** A recorded error in words (src/core/explanations.ts). */
  explain(provider: string, errorCode: string | null, vendorCode: string | null | undefined): Explanation | null {
    return explainError(this.deps.definitions.get(provider), errorCode, vendorCode);
  }

  private listedDelivery(d: DeliveryRow): ListedDelivery {
    return {
      id: d.id,
      messageId: d.messageId,
      provider: d.provider,
      deviceId: d.deviceId,
      token: maskStored(this.deps.cipher, d.tokenEnc),
      state: d.state,
      attempts: d.attempts,
      ...(d.state === 'queued' ? { nextAttemptAt: new Date(d.nextAttemptAt).toISOString() } : {}),
      lastError: d.lastError,
      explanation: d.lastError ? this.explain(d.provider, d.lastError.code, d.lastError.vendorCode) : null,
      vendorMessageId: d.vendorMessageId,
      updatedAt: new Date(d.updatedAt).toISOString(),
    };
  }
}

function listedMessage(m: MessageRow, counts: Record<DeliveryState, number>): ListedMessage {
  const total = DELIVERY_STATES.reduce((n, s) => n + counts[s], 0);
  return {
    id: m.id,
    createdAt: new Date(m.createdAt).toISOString(),
    category: m.category ?? null,
    status: counts.queued + counts.sending > 0 ? 'in_progress' : 'done',
    total,
    counts,
  };
}

const zeroCounts = () => Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;

/** One row more than the page was asked for says whether another page follows. */
function page<R>(listed: R[], limit: number): { rows: R[]; more: boolean } {
  return { rows: listed.slice(0, limit), more: listed.length > limit };
}

function nextCursor<R>(list: CursorList, rows: R[], key: (r: R) => TimeKey): string | null {
  const last = rows[rows.length - 1];
  return last === undefined ? null : encodeCursor(list, key(last));
}

/** The route has checked the cursor; a caller that did not gets the same answer. */
function cursorOf(list: CursorList, cursor: string | undefined): TimeKey | null {
  if (cursor === undefined) return null;
  const key = decodeCursor(list, cursor);
  if (!key) throw new DomainError('invalid_request', 'cursor is not a nextCursor of this list; pass nextCursor unchanged, or omit it for the first page.', [{ field: 'query.cursor', message: 'not a cursor of this list' }]);
  return key;
}

const msOf = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));
