/**
 * The Honor push token: the one identifier pushgate stores for an Honor device (per app per device,
 * from the Honor client SDK's `HonorMessageService.onNewToken`).
 *
 * Honor documents no format or length (UNVERIFIED, docs/vendors/honor.md#device-token), so the
 * token is taken as an opaque string: 20–512 characters (rejects "test", "null" and ids pasted by
 * mistake; 512 leaves room for any HMS-style token) of letters, digits and `_ - + / = . :` (the
 * characters HMS-derived tokens use, base64 included). No whitespace or control characters.
 *
 * Canonical form: the token as given (case carries bits in base64-like tokens; Honor documents no
 * equivalence between spellings).
 */
import { z } from 'zod';

export const HONOR_TOKEN_MIN = 20;
export const HONOR_TOKEN_MAX = 512;

export const honorTokenSchema = z
  .string()
  .min(HONOR_TOKEN_MIN, `an Honor push token has at least ${HONOR_TOKEN_MIN} characters`)
  .max(HONOR_TOKEN_MAX, `an Honor push token has at most ${HONOR_TOKEN_MAX} characters`)
  .regex(/^[A-Za-z0-9_\-+/=.:]+$/, 'an Honor push token uses only letters, digits and _ - + / = . :');
