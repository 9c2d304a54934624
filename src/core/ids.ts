import { randomUUID } from 'node:crypto';

/** Id generation is injected so tests can make it deterministic. */
export interface IdSource {
  message(): string;
  delivery(): string;
  device(): string;
}

/**
 * Time-ordered ids (ms timestamp prefix, then random): deliveries of one message sort in creation
 * order, which keeps pagination and the store's indexes cheap.
 */
export function timeOrderedIds(now: () => number): IdSource {
  const make = (prefix: string) => () => `${prefix}_${now().toString(36).padStart(9, '0')}${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  return { message: make('msg'), delivery: make('dlv'), device: make('dev') };
}
