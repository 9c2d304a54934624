/**
 * A queue engine decides WHEN a lane may make its next vendor request: it enforces the lane's
 * rate (requests per second) and concurrency and wakes lanes when work falls due. WHAT is sent is
 * the dispatcher's business (`LaneRunner`), which claims from the store, so the backlog lives in
 * the store, never in the engine's memory.
 *
 * `local`: p-queue per lane in this process. `redis`: BullMQ per lane, limits cluster-wide.
 */
import type { LaneKey } from '../store/types.js';

export interface LaneSettings extends LaneKey {
  perSecond: number;
  concurrency: number;
}

/**
 * One vendor request's worth of work for a lane. `more`: a batch was sent, call again when the
 * rate allows; `full` false: the batch was smaller than a request holds (its message had no more
 * due), so other runs would likely find nothing (absent: assume full). `idle`: nothing to do
 * before `nextDueAt` (ms epoch; null = until kicked).
 */
export type RunResult = { kind: 'more'; full?: boolean } | { kind: 'idle'; nextDueAt: number | null };
export type LaneRunner = (lane: LaneKey) => Promise<RunResult>;

export interface QueueEngine {
  readonly driver: string;
  start(lanes: LaneSettings[], run: LaneRunner): Promise<void>;
  /**
   * New work may be due in this lane now (a message was accepted, a pause ended). `requests`: how many
   * vendor requests' worth it is, when known (an accepted message); engines may start no more runs
   * than that. Absent: unknown, as many runs as the lane allows.
   */
  kick(lane: LaneKey, requests?: number): void;
  ping(): Promise<void>;
  /** Stop starting work; wait for in-flight runs to finish. */
  stop(): Promise<void>;
}
