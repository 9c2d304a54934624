/**
 * What Huawei can take, checked at accept (ProviderDefinition.checkMessage). Huawei has data-only
 * messages; its limit is the size of the request body without the token list, which it answers
 * with 80300008 (https://developer.huawei.com/consumer/cn/doc/HMSCore-References/https-send-api-0000001050986197).
 */
import type { MessageCheckFailure, OutgoingMessage } from '../types.js';
import type { HuaweiConfig } from './huawei.config.js';
import { buildHuaweiSendRequest, type HuaweiOverrides } from './huawei.request.js';
import { HUAWEI_MAX_BODY_BYTES } from './huawei.wire.js';

export function checkHuaweiMessage(message: OutgoingMessage, config: HuaweiConfig, overrides?: HuaweiOverrides): MessageCheckFailure | undefined {
  // bi_tag carries the message id (the dispatcher's callbackRef), so it is part of the measured body.
  const body = buildHuaweiSendRequest(message, [], config, message.id, message.createdAt, overrides);
  const bytes = Buffer.byteLength(JSON.stringify({ ...body, message: { ...body.message, token: undefined } }), 'utf8');
  if (bytes <= HUAWEI_MAX_BODY_BYTES) return undefined;
  return {
    reason: 'payload_too_large',
    message: `Huawei takes a message body of at most ${HUAWEI_MAX_BODY_BYTES} bytes without the tokens (else 80300008); this message is ${bytes} bytes as Huawei's JSON. Shorten the data or the notification.`,
  };
}
