/**
 * Key rotation's rewrite of a chunk's text in place (src/store/chunks.ts, rewriteChunkTargets), as data:
 * the lines of the text form (`id, deviceId, tokenEnc, tokenHash, extras JSON, registered`) in and out.
 */
import { describe, expect, it } from '@jest/globals';
import { chunkTokens, rewriteChunkTargets } from '../../src/store/chunks.js';

const lines = (...ls: string[]) => ls.join('\n');
const A = 'dlv_a\tdev_1\tv1.old-a\thash-a\t{"note":"x\\ty"}\t1';
const B = 'dlv_b\t\tv1.old-b\thash-b\t\t0';
const C = 'dlv_c\t\tv2.2.new-c\thash-c\t\t0';
const rewrite = (id: string, fromEnc: string, tokenEnc: string, tokenHash: string) => ({ id, fromEnc, tokenEnc, tokenHash });

describe('rewriteChunkTargets', () => {
  it('replaces ciphertext and hash of the targets named with the ciphertext they still have, every other field and line as it was', () => {
    const out = rewriteChunkTargets(lines(A, B, C), [rewrite('dlv_a', 'v1.old-a', 'v2.2.new-a', 'hash-a2'), rewrite('dlv_b', 'v1.old-b', 'v2.2.new-b', 'hash-b')]);
    expect(out).toEqual({
      targets: lines('dlv_a\tdev_1\tv2.2.new-a\thash-a2\t{"note":"x\\ty"}\t1', 'dlv_b\t\tv2.2.new-b\thash-b\t\t0', C),
      rewritten: 2,
    });
  });

  it('leaves a target whose ciphertext changed since it was read, and ids no longer in the chunk (claimed meanwhile)', () => {
    const targets = lines(A, B);
    expect(rewriteChunkTargets(targets, [rewrite('dlv_a', 'v1.stale', 'v2.2.x', 'h'), rewrite('dlv_gone', 'v1.old-a', 'v2.2.y', 'h')])).toEqual({ targets, rewritten: 0 });
    expect(rewriteChunkTargets('', [rewrite('dlv_a', 'v1.old-a', 'v2.2.x', 'h')])).toEqual({ targets: '', rewritten: 0 });
  });

  it('matches ids as the whole first field, not a prefix', () => {
    const targets = lines('dlv_ab\t\tv1.old-a\thash\t\t0');
    expect(rewriteChunkTargets(targets, [rewrite('dlv_a', 'v1.old-a', 'v2.2.x', 'h')]).rewritten).toBe(0);
  });

  it('refuses a new ciphertext or hash holding a separator, which would shift the fields after it', () => {
    expect(() => rewriteChunkTargets(A, [rewrite('dlv_a', 'v1.old-a', 'v2\tbad', 'h')])).toThrow(/tab or newline/);
    expect(() => rewriteChunkTargets(A, [rewrite('dlv_a', 'v1.old-a', 'v2.ok', 'h\nx')])).toThrow(/tab or newline/);
  });

  it('reads a chunk as the stored tokens key rotation decides on', () => {
    expect(chunkTokens('fcm', lines(A, B))).toEqual([
      { id: 'dlv_a', provider: 'fcm', tokenEnc: 'v1.old-a', tokenHash: 'hash-a' },
      { id: 'dlv_b', provider: 'fcm', tokenEnc: 'v1.old-b', tokenHash: 'hash-b' },
    ]);
  });
});
