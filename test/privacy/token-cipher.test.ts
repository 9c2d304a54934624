/**
 * Key rotation at the cipher: every ciphertext names its key, the first key encrypts, all decrypt,
 * and what was written before rotation existed (`v1.`, no id) is key 1.
 */
import { providers } from '../../providers/registry.js';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { tokenKeys } from '../../src/config/schema.js';
import { TokenCipher, UnknownKeyError } from '../../src/privacy/token-cipher.js';

const K1 = Buffer.alloc(32, 1);
const K2 = Buffer.alloc(32, 2);
const TOKEN = 'a'.repeat(64);

describe('the token cipher with several keys', () => {
  it('reads what the single-key cipher wrote as key 1, and key 1 still writes that form', () => {
    const before = new TokenCipher(K1).encrypt(TOKEN);
    expect(before).toMatch(/^v1\.[^.]+\.[^.]+\.[^.]+$/);
    const ring = new TokenCipher([{ id: 2, secret: K2 }, { id: 1, secret: K1 }], K1);
    expect(ring.decrypt(before)).toBe(TOKEN);
    expect(ring.keyIdOf(before)).toBe(1);
    expect(new TokenCipher([{ id: 1, secret: K1 }], K1).encrypt(TOKEN)).toMatch(/^v1\./);
  });

  it('encrypts with the first key and names it; the old key alone cannot read it', () => {
    const ring = new TokenCipher([{ id: 2, secret: K2 }, { id: 1, secret: K1 }], K1);
    const enc = ring.encrypt(TOKEN);
    expect(enc).toMatch(/^v2\.2\./);
    expect(ring.keyIdOf(enc)).toBe(2);
    expect(ring.decrypt(enc)).toBe(TOKEN);
    expect(() => new TokenCipher(K1).decrypt(enc)).toThrow(UnknownKeyError);
    expect(() => new TokenCipher(K1).decrypt(enc)).toThrow('encrypted with key 2, which is not in security.encryptionKeys');
  });

  it('refuses a ciphertext relabelled with another key id (the id is authenticated)', () => {
    const ring = new TokenCipher([{ id: 2, secret: K2 }, { id: 3, secret: K2 }], K1);
    const enc = ring.encrypt(TOKEN);
    expect(() => ring.decrypt(enc.replace(/^v2\.2\./, 'v2.3.'))).toThrow();
  });

  it('keeps the lookup hash when the encryption key rotates', () => {
    const single = new TokenCipher(K1);
    expect(new TokenCipher([{ id: 2, secret: K2 }, { id: 1, secret: K1 }], K1).hash('fcm', TOKEN)).toBe(single.hash('fcm', TOKEN));
    expect(new TokenCipher([{ id: 2, secret: K2 }], K1).hash('fcm', TOKEN)).toBe(single.hash('fcm', TOKEN));
    expect(new TokenCipher([{ id: 2, secret: K2 }], K2).hash('fcm', TOKEN)).not.toBe(single.hash('fcm', TOKEN));
  });
});

describe('security.encryptionKeys in the configuration', () => {
  const hex = (b: Buffer) => b.toString('hex');
  const tenants = [{ id: 'acme', serverKeys: ['server-key-0123456789'] }];
  function problems(security: unknown): string[] {
    try {
      parseConfig({ security, tenants }, {}, providers);
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    return [];
  }

  it('accepts the single key as key 1 and the list with the first key encrypting', () => {
    const one = tokenKeys(parseConfig({ security: { encryptionKey: hex(K1) }, tenants }, {}, providers).security);
    expect(one.keys).toEqual([{ id: 1, secret: K1 }]);
    expect(one.lookup).toEqual(K1);
    const list = tokenKeys(parseConfig({ security: { encryptionKeys: [{ id: 2, key: hex(K2) }, { id: 1, key: K1.toString('base64') }] }, tenants }, {}, providers).security);
    expect(list.keys.map((k) => k.id)).toEqual([2, 1]);
    expect(list.lookup).toEqual(K1);
  });

  it('refuses both forms, neither, a duplicate id, a bad id and a missing lookup key, without echoing a key', () => {
    expect(problems({ encryptionKey: hex(K1), encryptionKeys: [{ id: 1, key: hex(K1) }] })).toEqual([expect.stringMatching(/^security\.encryptionKeys: set either encryptionKey .* not both/)]);
    expect(problems({})).toEqual([expect.stringMatching(/^security\.encryptionKey: set encryptionKey .* or encryptionKeys/)]);
    expect(problems({ encryptionKeys: [{ id: 2, key: hex(K2) }, { id: 2, key: hex(K1) }], lookupKey: hex(K1) })).toEqual([expect.stringMatching(/^security\.encryptionKeys\[1\]\.id: key id 2 is listed twice/)]);
    expect(problems({ encryptionKeys: [{ id: 0, key: hex(K2) }, { id: 'two', key: hex(K1) }] })).toEqual([
      expect.stringMatching(/^security\.encryptionKeys\[0\]\.id: at least 1/),
      expect.stringMatching(/^security\.encryptionKeys\[1\]\.id: /),
    ]);
    expect(problems({ encryptionKeys: [{ id: 2, key: hex(K2) }] })).toEqual([expect.stringMatching(/^security\.lookupKey: required when no encryption key has id 1/)]);
    const shown = problems({ encryptionKeys: [{ id: 2, key: 'not-a-key-but-secret' }], lookupKey: 'another-secret-value' }).join('\n');
    expect(shown).toMatch(/security\.encryptionKeys\[0\]\.key/);
    expect(shown).not.toMatch(/not-a-key-but-secret|another-secret-value/);
  });
});

describe('initialisation vectors', () => {
  const ivOf = (enc: string) => enc.split('.').at(-3)!;

  it('gives every ciphertext its own 96-bit IV, also across the refills of the IV pool', () => {
    const cipher = new TokenCipher(K1);
    // More than one refill of the pool (4096 IVs each): the IVs of one large message's targets.
    const ivs = Array.from({ length: 10_000 }, () => ivOf(cipher.encrypt(TOKEN)));
    expect(new Set(ivs).size).toBe(ivs.length);
    for (const iv of ivs.slice(0, 10)) expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
  });

  it('decrypts what it encrypted, for every length and for non-ASCII tokens', () => {
    const cipher = new TokenCipher([{ id: 2, secret: K2 }], K1);
    for (let n = 0; n < 200; n += 7) {
      const token = `${'t'.repeat(n)}é€`;
      expect(cipher.decrypt(cipher.encrypt(token))).toBe(token);
    }
  });

  it('refuses a ciphertext whose tag was changed', () => {
    const cipher = new TokenCipher(K1);
    const [v, iv, tag, ct] = cipher.encrypt(TOKEN).split('.');
    const flipped = Buffer.from(tag!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => cipher.decrypt([v, iv, flipped.toString('base64url'), ct].join('.'))).toThrow();
  });
});
