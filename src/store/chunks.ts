/**
 * Chunk rows: how both stores keep the targets of a message that no lane has claimed yet.
 *
 * A message's targets are written at accept as one `delivery_chunks` row per (provider, quota class)
 * and up to CHUNK_TARGETS targets, and become per-target `deliveries` rows when a lane claims them
 * (already leased, in the same statement that would otherwise have rewritten them), or when something
 * that writes needs them one by one (cancel, erasure, the canonical-token migration: the store
 * expands those chunks first, see each store). Listings read them in place (pageWithChunks) and key
 * rotation rewrites ciphertexts inside the chunk (rewriteChunkTargets). A target's
 * path is therefore per-target only from its claim on, which is where paths diverge (retries,
 * failures, receipts); the accept writes one row per thousand targets and the claim one insert per
 * target instead of an insert at accept plus a rewrite at the claim (issue 11, docs/performance.md).
 *
 * The text form: one line per target, tab-separated `id, deviceId, tokenEnc, tokenHash, extras JSON,
 * registered (1/0)`, empty for null. Every field is written by pushgate itself: ids and hashes are
 * base-36/base64url, ciphertexts `v1.`/`v2.` base64url, and JSON.stringify escapes tabs and
 * newlines inside strings, so neither separator can occur inside a field (encodeChunk checks the
 * fields that are not JSON, once per target). Lines rather than a JSON array so that a claim taking
 * part of a chunk cuts it at a newline without decoding the rest; reading costs the same either way
 * (100,000 targets: 19 ms to split into fields, 22 ms for JSON.parse of the same as arrays).
 * Delivery ids are unique by construction (src/core/ids.ts): the accept no longer meets the table's
 * primary key, the claim's insert does.
 */
import type { DeliveryRow, DeliveryTokenRewrite, DeviceExtras, NewDelivery, StoredDeliveryToken } from './types.js';

/** Targets per chunk row: the largest batch any vendor takes in one request (a lane claims up to its limit). */
export const CHUNK_TARGETS = 1000;

export interface Chunk {
  provider: string;
  quotaClass: string;
  /** Targets in the chunk. */
  count: number;
  /** The encoded targets (one line each, see above). */
  targets: string;
  /** The smallest and largest delivery id in it: a listing page reads only the chunks its id range meets. */
  firstId: string;
  lastId: string;
}

/**
 * The rows of one message as chunks, in the order they come within each (provider, quota class):
 * rows arrive in token-hash order (src/core/targets.ts) and keep it, so claims take them in id order.
 * Holds at most one partial chunk per (provider, quota class) in memory.
 */
export function* chunksOf(rows: Iterable<NewDelivery>, size: number = CHUNK_TARGETS): Generator<Chunk> {
  interface Open {
    provider: string;
    quotaClass: string;
    lines: string[];
    firstId: string;
    lastId: string;
  }
  const open = new Map<string, Open>();
  const done = (c: Open): Chunk => ({ provider: c.provider, quotaClass: c.quotaClass, count: c.lines.length, targets: c.lines.join('\n'), firstId: c.firstId, lastId: c.lastId });
  for (const d of rows) {
    const key = `${d.provider}\n${d.quotaClass}`;
    let c = open.get(key);
    if (!c) open.set(key, (c = { provider: d.provider, quotaClass: d.quotaClass, lines: [], firstId: d.id, lastId: d.id }));
    if (!c.lines.length) c.firstId = c.lastId = d.id;
    else if (d.id < c.firstId) c.firstId = d.id;
    else if (d.id > c.lastId) c.lastId = d.id;
    c.lines.push(targetLine(d));
    if (c.lines.length >= size) {
      yield done(c);
      c.lines = [];
    }
  }
  for (const c of open.values()) if (c.lines.length) yield done(c);
}

/** A tab or newline inside a field would shift the fields after it (String#includes: a regular expression here was a third of chunksOf). */
const separated = (v: string) => v.includes('\t') || v.includes('\n');

function targetLine(d: NewDelivery): string {
  const device = d.deviceId ?? '';
  if (separated(d.id) || separated(device) || separated(d.tokenEnc) || separated(d.tokenHash)) {
    throw new Error(`delivery ${JSON.stringify(d.id)}: a tab or newline in an id, token or hash cannot be stored in a chunk`);
  }
  return `${d.id}\t${device}\t${d.tokenEnc}\t${d.tokenHash}\t${d.extras === null ? '' : JSON.stringify(d.extras)}\t${d.registered ? 1 : 0}`;
}

/** Each target of an encoded chunk (or part of one) as its stored fields: the extras still JSON text, as the row stores them. */
export function forEachTarget(
  targets: string,
  each: (id: string, deviceId: string | null, tokenEnc: string, tokenHash: string, extrasJson: string | null, registered: boolean) => void,
): void {
  if (!targets) return;
  for (const line of targets.split('\n')) {
    const [id = '', device = '', tokenEnc = '', tokenHash = '', extras = '', registered = '0'] = line.split('\t');
    each(id, device === '' ? null : device, tokenEnc, tokenHash, extras === '' ? null : extras, registered === '1');
  }
}

