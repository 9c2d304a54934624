/**
 * What Xiaomi can take, checked at accept (ProviderDefinition.checkMessage). Xiaomi has data-only
 * messages (`pass_through=1`), so only the size of `payload` can rule a message out.
 */
import type { MessageCheckFailure, OutgoingMessage } from '../types.js';
import type { XiaomiConfig } from './xiaomi.config.js';
import { buildXiaomiRequest, type XiaomiOverrides } from './xiaomi.request.js';

/**
 * Xiaomi's send API caps `payload` at 4 KB (https://dev.mi.com/xiaomihyperos/documentation/detail?pId=1559;
 * UNVERIFIED against the live server, so the stricter reading, 4096 bytes of UTF-8 before URL-encoding).
 */
export const XIAOMI_MAX_PAYLOAD_BYTES = 4096;

export function checkXiaomiMessage(message: OutgoingMessage, config: XiaomiConfig, overrides?: XiaomiOverrides): MessageCheckFailure | undefined {
  const { form } = buildXiaomiRequest(message, [], config, message.createdAt, undefined, overrides);
  const bytes = Buffer.byteLength(form.payload ?? '', 'utf8');
  if (bytes <= XIAOMI_MAX_PAYLOAD_BYTES) return undefined;
  return {
    reason: 'payload_too_large',
    message: `Xiaomi takes at most ${XIAOMI_MAX_PAYLOAD_BYTES} bytes of payload; this message's data is ${bytes} bytes as Xiaomi's payload JSON. Send less data (an id the app fetches the rest with).`,
  };
}
