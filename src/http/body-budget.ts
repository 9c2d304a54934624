/**
 * A byte budget for request bodies in flight. A body costs memory from its first byte until its
 * answer is sent (the raw text, the parsed objects, the targets built from them: about four times
 * its size for a big send, held until the commit), so concurrent big POSTs would add up with no
 * bound. A request whose body does not fit waits, in arrival order, before its body is read (the
 * socket's back-pressure holds the bytes in the client); it never fails for it. A body larger than
 * the whole budget still goes through, alone.
 */
import type { NextFunction, Request, Response } from 'express';

interface Waiter {
  bytes: number;
  admit(): void;
}

export class BodyBudget {
  private inFlight = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly capacity: number) {}

  /** Bytes held by admitted bodies now. */
  get held(): number {
    return this.inFlight;
  }

  /** Requests waiting for room. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves once `bytes` fit (or nothing else is in flight); the function gives them back, once. */
  acquire(bytes: number): Promise<() => void> {
    return new Promise((resolve) => {
      this.waiting.push({ bytes, admit: () => resolve(this.releaser(bytes)) });
      this.admit();
    });
  }

  private releaser(bytes: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= bytes;
      this.admit();
    };
  }

  /** First come, first served: a big body at the head is not overtaken by small ones forever. */
  private admit(): void {
    for (let head = this.waiting[0]; head; head = this.waiting[0]) {
      if (this.inFlight > 0 && this.inFlight + head.bytes > this.capacity) return;
      this.waiting.shift();
      this.inFlight += head.bytes;
      head.admit();
    }
  }
}

/**
 * The middleware: a request with a body takes its declared length (or `bodyLimit` when the length is
 * unknown or the body is compressed: it may inflate to that) until its response is finished or its
 * connection closes. Only requests that `counts` (a valid API key) take part: a client without a key
 * could otherwise hold the budget with a body it sends slowly and make every send wait behind it.
 * The others are read as before, each within `bodyLimit`, and answered 401 by their route.
 */
export function bodyBudget(budget: BodyBudget, bodyLimit: number, counts: (req: Request) => boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!counts(req)) return next();
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunked = req.headers['transfer-encoding'] !== undefined;
    if (!chunked && !(declared > 0)) return next();
    const encoded = (req.headers['content-encoding'] ?? 'identity') !== 'identity';
    const bytes = chunked || encoded ? bodyLimit : Math.min(declared, bodyLimit);
    void budget.acquire(bytes).then((release) => {
      res.once('finish', release);
      res.once('close', release);
      // The client gave up while it waited: nothing to read or answer.
      if (req.socket.destroyed || res.writableEnded) return release();
      next();
    });
  };
}
