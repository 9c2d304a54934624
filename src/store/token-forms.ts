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
import type { AnyProviderDefinition } from '../../providers/types.js';
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
  definitions: readonly Pick<AnyProviderDefinition, 'id' | 'tokenSchema' | 'tokenFormVersion'>[];
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
    let after: string | null = null;
    for (;;) {
      const page: DeviceRow[] = await store.scanDevices(def.id, after, PAGE);
      if (!page.length) break;
      after = page[page.length - 1]!.id;
      report.scanned += page.length;
      const rewrites: TokenRewrite[] = [];
      for (const d of page) {
        let plain: string;
        try {
          plain = cipher.decrypt(d.tokenEnc);
        } catch {
          report.unreadable++;
          continue;
        }
        const parsed = def.tokenSchema.safeParse(plain);
        if (!parsed.success) {
          report.invalid++;
          continue;
        }
        const tokenHash = cipher.hash(def.id, parsed.data);
        if (parsed.data === plain && tokenHash === d.tokenHash) continue;
        rewrites.push({ id: d.id, fromHash: d.tokenHash, tokenHash, tokenEnc: cipher.encrypt(parsed.data) });
      }
      if (!rewrites.length) continue;
      const done = await withAttempts(() => store.rewriteDeviceTokens(def.id, rewrites));
      report.rewritten += done.rewritten;
      report.merged += done.merged;
    }
    await store.setTokenFormVersion(def.id, version, deps.now());
    logger.info(report, 'stored tokens are in their canonical form');
    if (report.unreadable || report.invalid) {
      logger.warn(report, 'some stored tokens could not be canonicalised (another encryption key, or no longer valid) and were left as they are');
    }
    reports.push(report);
  }
  return reports;
}

async function withAttempts<T>(fn: () => Promise<T>): Promise<T> {
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
