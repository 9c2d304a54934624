import { expiryEpochSeconds, messageExpiresAt, remainingTtlSeconds } from './ttl.js';

const CREATED = Date.UTC(2025, 2, 10, 4, 0, 0);
const msg = (ttlSeconds: number | undefined) => ({ createdAt: CREATED, options: { priority: 'high' as const, ttlSeconds } });

describe('remainingTtlSeconds', () => {
  it('counts from the message creation, not from the request', () => {
    expect(remainingTtlSeconds(msg(3600), CREATED + 100_000)).toBe(3500);
    expect(remainingTtlSeconds(msg(3600), CREATED)).toBe(3600);
    expect(messageExpiresAt(msg(3600))).toBe(CREATED + 3_600_000);
    expect(expiryEpochSeconds(msg(3600))).toBe(CREATED / 1000 + 3600);
    expect(expiryEpochSeconds(msg(undefined))).toBeUndefined();
  });

  it('rounds down so the vendor never keeps the message past its expiry, but keeps 1 s while time is left', () => {
    expect(remainingTtlSeconds(msg(3600), CREATED + 100_400)).toBe(3499);
    expect(remainingTtlSeconds(msg(3600), CREATED + 3_599_500)).toBe(1);
    expect(remainingTtlSeconds(msg(3600), CREATED + 3_600_000)).toBe(0);
  });

  it('keeps ttl 0 at 0 and gives undefined without a ttl', () => {
    expect(remainingTtlSeconds(msg(0), CREATED + 5000)).toBe(0);
    expect(remainingTtlSeconds(msg(undefined), CREATED + 5000)).toBeUndefined();
    expect(messageExpiresAt(msg(undefined))).toBeUndefined();
  });

  it('applies the vendor minimum and maximum', () => {
    expect(remainingTtlSeconds(msg(3600), CREATED + 3_590_000, { min: 60 })).toBe(60);
    expect(remainingTtlSeconds(msg(2_419_200), CREATED + 100_000, { max: 604_800 })).toBe(604_800);
    expect(remainingTtlSeconds(msg(3600), CREATED + 100_000, { min: 60, max: 604_800 })).toBe(3500);
  });
});
