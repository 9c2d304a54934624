/**
 * A tiny request/response protocol over the Node IPC channel between the bench orchestrator
 * (bench/all.ts and its phases) and its child processes (bench/sim-child.ts, bench/gateway-child.ts,
 * bench/floor.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Request {
  id: number;
  cmd: string;
  arg: unknown;
}

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

type Handler = (arg: never) => unknown;

/** In a child: answer the parent's calls with these handlers. */
export function serve(handlers: Record<string, Handler>): void {
  if (!process.send) throw new Error('bench children must be started with an IPC channel (child_process.fork)');
  const send = (r: Reply) => process.send?.(r);
  process.on('message', (m: Request) => {
    const handler = handlers[m.cmd];
    if (!handler) {
      send({ id: m.id, ok: false, error: `unknown command ${m.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(m.arg as never))
      .then(
        (result) => send({ id: m.id, ok: true, result }),
        (err: unknown) => send({ id: m.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
  // The parent going away (crash, Ctrl-C) must not leave servers running.
  process.on('disconnect', () => process.exit(0));
}

/** In the parent: a forked child that answers `call`s. */
export class Peer {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  private constructor(readonly child: ChildProcess) {
    child.on('message', (r: Reply) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      if (r.ok) w.resolve(r.result);
      else w.reject(new Error(r.error ?? 'child call failed'));
    });
    child.on('exit', (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`bench child exited (code ${String(code)}, signal ${String(signal)})`));
      this.waiting.clear();
    });
  }

  /** Fork a compiled sibling module (e.g. './sim-child.js' next to this file) with these node flags and arguments. */
  static start(moduleName: string, execArgv: string[] = [], args: string[] = []): Peer {
    const file = fileURLToPath(new URL(moduleName, import.meta.url));
    return new Peer(fork(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv }));
  }

  call<T>(cmd: string, arg?: unknown): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, arg } satisfies Request);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** Peak resident set size of this process, sampled every 50 ms. */
export class RssSampler {
  peak = process.memoryUsage.rss();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 50) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    return rss;
  }

  /** Start a new measurement window; returns the peak of the one that ends. */
  reset(): number {
    const was = Math.max(this.peak, this.sample());
    this.peak = process.memoryUsage.rss();
    return was;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export interface RssReading {
  current: number;
  peak: number;
}
