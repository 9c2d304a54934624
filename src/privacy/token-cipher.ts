/**
 * Tokens at rest: AES-256-GCM with a random 96-bit IV per value, plus an HMAC-SHA256 lookup hash
 * (keyed with a separate key derived from the same secret) so uniqueness and lookups work without
 * decrypting anything. The store only ever sees `v1.<iv>.<tag>.<ciphertext>` and the hash.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export class TokenCipher {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(secret: Buffer) {
    if (secret.length !== 32) throw new Error('the encryption key must be 32 bytes');
    this.encKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'pushgate token encryption v1', 32));
    this.macKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'pushgate token lookup v1', 32));
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${ct.toString('base64url')}`;
  }

  decrypt(stored: string): string {
    const [v, iv, tag, ct] = stored.split('.');
    if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not a pushgate-encrypted token');
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  /**
   * The lookup hash is scoped by provider: the same string is a different identifier per vendor.
   * Pass the token in its canonical form (the provider's `tokenSchema` output, `canonicalToken`),
   * or two spellings of one device hash apart.
   */
  hash(provider: string, token: string): string {
    return createHmac('sha256', this.macKey).update(provider).update('\0').update(token).digest('base64url');
  }
}

/** What API answers and logs show of a token: enough to recognise it, not to use it. */
export function maskToken(token: string): string {
  if (token.length <= 8) return '*'.repeat(token.length);
  return `${token.slice(0, 4)}…${token.slice(-4)}`;
}

/** The masked form of a stored (encrypted) token; a row written under another key still lists. */
export function maskStored(cipher: TokenCipher, tokenEnc: string): string {
  try {
    return maskToken(cipher.decrypt(tokenEnc));
  } catch {
    return '(unavailable)';
  }
}
