/**
 * Group commit for the SQLite store: writes that arrive together share one transaction (one WAL
 * commit), each inside its own savepoint so one failure never takes the others with it. Every caller
 * is answered only after the commit that holds its rows.
 *
 * When "together" ends is the schedule: `setImmediate` gathers a whole event-loop turn (accepted
 * messages from many connections, lane completions); `process.nextTick` gathers only what one chain
 * of callbacks issues (the runs a lane starts at once) and commits before any I/O, so a claim or a
 * hand-off never waits a turn in front of the vendor request (issue 11: with lanes running, a
 * commit per claim, hand-off and completion was most of what a single-target message cost).
 */
import type Database from 'better-sqlite3';
import { inTransaction } from './sqlite.sql.js';

interface Pending {
  run: () => unknown;
  resolve(o: unknown): void;
  reject(err: unknown): void;
}

export class GroupCommit {
  private readonly pending: Pending[] = [];

  constructor(
    private readonly db: Database.Database,
    private readonly schedule: (flush: () => void) => void,
  ) {}

  add<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve: resolve as (o: unknown) => void, reject });
      if (this.pending.length === 1) this.schedule(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending.splice(0);
    const outcomes: Array<{ ok: unknown } | { err: unknown }> = [];
    try {
      inTransaction(this.db, () => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: inTransaction(this.db, item.run, 'deferred') }); // nested: a savepoint
          } catch (err) {
            outcomes.push({ err });
          }
        }
      });
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i];
      if (o && 'ok' in o) item.resolve(o.ok);
      else item.reject(o?.err);
    });
  }
}
