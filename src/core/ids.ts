import { randomBytes } from 'node:crypto';

/** Id generation is injected so tests can make it deterministic. */
export interface IdSource {
  message(): string;
  delivery(): string;
  device(): string;
}

/**
 * Time-ordered ids: `<prefix>_` + the ms timestamp (9 base-36 characters) + 12 random hex
 * characters + a 4-character base-36 counter. Deliveries of one message sort in creation order,
 * which keeps pagination and the store's indexes cheap.
 *
 * The random part (48 bits) is drawn once per millisecond and per prefix, not per id: a
 * `randomUUID()` per delivery was a visible share of a 100k-target accept. Within a millisecond
 * the counter keeps ids distinct and ordered (past 36^4 ids in one millisecond a new random part
 * is drawn, so order within that millisecond is no longer kept; ids stay distinct); two processes collide only if they draw the same 48
 * bits in the same millisecond.
 */
export function timeOrderedIds(now: () => number): IdSource {
  const make = (prefix: string) => {
    let at = -1;
    let head = '';
    let count = 0;
    return () => {
      const t = now();
      if (t !== at || count >= COUNTER_SPAN) {
        at = t;
        head = `${prefix}_${t.toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;
        count = 0;
      }
      return head + (count++).toString(36).padStart(4, '0');
    };
  };
  return { message: make('msg'), delivery: make('dlv'), device: make('dev') };
}

/** 36^4 ids per millisecond before the random part is drawn again. */
const COUNTER_SPAN = 36 ** 4;
