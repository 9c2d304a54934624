/**
 * What RongCloud can take, checked at accept (ProviderDefinition.checkMessage). `/push/user.json` shows
 * notifications only and requires `pushContent`, so a data-only message cannot go
 * (https://docs.rongcloud.cn/platform-chat-api/push/send-push-by-user). RongCloud documents no size
 * limit for it; it forwards title, body and the iOS block into an APNs payload, whose 4096-byte limit
 * (https://developer.apple.com/documentation/usernotifications/sending-notification-requests-to-apns)
 * is the one a too-large message would hit, so that part of the built request is measured against it.
 */
import type { MessageCheckFailure, OutgoingMessage } from '../types.js';
import type { RongCloudConfig } from './rongcloud.config.js';
import { buildPushUserRequest, type RongCloudOverrides } from './rongcloud.request.js';

export const RC_MAX_APNS_PAYLOAD_BYTES = 4096;

export function checkRongCloudMessage(message: OutgoingMessage, config: RongCloudConfig, overrides?: RongCloudOverrides): MessageCheckFailure | undefined {
  if (!message.notification) {
    return {
      reason: 'data_only_unsupported',
      message: 'RongCloud /push/user.json shows notifications only and requires pushContent (no data-only message): add notification {title, body} to reach RongCloud users.',
    };
  }
  const { notification: n } = buildPushUserRequest(message, [], config, overrides);
  const bytes = Buffer.byteLength(JSON.stringify({ title: n.title, pushContent: n.pushContent, ios: n.ios }), 'utf8');
  if (bytes <= RC_MAX_APNS_PAYLOAD_BYTES) return undefined;
  return {
    reason: 'payload_too_large',
    message: `RongCloud forwards the title, body and data into an APNs payload of at most ${RC_MAX_APNS_PAYLOAD_BYTES} bytes; this message is ${bytes} bytes. Shorten the data or the notification.`,
  };
}
