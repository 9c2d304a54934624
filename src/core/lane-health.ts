/**
 * What this instance last saw of each lane's vendor: whether its last exchange worked, whether the
 * vendor refused our credentials (pushgate_provider_up 0), and the last failure. /readyz lists it
 * next to the lane pauses from the store, so an outage is visible without taking the instance out
 * of the load balancer (readiness means "can accept durably", not "every vendor is up").
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

export class LaneHealth {
  private readonly lanes = new Map<string, LaneCondition>();

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

  get(lane: LaneKey): LaneCondition {
    return this.lanes.get(key(lane)) ?? { credentialsOk: true, failing: false, lastError: null, failingSince: null, lastSuccessAt: null };
  }
}

const key = (lane: LaneKey) => `${lane.tenant}/${lane.provider}`;
