/**
 * What APNs can take, checked at accept (ProviderDefinition.checkMessage): the JSON payload is at most
 * 4096 bytes, 5120 for VoIP, else 413 PayloadTooLarge
 * (https://developer.apple.com/documentation/usernotifications/sending-notification-requests-to-apns).
 * Data-only messages are background pushes, which APNs has.
 */
import type { MessageCheckFailure, OutgoingMessage } from '../types.js';
import type { ApnsConfig } from './apns.config.js';
import { apnsPayloadLimit, apnsPushTypeOf, buildApnsPayload, type ApnsOverrides } from './apns.request.js';

export function checkApnsMessage(message: OutgoingMessage, config: ApnsConfig, overrides?: ApnsOverrides): MessageCheckFailure | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(buildApnsPayload(message, config, overrides)), 'utf8');
  const limit = apnsPayloadLimit(apnsPushTypeOf(message, overrides));
  if (bytes <= limit) return undefined;
  return {
    reason: 'payload_too_large',
    message: `APNs takes a payload of at most ${limit} bytes; this message is ${bytes} bytes as APNs JSON. Shorten the data or the notification.`,
  };
}
