/**
 * Encryption-key rotation (README, "Rotating the encryption key"): every stored token — devices,
 * then deliveries of every state — is re-encrypted under the key that encrypts now (the first of
 * `security.encryptionKeys`), and its lookup hash recomputed under the lookup key (which changes
 * nothing unless that key was rotated too). Runs while gateways run: pages of PAGE rows, each
 * page one store transaction that writes a row only if its ciphertext (and hash) are still the
 * ones read, so a registration or a send in between wins and is left alone. Idempotent: a row
 * already under the current keys is not written, so a second run reports nothing to do.
 *
 * Devices go first: a message accepted meanwhile copies its device's ciphertext into its
 * deliveries, and the delivery passes that follow (in id order, which is time order) see those.
 * Deliveries come in two passes: the targets no lane has claimed yet, rewritten inside their chunk
 * rows (one transaction per chunk, the targets stay chunks), then the delivery rows. Neither pass
 * writes in check mode, nor turns chunks into rows.
 */
import type { TokenCipher } from '../privacy/token-cipher.js';
import { CHUNK_TARGETS } from './chunks.js';
import { rewriteDevicePages, withAttempts } from './token-forms.js';
import type { DeliveryTokenRewrite, DeviceRow, Store, TokenRewrite } from './types.js';

export const ROTATION_PAGE = 1000;

export interface RotationCounts {
  scanned: number;
  /** Written under the current keys (in check mode: would be). */
  rewritten: number;
  /** Devices that turned out to be one device under a new lookup key, merged (`mergeDevices`). */
  merged: number;
  /** Changed by the gateway between read and write and so left to it (a re-run checks them again). */
  changedMeanwhile: number;
}

export interface RotationReport {
  devices: RotationCounts;
  deliveries: RotationCounts;
  /** Rows no configured key decrypts, by the key id their ciphertext names ("?" when it is no pushgate ciphertext). */
  unreadable: Record<string, number>;
}

export interface RotationProgress {
  phase: 'devices' | 'deliveries';
  /** The devices' provider (devices are read per provider). */
  provider?: string;
  counts: RotationCounts;
}

export interface RotationDeps {
  store: Store;
  cipher: TokenCipher;
  pageSize?: number;
  /** Count what would be rewritten, write nothing. */
  check?: boolean;
  onProgress?(p: RotationProgress): void;
}

export async function rotateTokenKeys(deps: RotationDeps): Promise<RotationReport> {
  const { store, cipher } = deps;
  const pageSize = deps.pageSize ?? ROTATION_PAGE;
  const write = !deps.check;
  const report: RotationReport = { devices: zero(), deliveries: zero(), unreadable: {} };

  /** The row's token under the current keys, or null when it is already there (or unreadable). */
  const renew: Renew = (provider, tokenEnc, tokenHash) => {
    let plain: string;
    try {
      plain = cipher.decrypt(tokenEnc);
    } catch {
      let id = '?';
      try {
        id = String(cipher.keyIdOf(tokenEnc));
      } catch {
        // not a pushgate ciphertext at all
      }
      report.unreadable[id] = (report.unreadable[id] ?? 0) + 1;
      return null;
    }
    const hash = cipher.hash(provider, plain);
    if (cipher.keyIdOf(tokenEnc) === cipher.currentKeyId && hash === tokenHash) return null;
    return { tokenEnc: cipher.encrypt(plain), tokenHash: hash };
  };

  // Every provider that has devices, registered in this build or not: no stored token is left behind.
  const providers = [...new Set((await store.countDevices()).map((c) => c.provider))].sort();
  for (const provider of providers) {
    let wouldWrite = 0;
    const decide = (d: DeviceRow): TokenRewrite | null => {
      const next = renew(provider, d.tokenEnc, d.tokenHash);
      if (next) wouldWrite++;
      return next && { id: d.id, fromHash: d.tokenHash, fromEnc: d.tokenEnc, ...next };
    };
    const before = { ...report.devices };
    const done = await rewriteDevicePages(
      store,
      provider,
      pageSize,
      decide,
      (c) => deps.onProgress?.({ phase: 'devices', provider, counts: add(before, write ? c : { ...c, rewritten: wouldWrite }) }),
      write,
    );
    report.devices = add(before, write ? done : { ...done, rewritten: wouldWrite });
  }

  await rotateChunkTargets(store, renew, chunksPerPage(pageSize), write, report, deps.onProgress);

  let after: string | null = null;
  for (;;) {
    const page = await store.scanDeliveryTokens(after, pageSize);
    if (!page.length) break;
    after = page[page.length - 1]!.id;
    report.deliveries.scanned += page.length;
    const rewrites: DeliveryTokenRewrite[] = page.flatMap((d) => {
      const next = renew(d.provider, d.tokenEnc, d.tokenHash);
      return next ? [{ id: d.id, fromEnc: d.tokenEnc, ...next }] : [];
    });
    if (rewrites.length && write) {
      const n = await withAttempts(() => store.rewriteDeliveryTokens(rewrites));
      report.deliveries.rewritten += n;
      report.deliveries.changedMeanwhile += rewrites.length - n;
    } else {
      report.deliveries.rewritten += rewrites.length;
    }
    deps.onProgress?.({ phase: 'deliveries', counts: { ...report.deliveries } });
  }
  return report;
}

