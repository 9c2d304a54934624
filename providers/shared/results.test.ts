import { CredentialError, credentialFailure, httpStatusOutcome, retryAfterOf, sameResult, transportRetry } from './results.js';

const targets = [{ deliveryId: 'd1' }, { deliveryId: 'd2' }];

describe('sameResult', () => {
  it('gives every target the result, leaving out fields that are undefined', () => {
    const out = sameResult(targets, { outcome: 'retry', vendorCode: '500', vendorMessage: undefined, retryAfterMs: 1000 });
    expect(out).toStrictEqual([
      { deliveryId: 'd1', outcome: 'retry', vendorCode: '500', retryAfterMs: 1000 },
      { deliveryId: 'd2', outcome: 'retry', vendorCode: '500', retryAfterMs: 1000 },
    ]);
  });
});

describe('transportRetry', () => {
  it('retries with the bounded reason of the transport error', () => {
    const err = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(transportRetry(err)).toEqual({ outcome: 'retry', vendorMessage: 'transport: econnreset' });
    expect(transportRetry(new Error('x'), (r) => `vivo /message/send: ${r}`)).toEqual({ outcome: 'retry', vendorMessage: 'vivo /message/send: transport' });
  });
});

describe('httpStatusOutcome', () => {
  it.each([
    [429, 'rate_limited'],
    [401, 'auth_error'],
    [403, 'auth_error'],
    [500, 'retry'],
    [503, 'retry'],
    [408, 'retry'],
    [400, 'rejected'],
    [413, 'rejected'],
    [200, 'retry'],
  ])('HTTP %i without a vendor code → %s', (status, outcome) => {
    expect(httpStatusOutcome(status)).toBe(outcome);
  });
});

describe('retryAfterOf', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2025, 0, 1, 0, 0, 0);
    expect(retryAfterOf({ 'retry-after': '7' }, now)).toBe(7000);
    expect(retryAfterOf({ 'retry-after': new Date(now + 30_000).toUTCString() }, now)).toBe(30_000);
    expect(retryAfterOf({}, now)).toBeUndefined();
    expect(retryAfterOf(undefined, now)).toBeUndefined();
  });
});

describe('credentialFailure', () => {
  it('keeps the result a CredentialError carries and retries anything else', () => {
    const err = new CredentialError({ outcome: 'auth_error', vendorCode: '1101', vendorMessage: 'bad client secret' });
    expect(err.message).toBe('bad client secret');
    expect(credentialFailure(err)).toEqual({ outcome: 'auth_error', vendorCode: '1101', vendorMessage: 'bad client secret' });
    expect(credentialFailure(new Error('boom'))).toEqual({ outcome: 'retry', vendorMessage: 'Error: boom' });
  });
});
