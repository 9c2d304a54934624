import { z } from 'zod';

/**
 * An APNs device token as the app hands it over: the token bytes as hex.
 *
 * Today every token is 32 bytes (64 hex digits), but Apple says "APNs device tokens are of
 * variable length. Don't hard-code their size"
 * (https://developer.apple.com/documentation/usernotifications/registering-your-app-with-apns),
 * and announced at WWDC 2015 (session 720) that tokens may grow to 100 bytes. So: whole bytes of
 * hex (even length), 64..200 digits, either case. Base64 or `<6e18 f198 …>` descriptions are
 * refused: APNs would answer BadDeviceToken for them.
 *
 * Canonical form: lowercase hex. The token is bytes that the app hex-encodes itself (page above),
 * so `AB12…` and `ab12…` are the same device; apps differ in which case they print. Without
 * folding, one phone registered in both cases was two devices and got every push twice.
 */
export const APNS_TOKEN_MIN_HEX = 64;
export const APNS_TOKEN_MAX_HEX = 200;
const HEX_BYTES = /^(?:[0-9a-fA-F]{2})+$/;

export const apnsTokenSchema = z
  .string()
  .min(APNS_TOKEN_MIN_HEX, `an APNs device token is at least ${APNS_TOKEN_MIN_HEX} hex digits (32 bytes)`)
  .max(APNS_TOKEN_MAX_HEX, `an APNs device token is at most ${APNS_TOKEN_MAX_HEX} hex digits (100 bytes)`)
  .regex(HEX_BYTES, 'an APNs device token is the token bytes as hex (0-9 and a-f in either case, an even number of digits), without spaces or <>')
  .toLowerCase();

/** 2: lowercase hex (1 kept the case the app sent). */
export const APNS_TOKEN_FORM_VERSION = 2;

/** Whether a string is a well-formed APNs token (used by the simulator too). */
export function isApnsToken(token: string): boolean {
  return token.length >= APNS_TOKEN_MIN_HEX && token.length <= APNS_TOKEN_MAX_HEX && HEX_BYTES.test(token);
}

/**
 * The per-device fields an APNs device carries (docs/vendors/apns.md#endpoints): the environment that issued
 * its token (a sandbox token is unknown to production and vice versa) and an optional topic.
 */
export const apnsDeviceInfoSchema = z
  .object({
    environment: z.enum(['production', 'sandbox']),
    topic: z.string().min(1).max(255).optional(),
  })
  .strict();

export const apnsDeviceFieldsSchema = z.object({ apns: apnsDeviceInfoSchema.optional() }).strict();

/** An APNs device's extras (DeliveryTarget.extras), as apnsDeviceFieldsSchema produced them. */
export type ApnsDeviceExtras = z.output<typeof apnsDeviceFieldsSchema>;
