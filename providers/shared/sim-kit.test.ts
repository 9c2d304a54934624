import { FaultScript } from './sim-faults.js';
import { TokenIssuer } from './sim-tokens.js';

describe('TokenIssuer', () => {
  test('a token is valid for its lifetime, then expired; revoked tokens are unknown', () => {
    const clock = { now: 1_000 };
    const issuer = new TokenIssuer({ now: () => clock.now, lifetimeMs: 100 });
    const { token, expiresAt } = issuer.issue(undefined);
    expect(expiresAt).toBe(1_100);
    expect(issuer.verify(token)).toEqual({ ok: true, meta: undefined });
    clock.now = 1_100;
    expect(issuer.verify(token)).toEqual({ ok: false, why: 'expired' });
    const second = issuer.issue(undefined).token;
    expect(issuer.valid).toBe(1);
    issuer.expireAll();
    expect(issuer.verify(second)).toEqual({ ok: false, why: 'expired' });
    issuer.revokeAll();
    expect(issuer.verify(second)).toEqual({ ok: false, why: 'unknown' });
    expect(issuer.verify(undefined)).toEqual({ ok: false, why: 'unknown' });
  });
});

describe('FaultScript', () => {
  test('each script answers the next n requests only; resets come before hangs', () => {
    const f = new FaultScript();
    f.throttle(1, 3);
    f.fail(1);
    f.reset(1);
    f.hang(2);
    expect(f.takeThrottle()).toEqual({ retryAfterSeconds: 3 });
    expect(f.takeThrottle()).toBeUndefined();
    expect([f.takeFail(), f.takeFail()]).toEqual([true, false]);
    expect([f.takeTransport(), f.takeTransport(), f.takeTransport(), f.takeTransport()]).toEqual(['reset', 'hang', 'hang', undefined]);
  });
});
