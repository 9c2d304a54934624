import { AccessTokenCache, type IssuedToken } from './honor.credentials.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('AccessTokenCache', () => {
  it('shares one request between concurrent callers and caches the answer', async () => {
    let calls = 0;
    const d = deferred<IssuedToken>();
    const cache = new AccessTokenCache(() => {
      calls += 1;
      return d.promise;
    }, () => 0);
    const both = Promise.all([cache.get(), cache.get()]);
    d.resolve({ value: 't1', expiresInSeconds: 3600 });
    expect(await both).toEqual(['t1', 't1']);
    expect(await cache.get()).toBe('t1');
    expect(calls).toBe(1);
  });

  it('refreshes five minutes before expiry, and at half-life for short tokens', async () => {
    let clock = 1_000_000;
    let n = 0;
    const cache = new AccessTokenCache(async () => ({ value: `t${++n}`, expiresInSeconds: n === 1 ? 3600 : 60 }), () => clock);
    expect(await cache.get()).toBe('t1');
    clock += (3600 - 5 * 60) * 1000 - 1;
    expect(await cache.get()).toBe('t1');
    clock += 1;
    expect(await cache.get()).toBe('t2');
    clock += 29_999;
    expect(await cache.get()).toBe('t2');
    clock += 1;
    expect(await cache.get()).toBe('t3');
  });

  it('assumes 3600 s when the answer gives no lifetime', async () => {
    let clock = 0;
    let n = 0;
    const cache = new AccessTokenCache(async () => ({ value: `t${++n}` }), () => clock);
    await cache.get();
    clock = 3_300_000 - 1;
    expect(await cache.get()).toBe('t1');
    clock += 1;
    expect(await cache.get()).toBe('t2');
  });

  it('fetches a new token after invalidate, and does not cache one that was in flight before it', async () => {
    const answers = [deferred<IssuedToken>(), deferred<IssuedToken>()];
    let i = 0;
    const cache = new AccessTokenCache(() => answers[i++]!.promise, () => 0);
    const old = cache.get();
    cache.invalidate();
    const fresh = cache.get();
    answers[0]!.resolve({ value: 'stale', expiresInSeconds: 3600 });
    answers[1]!.resolve({ value: 'new', expiresInSeconds: 3600 });
    expect(await old).toBe('stale');
    expect(await fresh).toBe('new');
    expect(await cache.get()).toBe('new');
    expect(i).toBe(2);
  });

  it('does not cache a failure: the next get asks again', async () => {
    let n = 0;
    const cache = new AccessTokenCache(async () => {
      n += 1;
      if (n === 1) throw new Error('down');
      return { value: 'ok', expiresInSeconds: 3600 };
    }, () => 0);
    await expect(cache.get()).rejects.toThrow('down');
    expect(await cache.get()).toBe('ok');
  });
});
