import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { ApnsProviderToken, PROVIDER_TOKEN_MAX_AGE_MS } from './apns.jwt.js';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function decode(authorization: string) {
  const [header, claims, signature] = authorization.replace(/^bearer /, '').split('.') as [string, string, string];
  const valid = verify('sha256', Buffer.from(`${header}.${claims}`), { key: createPublicKey(privateKey), dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  return { header: JSON.parse(Buffer.from(header, 'base64url').toString()) as unknown, claims: JSON.parse(Buffer.from(claims, 'base64url').toString()) as unknown, valid };
}

describe('the APNs provider token', () => {
  test('is an ES256 JWT with kid, iss and iat in seconds, signed by the .p8 key', () => {
    const token = new ApnsProviderToken(pem, 'ABC123DEFG', 'TEAM123456', () => 1_700_000_000_500);
    expect(decode(token.authorization())).toEqual({ header: { alg: 'ES256', kid: 'ABC123DEFG' }, claims: { iss: 'TEAM123456', iat: 1_700_000_000 }, valid: true });
  });

  test('is reused for 50 minutes (Apple: no more than one new token per 20), then signed again (Apple: at least every 60)', () => {
    const clock = { now: 1_700_000_000_000 };
    const token = new ApnsProviderToken(pem, 'ABC123DEFG', 'TEAM123456', () => clock.now);
    const first = token.authorization();
    clock.now += PROVIDER_TOKEN_MAX_AGE_MS - 1;
    expect(token.authorization()).toBe(first);
    clock.now += 1;
    const second = token.authorization();
    expect(second).not.toBe(first);
    expect(decode(second).claims).toEqual({ iss: 'TEAM123456', iat: Math.floor(clock.now / 1000) });
    expect(PROVIDER_TOKEN_MAX_AGE_MS).toBeGreaterThanOrEqual(20 * 60_000);
    expect(PROVIDER_TOKEN_MAX_AGE_MS).toBeLessThan(60 * 60_000);
  });

  test('after invalidate() (APNs answered ExpiredProviderToken) the next request carries a new token', () => {
    const token = new ApnsProviderToken(pem, 'ABC123DEFG', 'TEAM123456', () => 1_700_000_000_000);
    const first = token.authorization();
    token.invalidate();
    const second = token.authorization();
    expect(second).not.toBe(first);
    expect(decode(second).valid).toBe(true);
  });

  test('a key that is not a private key is refused when the token is made (a credentials problem, before any request)', () => {
    expect(() => new ApnsProviderToken('-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n', 'ABC123DEFG', 'TEAM123456', Date.now)).toThrow();
  });
});
