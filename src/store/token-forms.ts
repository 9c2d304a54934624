/**
 * Stored tokens follow their provider's canonical form (`tokenSchema` output). When a provider's
 * form changes (`tokenFormVersion`, e.g. APNs hex became lowercase), devices stored in the old
 * form are rewritten once. SQL cannot do it: tokens are encrypted and the lookup hash is an HMAC,
 * both under the configured key. So this step decrypts each device of that provider, canonicalises
 * it, and lets the store rewrite hash and ciphertext, merging devices that turn out to be one.
 *
 * Runs after the schema migrations, at start-up and in `npm run migrate`; records the version per
 * provider (table token_forms) so later starts skip it. Idempotent: a device already in canonical
 * form is not touched, and the store re-checks each row's hash inside its transaction, so
 * instances running it together (or a forced re-run) change nothing twice.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { TokenCipher } from '../privacy/token-cipher.js';
import type { DeviceRow, Store, TokenRewrite } from './types.js';

const PAGE = 1000;
/** A page whose transaction failed (a registration raced it on PostgreSQL) is tried again. */
const PAGE_ATTEMPTS = 3;

export interface TokenFormReport {
  provider: string;
  version: number;
  scanned: number;
  rewritten: number;
  merged: number;
  /** Rows the configured key cannot decrypt (written under another key): left as they are. */
  unreadable: number;
  /** Rows whose stored token the schema now refuses: left as they are. */
  invalid: number;
}

export interface TokenFormDeps {
  store: Store;
  cipher: TokenCipher;
  /** Each provider's token form: a ProviderDefinition fits (the store names no provider type). */
  definitions: ReadonlyArray<{ id: string; tokenSchema: z.ZodType<string>; tokenFormVersion?: number | undefined }>;
  logger: Logger;
  now(): number;
  /** Re-scan even providers already recorded at their version (after old instances kept writing). */
  force?: boolean;
}

export async function migrateTokenForms(deps: TokenFormDeps): Promise<TokenFormReport[]> {
  const { store, cipher, logger } = deps;
  const applied = await store.tokenFormVersions();
  const reports: TokenFormReport[] = [];
  for (const def of deps.definitions) {
    const version = def.tokenFormVersion ?? 1;
    // Version 1 is "as given": nothing was ever stored in another form.
    if (version <= 1 || (!deps.force && (applied.get(def.id) ?? 1) >= version)) continue;
    const report: TokenFormReport = { provider: def.id, version, scanned: 0, rewritten: 0, merged: 0, unreadable: 0, invalid: 0 };
    const done = await rewriteDevicePages(store, def.id, PAGE, (d) => {
      let plain: string;
      try {
        plain = cipher.decrypt(d.tokenEnc);
      } catch {
        report.unreadable++;
        return null;
      }
      const parsed = def.tokenSchema.safeParse(plain);
      if (!parsed.success) {
        report.invalid++;
        return null;
      }
      const tokenHash = cipher.hash(def.id, parsed.data);
      if (parsed.data === plain && tokenHash === d.tokenHash) return null;
      return { id: d.id, fromHash: d.tokenHash, tokenHash, tokenEnc: cipher.encrypt(parsed.data) };
    });
    Object.assign(report, { scanned: done.scanned, rewritten: done.rewritten, merged: done.merged });
    await store.setTokenFormVersion(def.id, version, deps.now());
    logger.info(report, 'stored tokens are in their canonical form');
    if (report.unreadable || report.invalid) {
      logger.warn(report, 'some stored tokens could not be canonicalised (another encryption key, or no longer valid) and were left as they are');
    }
    reports.push(report);
  }
  return reports;
}

export interface PageCounts {
  scanned: number;
  rewritten: number;
  merged: number;
  /** Rewrites the store left alone: the row changed (or went) between the read and the write. */
  changedMeanwhile: number;
}

/**
 * The one re-encryption loop over stored devices (token forms and key rotation): pages of one
 * provider's devices in id order; `decide` returns a row's new token or null to leave it; each
 * page's rewrites go to the store in one transaction that re-checks every row (and is retried
 * when it races a registration). `onPage` is told the running counts after each page.
 */
export async function rewriteDevicePages(
  store: Store,
  provider: string,
  pageSize: number,
  decide: (d: DeviceRow) => TokenRewrite | null,
  onPage?: (counts: PageCounts) => void,
  write = true,
): Promise<PageCounts> {
  const counts: PageCounts = { scanned: 0, rewritten: 0, merged: 0, changedMeanwhile: 0 };
  let after: string | null = null;
  for (;;) {
    const page: DeviceRow[] = await store.scanDevices(provider, after, pageSize);
    if (!page.length) break;
    after = page[page.length - 1]!.id;
    counts.scanned += page.length;
    const rewrites = page.flatMap((d) => decide(d) ?? []);
    if (rewrites.length && write) {
      const done = await withAttempts(() => store.rewriteDeviceTokens(provider, rewrites));
      counts.rewritten += done.rewritten;
      counts.merged += done.merged;
      counts.changedMeanwhile += rewrites.length - done.rewritten - done.merged;
    }
    onPage?.(counts);
  }
  return counts;
}

export async function withAttempts<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= PAGE_ATTEMPTS) throw err;
    }
  }
}

/**
 * Two devices of one tenant that are the same token: the most recently seen one stays (its user
 * id and APNs info are the current ones; a tie keeps the one already canonical), with the earlier
 * creation time of the two.
 */
export function mergeDevices(row: DeviceRow, other: DeviceRow): { keep: DeviceRow; drop: DeviceRow; createdAt: number } {
  const keep = row.lastSeenAt > other.lastSeenAt ? row : other;
  return { keep, drop: keep === row ? other : row, createdAt: Math.min(row.createdAt, other.createdAt) };
}

/**
 * Whether a page of device rewrites changes a lookup hash (a new canonical form, a new lookup key):
 * only then can devices merge, and only then must the provider's chunks become rows first so their
 * targets follow their device. A page that only re-encrypts (key rotation) leaves chunk targets where
 * they are; rotateTokenKeys's chunk pass re-encrypts them there.
 */
export function rehashesAny(rewrites: readonly TokenRewrite[]): boolean {
  return rewrites.some((r) => r.tokenHash !== r.fromHash);
}