/** The targets of an encoded chunk (or part of one), with the chunk's provider and quota class. */
export function decodeChunk(targets: string, provider: string, quotaClass: string): NewDelivery[] {
  const out: NewDelivery[] = [];
  forEachTarget(targets, (id, deviceId, tokenEnc, tokenHash, extras, registered) => {
    out.push({ id, provider, deviceId, tokenEnc, tokenHash, extras: extras === null ? null : (JSON.parse(extras) as DeviceExtras), quotaClass, registered });
  });
  return out;
}

/** The first `count` targets of an encoded chunk and the rest, split at a line without decoding either. */
export function splitChunk(targets: string, count: number): { head: string; rest: string } {
  if (count <= 0) return { head: '', rest: targets };
  let at = -1;
  for (let i = 0; i < count; i++) {
    at = targets.indexOf('\n', at + 1);
    if (at < 0) return { head: targets, rest: '' };
  }
  return { head: targets.slice(0, at), rest: targets.slice(at + 1) };
}

/** A chunk as a listing sees it: where its targets belong and the id range they span (not the targets). */
export interface ChunkHead {
  chunkId: string;
  tenant: string;
  messageId: string;
  provider: string;
  quotaClass: string;
  dueAt: number;
  createdAt: number;
  firstId: string;
  lastId: string;
}

/**
 * One page of a message's deliveries in id order after `after`, read without writing: `rows` is the
 * store's own page of delivery rows (id order, filtered, at most `limit`); `heads` are the message's
 * chunks whose last id is past `after`, by first id, when the filter admits queued targets. A chunk is
 * read only while its first id could still fall inside the page, so a page of a 100,000-target message
 * reads one chunk per provider, not the hundred. Chunk targets are listed as the queued rows they
 * would become (attempts 0, due when the chunk is, updated when it was written).
 *
 * A generator so that each store reads the chunks its own way inside one snapshot: it yields the id of
 * the chunk it needs and is resumed with that chunk's targets (null: claimed whole meanwhile).
 */
export function* pageWithChunks(rows: DeliveryRow[], heads: ChunkHead[], after: string | null, limit: number): Generator<string, DeliveryRow[], string | null> {
  let page = rows;
  for (const h of heads) {
    const cutoff = page.length >= limit ? page[limit - 1]!.id : null;
    if (cutoff !== null && h.firstId > cutoff) break;
    const targets = yield h.chunkId;
    if (targets === null) continue;
    const more: DeliveryRow[] = [];
    forEachTarget(targets, (id, deviceId, tokenEnc, tokenHash, extras, registered) => {
      if ((after !== null && id <= after) || (cutoff !== null && id > cutoff)) return;
      more.push({
        id,
        tenant: h.tenant,
        messageId: h.messageId,
        provider: h.provider,
        deviceId,
        tokenEnc,
        tokenHash,
        extras: extras === null ? null : (JSON.parse(extras) as DeviceExtras),
        quotaClass: h.quotaClass,
        registered,
        state: 'queued',
        attempts: 0,
        nextAttemptAt: h.dueAt,
        leaseUntil: null,
        lastError: null,
        vendorMessageId: null,
        updatedAt: h.createdAt,
      });
    });
    if (more.length) page = [...page, ...more].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, limit);
  }
  return page;
}

/** Whether a delivery filter can match a target still in a chunk (queued, no error yet, of the chunk's provider). */
export function filterAdmitsChunks(filter: { states?: string[] | undefined; errorCode?: string | undefined; vendorCode?: string | undefined }): boolean {
  return (!filter.states?.length || filter.states.includes('queued')) && filter.errorCode === undefined && filter.vendorCode === undefined;
}

/** Key rotation: a chunk's targets as stored tokens (id, the chunk's provider, ciphertext, hash). */
export function chunkTokens(provider: string, targets: string): StoredDeliveryToken[] {
  const out: StoredDeliveryToken[] = [];
  forEachTarget(targets, (id, _deviceId, tokenEnc, tokenHash) => out.push({ id, provider, tokenEnc, tokenHash }));
  return out;
}

/**
 * Key rotation in place (rewriteChunkTokens): the encoded targets with each target's ciphertext and
 * hash replaced where its id has a rewrite and its ciphertext is still the rewrite's `fromEnc` (one
 * claimed or changed since the chunk was read is not there, or differs, and is left alone); every
 * other field and line is kept as it was, byte for byte. Answers the new text and how many changed.
 */
export function rewriteChunkTargets(
  targets: string,
  rewrites: readonly DeliveryTokenRewrite[],
): { targets: string; rewritten: number } {
  const byId = new Map(rewrites.map((r) => [r.id, r]));
  let rewritten = 0;
  const lines = targets ? targets.split('\n') : [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const r = byId.get(line.slice(0, line.indexOf('\t')));
    if (!r) continue;
    const fields = line.split('\t');
    if (fields[2] !== r.fromEnc) continue;
    if (separated(r.tokenEnc) || separated(r.tokenHash)) {
      throw new Error(`delivery ${JSON.stringify(r.id)}: a tab or newline in a token or hash cannot be stored in a chunk`);
    }
    fields[2] = r.tokenEnc;
    fields[3] = r.tokenHash;
    lines[i] = fields.join('\t');
    rewritten++;
  }
  return { targets: rewritten ? lines.join('\n') : targets, rewritten };
}