type Renew = (provider: string, tokenEnc: string, tokenHash: string) => { tokenEnc: string; tokenHash: string } | null;

/**
 * Chunks read per page: a chunk holds up to CHUNK_TARGETS targets, so a page of `pageSize / CHUNK_TARGETS`
 * chunks decodes about as many tokens as a page of rows (the default: one chunk, a thousand targets),
 * and never fewer than one chunk. Each chunk is still written in a transaction of its own.
 */
export const chunksPerPage = (pageSize: number): number => Math.max(1, Math.floor(pageSize / CHUNK_TARGETS));

/**
 * The targets no lane has claimed yet, re-encrypted where they are (src/store/chunks.ts): each chunk is
 * rewritten in place, so a backlog stays chunk rows and `--check` reads them without writing. Runs before
 * the row pass: a target claimed out of a chunk meanwhile is a row by then, and the row pass sees it.
 * Counted as deliveries (the report and the command's exit code do not tell the two forms apart).
 */
async function rotateChunkTargets(
  store: Store,
  renew: Renew,
  limit: number,
  write: boolean,
  report: RotationReport,
  onProgress: RotationDeps['onProgress'],
): Promise<void> {
  const counts = report.deliveries;
  let after: string | null = null;
  for (;;) {
    const page = await store.scanChunkTokens(after, limit);
    if (!page.length) break;
    after = page[page.length - 1]!.chunkId;
    for (const chunk of page) {
      counts.scanned += chunk.tokens.length;
      const rewrites: DeliveryTokenRewrite[] = chunk.tokens.flatMap((d) => {
        const next = renew(d.provider, d.tokenEnc, d.tokenHash);
        return next ? [{ id: d.id, fromEnc: d.tokenEnc, ...next }] : [];
      });
      if (rewrites.length && write) {
        const n = await withAttempts(() => store.rewriteChunkTokens(chunk.chunkId, rewrites));
        counts.rewritten += n;
        counts.changedMeanwhile += rewrites.length - n;
      } else {
        counts.rewritten += rewrites.length;
      }
    }
    onProgress?.({ phase: 'deliveries', counts: { ...counts } });
  }
}

/** Rows still needing a key that is not the current one: what must be zero before an old key goes. */
export function unreadableTotal(report: RotationReport): number {
  return Object.values(report.unreadable).reduce((a, b) => a + b, 0);
}

function zero(): RotationCounts {
  return { scanned: 0, rewritten: 0, merged: 0, changedMeanwhile: 0 };
}

function add(a: RotationCounts, b: RotationCounts): RotationCounts {
  return { scanned: a.scanned + b.scanned, rewritten: a.rewritten + b.rewritten, merged: a.merged + b.merged, changedMeanwhile: a.changedMeanwhile + b.changedMeanwhile };
}
