/**
 * The self-signed service-account JWT HarmonyOS Push Kit v3 takes as its Bearer token: no token
 * exchange (docs/vendors/harmony.md#authentication; Huawei's "基于服务账号生成鉴权令牌" page,
 * https://developer.huawei.com/consumer/cn/doc/doccenter-references/api/push-scenariozed-api-request-param.md).
 *
 * PS256 = RSASSA-PSS with SHA-256, MGF1-SHA256 and a salt as long as the digest (32 bytes), as
 * JWS (RFC 7518 §3.5) requires and golang-jwt / jjwt produce. node:crypto does it directly; the
 * `jose` package is only a transitive dependency of firebase-admin here, not one of pushgate's own.
 */
import { constants, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { HARMONY_JWT_AUDIENCE, type HarmonyJwtClaims, type HarmonyJwtHeader, type HarmonyServiceAccount } from './harmony.wire.js';

/** The header and claims for a JWT minted at `nowMs` (pure: tested as data). */
export function harmonyJwtParts(
  serviceAccount: Pick<HarmonyServiceAccount, 'key_id' | 'sub_account' | 'token_uri'>,
  nowMs: number,
  lifetimeSeconds: number,
): { header: HarmonyJwtHeader; claims: HarmonyJwtClaims } {
  const iat = Math.floor(nowMs / 1000);
  return {
    header: { kid: serviceAccount.key_id, typ: 'JWT', alg: 'PS256' },
    // Huawei's demo takes aud from the key file's token_uri; the doc fixes it to the same URL.
    claims: { iss: serviceAccount.sub_account, aud: serviceAccount.token_uri ?? HARMONY_JWT_AUDIENCE, iat, exp: iat + lifetimeSeconds },
  };
}

const b64url = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** `base64url(header).base64url(claims).base64url(PS256 signature)`. */
export function signHarmonyJwt(header: HarmonyJwtHeader, claims: HarmonyJwtClaims, privateKey: string | KeyObject): string {
  const input = `${b64url(header)}.${b64url(claims)}`;
  const signature = sign('sha256', Buffer.from(input, 'utf8'), {
    key: typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  });
  return `${input}.${signature.toString('base64url')}`;
}
