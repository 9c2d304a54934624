/**
 * Tokens at rest: AES-256-GCM with a random 96-bit IV per value, plus an HMAC-SHA256 lookup hash
 * (keyed with a separate key) so uniqueness and lookups work without decrypting anything. The
 * store only ever sees the ciphertext and the hash.
 *
 * Encryption keys rotate (README, "Rotating the encryption key"): the cipher holds every
 * configured key by id; the first encrypts, all decrypt, and each ciphertext names its key:
 *
 * - `v1.<iv>.<tag>.<ciphertext>`: key 1. What every version before key rotation wrote, and what
 *   key 1 still writes, so a deployment that never rotates stores exactly what it always did.
 * - `v2.<key id>.<iv>.<tag>.<ciphertext>`: any other key; the id is authenticated (GCM AAD), so
 *   relabelling a ciphertext with another id fails to decrypt instead of decrypting wrongly.
 *
 * The lookup hash does not rotate with them: it is keyed by its own secret (by default the one of
 * key 1), because changing it changes every stored `token_hash` that uniqueness and lookups use.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export interface EncryptionKey {
  /** Positive integer, never reused for another secret. */
  id: number;
  /** 32 bytes. */
  secret: Buffer;
}

/** IVs per refill of the pool: 48 KB of CSPRNG output, one `randomBytes` call per 4096 encryptions. */
const IVS_PER_REFILL = 4096;

export class TokenCipher {
  private readonly encKeys = new Map<number, Buffer>();
  /**
   * Unused IV bytes. One `randomBytes(12)` per token was 13% of a 100k-target accept (bench profile):
   * IVs are cut from one larger CSPRNG buffer instead. Each 12-byte slice is handed out once (the
   * offset only moves forward), so every IV is still a fresh 96-bit random value, never reused.
   */
  private ivPool = Buffer.alloc(0);
  private ivOffset = 0;
  private readonly macKey: Buffer;
  /** The id of the key that encrypts (the first one configured). */
  readonly currentKeyId: number;

  /**
   * `keys`: one secret (it is key 1 and keys the lookup hash, as before rotation existed), or the
   * configured keys in order with the lookup-hash secret.
   */
  constructor(keys: Buffer | readonly EncryptionKey[], lookupSecret?: Buffer) {
    const list = Buffer.isBuffer(keys) ? [{ id: 1, secret: keys }] : keys;
    const first = list[0];
    if (!first) throw new Error('at least one encryption key is needed');
    for (const k of list) {
      if (k.secret.length !== 32) throw new Error(`encryption key ${k.id} must be 32 bytes`);
      if (!Number.isInteger(k.id) || k.id < 1) throw new Error(`encryption key ids are positive integers, not ${k.id}`);
      if (this.encKeys.has(k.id)) throw new Error(`encryption key id ${k.id} is configured twice`);
      this.encKeys.set(k.id, Buffer.from(hkdfSync('sha256', k.secret, Buffer.alloc(0), 'pushgate token encryption v1', 32)));
    }
    this.currentKeyId = first.id;
    const mac = lookupSecret ?? (Buffer.isBuffer(keys) ? keys : undefined);
    if (!mac || mac.length !== 32) throw new Error('the lookup-hash key must be 32 bytes');
    this.macKey = Buffer.from(hkdfSync('sha256', mac, Buffer.alloc(0), 'pushgate token lookup v1', 32));
  }

  /** The configured key ids, the encrypting one first. */
  get keyIds(): number[] {
    return [...this.encKeys.keys()];
  }

  encrypt(plain: string): string {
    const id = this.currentKeyId;
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.encKeys.get(id)!, iv);
    if (id !== 1) cipher.setAAD(aad(id));
    // GCM is a stream mode: final() adds no ciphertext, it only computes the tag.
    const ct = cipher.update(plain, 'utf8');
    cipher.final();
    const body = `${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${ct.toString('base64url')}`;
    return id === 1 ? `v1.${body}` : `v2.${id}.${body}`;
  }

  private nextIv(): Buffer {
    if (this.ivOffset + 12 > this.ivPool.length) {
      this.ivPool = randomBytes(12 * IVS_PER_REFILL);
      this.ivOffset = 0;
    }
    const iv = this.ivPool.subarray(this.ivOffset, this.ivOffset + 12);
    this.ivOffset += 12;
    return iv;
  }

  decrypt(stored: string): string {
    const { id, iv, tag, ct } = parse(stored);
    const key = this.encKeys.get(id);
    if (!key) throw new UnknownKeyError(id);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    if (id !== 1) decipher.setAAD(aad(id));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = decipher.update(Buffer.from(ct, 'base64url'));
    decipher.final(); // GCM: no more plaintext, only the tag check (throws when it fails)
    return plain.toString('utf8');
  }

  /** The id of the key a stored token was encrypted with (no decryption; throws when it is not a pushgate ciphertext). */
  keyIdOf(stored: string): number {
    return parse(stored).id;
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

/** A stored token written under a key id the configuration no longer (or never) had. */
export class UnknownKeyError extends Error {
  constructor(readonly keyId: number) {
    super(`the token was encrypted with key ${keyId}, which is not in security.encryptionKeys`);
  }
}

function aad(id: number): Buffer {
  return Buffer.from(`pushgate key ${id}`);
}

function parse(stored: string): { id: number; iv: string; tag: string; ct: string } {
  const parts = stored.split('.');
  if (parts[0] === 'v1' && parts.length === 4) return { id: 1, iv: parts[1]!, tag: parts[2]!, ct: parts[3]! };
  if (parts[0] === 'v2' && parts.length === 5 && /^[1-9][0-9]{0,8}$/.test(parts[1]!)) return { id: Number(parts[1]), iv: parts[2]!, tag: parts[3]!, ct: parts[4]! };
  throw new Error('not a pushgate-encrypted token');
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
