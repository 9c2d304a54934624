/**
 * Opaque page cursors of the listings: base64url of [list, time, id], the keyset of the last row
 * of a page. The list name is inside, so a cursor of one list given to another is refused rather
 * than silently starting somewhere odd. src/http/schemas.ts uses `decodeCursor` to name a bad
 * `query.cursor` before the core is called.
 */
import type { TimeKey } from '../store/types.js';

export type CursorList = 'messages' | 'deliveries' | 'dead-letters' | 'webhook-deliveries';

export function encodeCursor(list: CursorList, key: TimeKey): string {
  return Buffer.from(JSON.stringify([list, key.at, key.id])).toString('base64url');
}

/** The keyset a cursor of `list` names, or null when it is not one `encodeCursor(list, …)` made. */
export function decodeCursor(list: CursorList, cursor: string): TimeKey | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 3) return null;
    const [name, at, id] = v as unknown[];
    if (name !== list || typeof at !== 'number' || !Number.isSafeInteger(at) || typeof id !== 'string' || id === '' || id.length > 128) return null;
    return { at, id };
  } catch {
    return null;
  }
}
