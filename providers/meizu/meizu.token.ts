/**
 * The Meizu pushId (docs/vendors/meizu.md#device-token): one per app per device, issued by the Flyme
 * client SDK. Published examples are 45 characters, an uppercase prefix then lowercase hex
 * (`J0476035d625e6c64567f71487e040e7d017f0558675b`, https://github.com/MEIZUPUSH/PushAPI). Meizu
 * documents no length (UNVERIFIED), so we accept it opaque: 16–128 letters, digits and `_ - . : = + /`.
 * A comma is refused because pushIds travel comma-joined in `pushIds`; whitespace is junk.
 *
 * Canonical form: the pushId as given (case is not folded: the prefix is uppercase, the rest lowercase,
 * and Meizu does not say they compare case-insensitively).
 */
import { z } from 'zod';

export const meizuTokenSchema = z
  .string()
  .min(16, 'a Meizu pushId is at least 16 characters')
  .max(128, 'a Meizu pushId is at most 128 characters')
  .regex(/^[A-Za-z0-9_.:=+/-]+$/, 'a Meizu pushId contains only letters, digits and _ - . : = + /');
