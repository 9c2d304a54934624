/**
 * The HarmonyOS NEXT Push Token (`pushService.getToken()`), per app per device: the one identifier
 * pushgate stores for a `harmony` device. A Huawei phone still on Android (HMS Core) has an HMS
 * token and stays provider `huawei`; a device upgraded to NEXT needs a new token.
 *
 * Huawei documents no length (docs/vendors/harmony.md#device-token): examples are base64-like
 * (`MAAALgE4G98BAAAA…`, `MAMzLg…`, `IQAAAA…`). UNVERIFIED length, so the documented advice is
 * taken as the range: opaque, up to 512 characters; at least 20 refuses "test", "null" and ids
 * pasted by mistake. Characters: base64 and base64url plus `. :` — whitespace and control
 * characters are refused, nothing is trimmed.
 *
 * Canonical form: the token as given (base64: case carries bits; Huawei documents no equivalence).
 */
import { z } from 'zod';

export const HARMONY_TOKEN_MIN = 20;
export const HARMONY_TOKEN_MAX = 512;

export const harmonyTokenSchema = z
  .string()
  .min(HARMONY_TOKEN_MIN, `a HarmonyOS push token has at least ${HARMONY_TOKEN_MIN} characters`)
  .max(HARMONY_TOKEN_MAX, `a HarmonyOS push token has at most ${HARMONY_TOKEN_MAX} characters`)
  .regex(/^[A-Za-z0-9_\-+/=.:]+$/, 'a HarmonyOS push token uses only letters, digits and _ - + / = . :');
