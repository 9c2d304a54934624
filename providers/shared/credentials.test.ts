import { CredentialCache, type FetchedCredential } from './credentials.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const HOUR = 3_600_000;
const MARGIN = 5 * 60_000;

/** A cache whose every fetch is a deferred the test settles, on a clock the test moves. */
function setup(opts: { margin?: number; onRenewError?: (err: unknown) => void } = {}) {
  let clock = 1_000_000;
  const fetches: Array<Deferred<FetchedCredential<string>>> = [];
  const cache = new CredentialCache<string>({
    fetch: () => {
      const d = deferred<FetchedCredential<string>>();
      fetches.push(d);
      return d.promise;
    },
    now: () => clock,
    refreshMarginMs: opts.margin ?? MARGIN,
    ...(opts.onRenewError ? { onRenewError: opts.onRenewError } : {}),
  });
  return {
    cache,
    fetches,
    now: () => clock,
    advance(ms: number) {
      clock += ms;
    },
    /** Settle fetch `i` with `value`, valid for `lifetime` from the current clock. */
    answer(i: number, value: string, lifetime = HOUR, renewAt?: number) {
      fetches[i]!.resolve({ value, expiresAt: clock + lifetime, ...(renewAt !== undefined ? { renewAt } : {}) });
    },
  };
}

describe('CredentialCache', () => {
  it('makes one fetch for many concurrent callers and gives them all its value', async () => {
    const t = setup();
    const waiting = Array.from({ length: 10 }, () => t.cache.get());
    expect(t.fetches).toHaveLength(1);
    t.answer(0, 'tok-1');
    await expect(Promise.all(waiting)).resolves.toEqual(Array(10).fill('tok-1'));
  });

  it('answers from the cache until the refresh margin before expiry, then fetches again', async () => {
    const t = setup();
    const first = t.cache.get();
    t.answer(0, 'tok-1');
    await first;
    t.advance(HOUR - MARGIN - 1);
    await expect(t.cache.get()).resolves.toBe('tok-1');
    expect(t.fetches).toHaveLength(1);
    t.advance(1);
    const second = t.cache.get();
    expect(t.fetches).toHaveLength(2);
    t.answer(1, 'tok-2');
    await expect(second).resolves.toBe('tok-2');
  });

  it('keeps a short-lived credential for half its lifetime when the margin is longer', async () => {
    const t = setup({ margin: 5 * 60_000 });
    const first = t.cache.get();
    t.answer(0, 'short', 4 * 60_000);
    await first;
    t.advance(2 * 60_000 - 1);
    await expect(t.cache.get()).resolves.toBe('short');
    t.advance(1);
    void t.cache.get();
    expect(t.fetches).toHaveLength(2);
  });

  it('counts the lifetime from the start of the fetch, not from its answer', async () => {
    const t = setup();
    const first = t.cache.get();
    t.advance(10 * 60_000); // a slow token endpoint
    t.fetches[0]!.resolve({ value: 'tok-1', expiresAt: t.now() - 10 * 60_000 + HOUR });
    await first;
    t.advance(HOUR - MARGIN - 10 * 60_000);
    void t.cache.get();
    expect(t.fetches).toHaveLength(2);
  });

  it('does not cache a failure: every waiting caller gets the error and the next get() fetches again', async () => {
    const t = setup();
    const a = t.cache.get();
    const b = t.cache.get();
    t.fetches[0]!.reject(new Error('refused'));
    await expect(a).rejects.toThrow('refused');
    await expect(b).rejects.toThrow('refused');
    const c = t.cache.get();
    expect(t.fetches).toHaveLength(2);
    t.answer(1, 'tok-2');
    await expect(c).resolves.toBe('tok-2');
  });

  it('invalidate() makes the next get() fetch a new credential', async () => {
    const t = setup();
    const first = t.cache.get();
    t.answer(0, 'tok-1');
    await first;
    t.cache.invalidate();
    const next = t.cache.get();
    expect(t.fetches).toHaveLength(2);
    t.answer(1, 'tok-2');
    await expect(next).resolves.toBe('tok-2');
    await expect(t.cache.get()).resolves.toBe('tok-2');
  });

  it('refresh() fetches at once and caches the new value', async () => {
    const t = setup();
    const first = t.cache.get();
    t.answer(0, 'tok-1');
    await first;
    const refreshed = t.cache.refresh();
    expect(t.fetches).toHaveLength(2);
    t.answer(1, 'tok-2');
    await expect(refreshed).resolves.toBe('tok-2');
    await expect(t.cache.get()).resolves.toBe('tok-2');
    expect(t.fetches).toHaveLength(2);
  });

  it('never lets a fetch started before an invalidate overwrite the newer credential when it resolves late', async () => {
    const t = setup();
    const stale = t.cache.get(); // fetch 0, with the credentials about to be refused
    t.cache.invalidate();
    const fresh = t.cache.get(); // fetch 1
    expect(t.fetches).toHaveLength(2);
    t.answer(1, 'fresh');
    await expect(fresh).resolves.toBe('fresh');
    t.answer(0, 'stale'); // the old fetch answers last
    await expect(stale).resolves.toBe('stale');
    await expect(t.cache.get()).resolves.toBe('fresh');
    expect(t.fetches).toHaveLength(2);
  });

  it('never caches a fetch started before a refresh(), even when nothing newer arrived yet', async () => {
    const t = setup();
    const stale = t.cache.get();
    const refreshed = t.cache.refresh();
    t.answer(0, 'stale');
    await stale;
    const after = t.cache.get(); // must join the refresh's fetch, not answer 'stale'
    expect(t.fetches).toHaveLength(2);
    t.answer(1, 'fresh');
    await expect(refreshed).resolves.toBe('fresh');
    await expect(after).resolves.toBe('fresh');
  });

  it('invalidate(rejected) drops only that value: a token already replaced is kept', async () => {
    const t = setup();
    const first = t.cache.get();
    t.answer(0, 'tok-1');
    await first;
    t.cache.invalidate('tok-1');
    const second = t.cache.get();
    t.answer(1, 'tok-2');
    await second;
    t.cache.invalidate('tok-1'); // a second batch that failed with tok-1 reports late
    await expect(t.cache.get()).resolves.toBe('tok-2');
    expect(t.fetches).toHaveLength(2);
  });

  it('from renewAt answers with the current value and renews once in the background', async () => {
    const t = setup({ margin: 10 * 60_000 });
    const first = t.cache.get();
    t.answer(0, 'tok-1', 24 * HOUR, t.now() + HOUR);
    await first;
    t.advance(HOUR);
    await expect(t.cache.get()).resolves.toBe('tok-1');
    await expect(t.cache.get()).resolves.toBe('tok-1');
    expect(t.fetches).toHaveLength(2);
    t.answer(1, 'tok-2', 24 * HOUR);
    await t.fetches[1]!.promise;
    await expect(t.cache.get()).resolves.toBe('tok-2');
  });

  it('keeps the current value when a background renewal fails, reports it and tries again later', async () => {
    const errors: unknown[] = [];
    const t = setup({ margin: 10 * 60_000, onRenewError: (e) => errors.push(e) });
    const first = t.cache.get();
    t.answer(0, 'tok-1', 24 * HOUR, t.now() + HOUR);
    await first;
    t.advance(HOUR);
    await t.cache.get();
    const failure = new Error('auth endpoint down');
    t.fetches[1]!.reject(failure);
    await t.fetches[1]!.promise.catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    expect(errors).toEqual([failure]);
    await expect(t.cache.get()).resolves.toBe('tok-1');
    expect(t.fetches).toHaveLength(3);
  });
});
