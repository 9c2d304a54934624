/**
 * The Huawei push token: the one identifier pushgate stores for a Huawei device.
 *
 * Huawei gives no fixed length (quick-app push doc "quickapp-access-push-kit", docs/vendors/huawei.md#device-token):
 * old tokens are ~32 digits plus a region suffix such as `CN01` (~36 chars), newer ones ~130+
 * characters of `[A-Za-z0-9_-]`. Some SDKs hand out base64-looking tokens, so `+ / = . :` are
 * accepted too (UNVERIFIED which characters newer HMS/HarmonyOS tokens may use — accept both).
 * Bounds: at least 20 characters (rejects "test", "null", ids pasted by mistake) and at most 512
 * (the doc advises storing up to ~256; doubled for headroom). No whitespace or control characters.
 *
 * Canonical form: the token as given. Newer tokens are base64-like (case carries bits) and Huawei
 * documents no equivalence between spellings
 * (https://developer.huawei.com/consumer/cn/doc/HMSCore-References/https-send-api-0000001050986197).
 */
import { z } from 'zod';

export const HUAWEI_TOKEN_MIN = 20;
export const HUAWEI_TOKEN_MAX = 512;

export const huaweiTokenSchema = z
  .string()
  .min(HUAWEI_TOKEN_MIN, `a Huawei push token has at least ${HUAWEI_TOKEN_MIN} characters`)
  .max(HUAWEI_TOKEN_MAX, `a Huawei push token has at most ${HUAWEI_TOKEN_MAX} characters`)
  .regex(/^[A-Za-z0-9_\-+/=.:]+$/, 'a Huawei push token uses only letters, digits and _ - + / = . :');
