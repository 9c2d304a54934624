/**
 * The Xiaomi regId (docs/vendors/xiaomi.md#device-token): opaque, issued per app per device by the client SDK.
 * Public examples are 44–64 base64-like characters (letters, digits, `+`, `/`, `=`); the vendor
 * documents no bound, so we accept 16–256 characters (docs/vendors/xiaomi.md#device-token suggests "up to ~200", UNVERIFIED,
 * https://dev.mi.com/xiaomihyperos/documentation/detail?pId=1559) of the base64/base64url
 * alphabet plus `.` and `:`. A comma is refused because regIds travel comma-joined in
 * `registration_id`; whitespace and anything else is junk.
 *
 * Canonical form: the regId as given. It is base64-like, where case carries bits.
 */
import { z } from 'zod';

export const xiaomiTokenSchema = z
  .string()
  .min(16, 'a Xiaomi regId is at least 16 characters')
  .max(256, 'a Xiaomi regId is at most 256 characters')
  .regex(/^[A-Za-z0-9+/=_.:-]+$/, 'a Xiaomi regId contains only letters, digits and + / = _ . : -');
