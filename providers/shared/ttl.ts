/**
 * A message's time to live counts from when pushgate accepted it, not from each vendor request: a delivery
 * retried 20 minutes late must not ask the vendor to keep it for the whole `ttlSeconds` again, or the phone
 * could show it up to twice its TTL after it was sent. Every adapter's request builder takes the remaining
 * time from here.
 */
import type { OutgoingMessage } from '../types.js';

type TtlMessage = Pick<OutgoingMessage, 'createdAt' | 'options'>;

/** When the message stops being worth delivering (ms since epoch), or undefined without `ttlSeconds`. */
export function messageExpiresAt(message: TtlMessage): number | undefined {
  const ttl = message.options.ttlSeconds;
  return ttl === undefined ? undefined : message.createdAt + ttl * 1000;
}

/**
 * The expiry as whole epoch seconds (rounded down, so never later than the expiry), for vendors that take an
 * absolute time (APNs `apns-expiration`); undefined without `ttlSeconds`.
 */
export function expiryEpochSeconds(message: TtlMessage): number | undefined {
  const expiresAt = messageExpiresAt(message);
  return expiresAt === undefined ? undefined : Math.floor(expiresAt / 1000);
}

/** A vendor's accepted TTL range in seconds; either end may be absent. */
export interface TtlBounds {
  min?: number | undefined;
  max?: number | undefined;
}

/**
 * Whole seconds of the message's TTL left at `now`, within the vendor's `bounds`; undefined without `ttlSeconds`
 * (the vendor's default applies).
 * - `ttlSeconds: 0` ("now or never": deliver if the device is online, do not store) stays 0 before bounds.
 * - Otherwise rounded down, so the vendor never keeps the message past its expiry, but at least 1 s while any time
 *   is left: 0 would turn a short-lived message into "do not store" at vendors that read 0 that way. An expired
 *   message gives 0 (the dispatcher expires those instead of sending them).
 * - `bounds.min` lifts it where the vendor refuses shorter values (vivo 60 s): the message then lives a little
 *   longer rather than being refused; `bounds.max` caps it where the vendor refuses or clamps longer ones.
 */
export function remainingTtlSeconds(message: TtlMessage, now: number, bounds: TtlBounds = {}): number | undefined {
  const expiresAt = messageExpiresAt(message);
  if (expiresAt === undefined) return undefined;
  const leftMs = expiresAt - now;
  let s = message.options.ttlSeconds === 0 || leftMs <= 0 ? 0 : Math.max(1, Math.floor(leftMs / 1000));
  if (bounds.min !== undefined) s = Math.max(bounds.min, s);
  if (bounds.max !== undefined) s = Math.min(bounds.max, s);
  return s;
}
