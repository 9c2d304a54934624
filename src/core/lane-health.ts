/**
 * What this instance last saw of each lane's vendor: whether its last exchange worked, whether the
 * vendor refused our credentials (pushgate_provider_up 0), the last failure, and the quota readings
 * the vendor gave in passing (pushgate_quota_remaining). /readyz and GET /v1/lanes list it next to
 * the lane pauses from the store, so an outage is visible without taking the instance out of the
 * load balancer (readiness means "can accept durably", not "every vendor is up").
 *
 * It is per instance: in a cluster each instance reports what its own vendor requests met; the
 * pauses come from the shared store and are the same everywhere.
 */
import type { Metrics } from '../metrics/metrics.js';
import type { LaneKey } from '../store/types.js';

export interface LaneCondition {
  /** False after the vendor refused the lane's credentials, until a send works again. */
  credentialsOk: boolean;
  /** The last vendor exchange gave no verdict (unreachable, 5xx, timeout, credentials refused). */
  failing: boolean;
  lastError: string | null;
  /** When the current failure run started (ms), or null. */
  failingSince: number | null;
  lastSuccessAt: number | null;
}

/** A quota reading of one of the lane's quota classes, and when it was taken (ms). */
export interface QuotaSeen {
  quotaClass: string;
  remaining: number;
  at: number;
}

export class LaneHealth {
  private readonly lanes = new Map<string, LaneCondition>();
  private readonly quotas = new Map<string, Map<string, QuotaSeen>>();

  constructor(private readonly metrics: Metrics) {}

  /** The vendor answered with verdicts (sent, invalid token, rejected): the lane works. */
  ok(lane: LaneKey, at: number): void {
    this.lanes.set(key(lane), { credentialsOk: true, failing: false, lastError: null, failingSince: null, lastSuccessAt: at });
    this.metrics.providerUp.set(lane, 1);
  }

  /** No target got a verdict: the vendor is unreachable or erroring (retries are scheduled). */
  failed(lane: LaneKey, at: number, error: string): void {
    const c = this.get(lane);
    this.lanes.set(key(lane), { ...c, failing: true, lastError: error, failingSince: c.failing ? c.failingSince : at });
  }

  /** The vendor refused the lane's credentials (after one refresh): pushgate_provider_up 0. */
  authFailed(lane: LaneKey, at: number, error: string): void {
    this.failed(lane, at, error);
    this.lanes.set(key(lane), { ...this.get(lane), credentialsOk: false });
    this.metrics.providerUp.set(lane, 0);
  }

  /** The vendor reported a quota class's remaining daily quota (Xiaomi's public messages). */
  quotaSeen(lane: LaneKey, reading: { quotaClass: string; remaining: number }, at: number): void {
    let classes = this.quotas.get(key(lane));
    if (!classes) this.quotas.set(key(lane), (classes = new Map()));
    classes.set(reading.quotaClass, { ...reading, at });
    this.metrics.quotaRemaining.set({ ...lane, class: reading.quotaClass }, reading.remaining);
  }

  /** The last reading of each quota class of the lane (old ones too: the caller knows when the vendor's day ends). */
  quotaReadings(lane: LaneKey): QuotaSeen[] {
    return [...(this.quotas.get(key(lane))?.values() ?? [])];
  }

  get(lane: LaneKey): LaneCondition {
    return this.lanes.get(key(lane)) ?? { credentialsOk: true, failing: false, lastError: null, failingSince: null, lastSuccessAt: null };
  }
}

const key = (lane: LaneKey) => `${lane.tenant}/${lane.provider}`;
