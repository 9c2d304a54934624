/**
 * Where the SQLite store's CPU goes on a fan-out: `node [--cpu-prof] dist/bench/store-profile.js [deliveries] [rounds] [shared|each]`.
 * Drives SqliteStore directly (no HTTP, no crypto): per round one message of N deliveries inserted
 * through insertMessage, in token-hash order as the accept hands them over, then claimed 1,000 at a
 * time, handed off and completed as sent under one vendor request id (`each`: one id per delivery, as APNs and
 * FCM answer). Prints each step's CPU
 * (`process.cpuUsage`, so it holds on a busy machine; it includes the checkpoint thread). The
 * figures in docs/performance.md ("store micro-bench") come from it. Not a benchmark: the fan-out
 * row of `npm run bench` measures the same path end to end against the durable floor.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseCommandLine, usageError } from '../src/cli/args.js';
import { timeOrderedIds } from '../src/core/ids.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { NewDelivery } from '../src/store/types.js';

const { positionals } = parseCommandLine({
  usage: 'node [--cpu-prof] dist/bench/store-profile.js [deliveries] [rounds] [shared|each]',
  summary: "Insert, claim, hand off and complete N deliveries on a SqliteStore and print each step's CPU. Not a benchmark.",
  options: {},
  help: {},
  positionals: [
    { name: 'deliveries', help: 'deliveries per round (default 100000)' },
    { name: 'rounds', help: 'rounds on the same file (default 2)' },
    { name: 'vendor-ids', help: 'shared: one vendor request id for the batch (Huawei); each: one per delivery (APNs, FCM). Default shared' },
  ],
});
const total = Number(positionals[0] ?? 100_000);
const rounds = Number(positionals[1] ?? 2);
const vendorIds = positionals[2] ?? 'shared';
if (vendorIds !== 'shared' && vendorIds !== 'each') usageError(`vendor-ids is shared or each, got '${vendorIds}'`);
if (!Number.isInteger(total) || total < 1) usageError(`deliveries must be a positive whole number, got '${positionals[0]}'`);
if (!Number.isInteger(rounds) || rounds < 1) usageError(`rounds must be a positive whole number, got '${positionals[1]}'`);

const BATCH = 1000;
const OWNER = '4242-0f1e2d3c';
const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-store-prof-'));
const store = new SqliteStore(path.join(dir, 'db'));
const ids = timeOrderedIds(Date.now);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const spent = { accept: 0, claim: 0, handOff: 0, complete: 0 };
async function timed<T>(step: keyof typeof spent, run: () => Promise<T>): Promise<T> {
  const from = cpuMs();
  const out = await run();
  spent[step] += cpuMs() - from;
  return out;
}

// A ~130-character ciphertext stand-in and a 43-character hash, the sizes of a Huawei token's.
const tokenEnc = `v1.${'A'.repeat(16)}.${'B'.repeat(22)}.${'C'.repeat(174)}`;
for (let round = 0; round < rounds; round++) {
  const now = Date.now();
  const messageId = ids.message();
  const hashes = Array.from({ length: total }, (_, i) => createHash('sha256').update(`${round}:${i}`).digest('base64url')).sort();
  const rows = function* (): Generator<NewDelivery> {
    for (const tokenHash of hashes) yield { id: ids.delivery(), provider: 'huawei', deviceId: null, tokenEnc, tokenHash, extras: null, quotaClass: 'default', registered: false };
  };
  await timed('accept', () => store.insertMessage({ id: messageId, tenant: 'acme', idempotencyKey: null, payload: '{"notification":{"title":"t","body":"b"}}', createdAt: now, expiresAt: null, category: null }, rows(), null));
  for (;;) {
    const t = Date.now();
    const batch = await timed('claim', () => store.claimBatch({ tenant: 'acme', provider: 'huawei', now: t, leaseUntil: t + 60_000, owner: OWNER, limit: BATCH, excludeClasses: [] }));
    if (!batch) break;
    const claimed = batch.deliveries.map((d) => d.id);
    const handed = await timed('handOff', () => store.startSending(OWNER, claimed, t));
    await timed('complete', () => store.completeDeliveries(OWNER, handed.map((id) => ({ id, state: 'sent', vendorMessageId: vendorIds === 'shared' ? 'request-0123456789' : `apns-${id}`, attempts: 1 })), t));
  }
}
const per = (ms: number) => ((ms * 1000) / (total * rounds)).toFixed(1);
console.log(`${rounds} x ${total} deliveries, CPU in ms (µs per delivery):`);
for (const [step, ms] of Object.entries(spent)) console.log(`  ${step.padEnd(9)} ${ms.toFixed(0).padStart(6)} (${per(ms)})`);
await store.close();
rmSync(dir, { recursive: true, force: true });
