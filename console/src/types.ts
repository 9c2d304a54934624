/** The shapes of the /v1 answers the console reads (see /openapi.json for the full documents). */

export const DELIVERY_STATES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'expired', 'canceled'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
export type Counts = Record<DeliveryState, number>;

export interface Lane {
  provider: string;
  queued: number;
  sending: number;
  oldestQueuedAt: string | null;
  paused: { reason: string; until: string | null } | null;
  providerUp: boolean;
  lastError: string | null;
  quota: { remaining: number | null; resetsAt: string | null } | null;
  sentLastMinute: number;
}

export interface DeliveryError {
  code: string;
  vendorCode?: string;
  message: string;
}

export interface Delivery {
  id: string;
  messageId?: string;
  provider: string;
  token: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt?: string;
  lastError: DeliveryError | null;
  updatedAt: string;
}

export interface MessageStatus {
  id: string;
  createdAt: string;
  status: 'in_progress' | 'done';
  counts: Counts;
  providers: Record<string, Partial<Counts>>;
  deliveries: Delivery[];
  nextCursor: string | null;
}

export interface ListedMessage {
  id: string;
  createdAt: string;
  category: string | null;
  status: 'in_progress' | 'done';
  total: number;
  counts: Counts;
}

export interface SummaryRow {
  provider: string;
  state: 'sent' | 'delivered' | 'failed' | 'expired' | 'canceled';
  errorCode: string | null;
  count: number;
  /** Added by the console-API work: what the vendor code means and what to do. */
  explanation?: { meaning: string; action: string } | null;
}

export interface Device {
  id: string;
  provider: string;
  token: string;
  userId: string | null;
  createdAt: string;
  lastSeenAt: string;
}

export interface ReplayResult {
  requeued: number;
  skipped: { invalid_token: number; device_removed: number; ttl_passed: number };
  more?: boolean;
}

export interface CancelResult {
  canceled: number;
  in_flight: number;
  recalled: number;
  not_recallable: number;
  recall_failed: number;
  already_final: number;
}
