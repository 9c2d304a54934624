/**
 * The vivo regId. Historically a 23-digit numeric string (doc examples `12345678901234567890123`,
 * `15638535410301000000001`), but newer devices issue regIds that fail the old SDK's 23-char check
 * (taoweiji/MixPush#68), so it is treated as opaque (docs/vendors/vivo.md#device-token):
 * - lower bound 16: below the historic 23 digits, still refuses obvious junk ("test", "null", "1");
 * - upper bound 128: twice the ≤64 bound docs/vendors/vivo.md#device-token gives (UNVERIFIED), since the new format is undocumented;
 * - URL-safe printable ASCII only, no whitespace.
 *
 * Canonical form: the regId as given. vivo calls it opaque and documents no case equivalence
 * (https://dev.vivo.com.cn/documentCenter/doc/362).
 */
import { z } from 'zod';

export const vivoTokenSchema = z
  .string()
  .min(16, 'a vivo regId is at least 16 characters (historically 23 digits)')
  .max(128, 'a vivo regId is at most 128 characters')
  .regex(/^[A-Za-z0-9._:=+/-]+$/, 'a vivo regId contains only letters, digits and . _ : = + / -');
