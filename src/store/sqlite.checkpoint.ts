/**
 * WAL checkpoints mostly off the event loop (issue 11). SQLite's automatic checkpoint runs inside the
 * commit that pushes the WAL past 1000 pages: it copies those pages into the database file and fsyncs
 * the WAL and the database, on the main thread (synchronous=NORMAL makes those the only fsyncs a commit
 * ever waits for). With single-target sends that was one commit in a few hundred taking 20–40 ms on
 * this machine's disk, holding every accepted message, claim and completion behind it.
 *
 * A worker_thread with its own connection now runs a PASSIVE checkpoint every INTERVAL_MS: it copies
 * and fsyncs what the WAL holds without waiting for or blocking the writer. What it cannot do under a
 * steady stream of commits is let the WAL start over: a writer wraps the WAL back to its start only
 * when every frame was copied, and new commits keep landing while the worker copies and fsyncs. So the
 * main connection keeps SQLite's automatic checkpoint, at MAIN_CHECKPOINT_FRAMES instead of 1000: by
 * then the worker has copied all but the last interval's frames, the main checkpoint copies only
 * those, and the next commit starts the WAL over. That bounds the WAL exactly as SQLite's default does
 * (at 16 MB instead of 4 MB), leaves the main thread one short checkpoint per 16 MB of writes instead
 * of four long ones, and if the worker fails nothing is left unchecked. Durability is unchanged: a
 * commit is in the WAL either way, and every checkpoint fsyncs as before.
 *
 * The worker is plain CommonJS evaluated from a string rather than a module file: it loads nothing of
 * pushgate, and the same code then runs from dist/ and under jest (which runs the TypeScript sources).
 */
import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker checkpoints. */
const INTERVAL_MS = 200;
/** 16 MB of 4 KB pages before the main connection checkpoints what the worker left. */
const MAIN_CHECKPOINT_FRAMES = 4096;

const WORKER = `
const { parentPort, workerData: w } = require('node:worker_threads');
const Database = require(w.driver);
const db = new Database(w.file, { fileMustExist: true });
let timer;
const round = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    if (err.code !== 'SQLITE_BUSY') throw err;
  }
  timer = setTimeout(round, w.intervalMs);
};
parentPort.on('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
round();
`;

export class WalCheckpointer {
  private constructor(
    private readonly worker: Worker,
    private readonly exited: Promise<void>,
  ) {}

  /** Let a worker thread do most of the checkpointing of `db` (a WAL-mode file). */
  static start(db: Database.Database, file: string): WalCheckpointer {
    db.pragma(`wal_autocheckpoint = ${MAIN_CHECKPOINT_FRAMES}`);
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER, { eval: true, workerData: { driver, file, intervalMs: INTERVAL_MS } });
    worker.unref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // A failed worker (its connection could not open, a disk error): the main connection checkpoints as SQLite does by default.
    worker.on('error', () => {
      if (db.open) db.pragma('wal_autocheckpoint = 1000');
    });
    return new WalCheckpointer(worker, exited);
  }

  /** Close the worker's connection before the main one, so the last close still checkpoints and removes the WAL. */
  async stop(): Promise<void> {
    this.worker.ref(); // an unref'd worker would let the process exit before the close finished
    this.worker.postMessage('stop');
    await this.exited;
  }
}
