import { constants, generateKeyPairSync, verify } from 'node:crypto';
import { harmonyJwtParts, signHarmonyJwt } from './harmony.jwt.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const SA = { project_id: '3158882000052863', key_id: 'kid-1', private_key: PEM, sub_account: '1234567890', auth_uri: 'https://x', token_uri: 'https://oauth-login.cloud.huawei.com/oauth2/v3/token' };
const NOW = Date.UTC(2025, 5, 1, 8, 0, 0, 700);

describe('the service-account JWT', () => {
  it('has the header and claims Huawei fixes: kid, PS256, iss = sub_account, aud = token URI, exp = iat + lifetime', () => {
    expect(harmonyJwtParts(SA, NOW, 3600)).toEqual({
      header: { kid: 'kid-1', typ: 'JWT', alg: 'PS256' },
      claims: { iss: '1234567890', aud: 'https://oauth-login.cloud.huawei.com/oauth2/v3/token', iat: Math.floor(NOW / 1000), exp: Math.floor(NOW / 1000) + 3600 },
    });
    expect(harmonyJwtParts({ key_id: 'k', sub_account: 's' }, NOW, 60).claims.aud).toBe('https://oauth-login.cloud.huawei.com/oauth2/v3/token');
  });

  it('is signed RSASSA-PSS SHA-256 with a 32-byte salt, verifiable with the public key', () => {
    const { header, claims } = harmonyJwtParts(SA, NOW, 3600);
    const jwt = signHarmonyJwt(header, claims, PEM);
    const [h, p, s] = jwt.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual(header);
    expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toEqual(claims);
    const ok = (saltLength: number) => verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, Buffer.from(s, 'base64url'));
    expect(ok(32)).toBe(true);
    expect(ok(20)).toBe(false);
  });
});
