/**
 * An FCM registration token. Google documents no format and asks servers not to validate one
 * ("the format may change"); the upper bound is 4096 bytes, the size of a cookie (FCM/GCM team
 * answer quoted at https://stackoverflow.com/q/12403628). Real tokens are ~140–165 characters of
 * URL-safe base64 with a `:` after the instance id (`cXp…:APA91b…`), older GCM ids ~119–162.
 * So: at least 32 characters (rejects "test", "null", an APNs-length hex string is still allowed
 * on purpose — a malformed one is answered INVALID_ARGUMENT by FCM and rejected, never pruned
 * blindly), at most 4096, and only URL-safe base64, `:` and `.` (no spaces, quotes or JSON).
 *
 * Canonical form: the token as given. It is base64-like, where case carries bits, and Google
 * documents no equivalence (https://firebase.google.com/docs/cloud-messaging/manage-tokens).
 */
import { z } from 'zod';

export const FCM_TOKEN_MIN = 32;
export const FCM_TOKEN_MAX = 4096;

export const fcmTokenSchema = z
  .string()
  .min(FCM_TOKEN_MIN, `an FCM registration token has at least ${FCM_TOKEN_MIN} characters (real ones ~150)`)
  .max(FCM_TOKEN_MAX, `an FCM registration token has at most ${FCM_TOKEN_MAX} characters`)
  .regex(/^[A-Za-z0-9_\-:.]+$/, 'an FCM registration token contains only A-Z a-z 0-9 _ - : .');
