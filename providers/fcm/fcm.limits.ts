/**
 * What FCM can take, checked at accept (ProviderDefinition.checkMessage). FCM has data-only messages;
 * its limit is 4096 bytes of payload (https://firebase.google.com/docs/cloud-messaging/concept-options),
 * measured as the simulator and FCM do: the `data` and `notification` of the built message.
 */
import type { MessageCheckFailure, OutgoingMessage } from '../types.js';
import type { FcmConfig } from './fcm.config.js';
import { buildFcmMessage, type FcmOverrides } from './fcm.request.js';
import { FCM_MAX_PAYLOAD_BYTES } from './fcm.wire.js';

export function checkFcmMessage(message: OutgoingMessage, config: FcmConfig, overrides?: FcmOverrides): MessageCheckFailure | undefined {
  const built = buildFcmMessage(message, 'android', config, message.createdAt, undefined, overrides);
  const bytes = Buffer.byteLength(JSON.stringify({ data: built.data, notification: built.notification }), 'utf8');
  if (bytes <= FCM_MAX_PAYLOAD_BYTES) return undefined;
  return {
    reason: 'payload_too_large',
    message: `FCM takes at most ${FCM_MAX_PAYLOAD_BYTES} bytes of data and notification; this message has ${bytes}. Shorten the data or the notification.`,
  };
}
