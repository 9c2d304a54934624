/**
 * What Honor can take, checked at accept (ProviderDefinition.checkMessage). Honor has data-only
 * (pass-through, 透传) messages: a body with only `data`. Its body limit is UNVERIFIED; pushgate
 * assumes Huawei's 4096 bytes without the token list, as Honor's API is derived from Huawei's
 * (docs/vendors/honor.md#limits, https://developer.honor.com/cn/docs/11002/reference/downlink-message).
 */
import type { MessageCheckFailure, OutgoingMessage } from '../types.js';
import { buildHonorSendRequest, type HonorOverrides } from './honor.request.js';
import { HONOR_MAX_BODY_BYTES } from './honor.wire.js';

/** The body's size in bytes as Honor's JSON, without the token list; `overrides` is the message's honor slice. */
export function honorBodyBytes(message: OutgoingMessage, overrides?: HonorOverrides): number {
  // biTag carries the message id (the dispatcher's callbackRef), so it is part of the measured body.
  const { token: _tokens, ...rest } = buildHonorSendRequest(message, [], message.id, message.createdAt, overrides);
  return Buffer.byteLength(JSON.stringify(rest), 'utf8');
}

export function checkHonorMessage(message: OutgoingMessage, overrides?: HonorOverrides): MessageCheckFailure | undefined {
  const bytes = honorBodyBytes(message, overrides);
  if (bytes <= HONOR_MAX_BODY_BYTES) return undefined;
  return {
    reason: 'payload_too_large',
    message: `Honor takes a message body of at most ${HONOR_MAX_BODY_BYTES} bytes without the tokens (assumed from Huawei's limit); this message is ${bytes} bytes as Honor's JSON. Shorten the data or the notification.`,
  };
}
