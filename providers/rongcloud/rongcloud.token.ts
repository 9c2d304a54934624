/**
 * A RongCloud "device" is the app's own user id: RongCloud reaches that user's devices through the
 * vendor tokens its client SDK registered, which pushgate never sees (docs/vendors/rongcloud.md#device-token).
 *
 * Bounds: the getToken (user registration) doc says a user id is "大小写英文字母、数字、部分特殊符号
 * + | = - _ 的组合方式，最大长度 64 字节" (quoted in many RongCloud SDK wrappers; docs/vendors/rongcloud.md#device-token
 * lists `+ = - _` without `|`). UNVERIFIED (https://docs.rongcloud.cn/platform-chat-api/user/register):
 * both forms are accepted, so `|` is allowed. ASCII only, so 64 bytes = 64 characters.
 *
 * Canonical form: the id as given. It is the app's own user id, where `Alice` and `alice` may be
 * two users.
 */
import { z } from 'zod';

export const RONGCLOUD_USER_ID_PATTERN = /^[A-Za-z0-9+|=_-]{1,64}$/;

export const rongcloudTokenSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(RONGCLOUD_USER_ID_PATTERN, 'a RongCloud user id is 1–64 letters, digits or + | = - _');
