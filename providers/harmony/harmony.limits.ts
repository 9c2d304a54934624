/**
 * What HarmonyOS Push Kit can take, checked at accept (ProviderDefinition.checkMessage). Data-only
 * messages go as background messages (push-type 6); the limit is the request body without the
 * token list, 4096 bytes, answered 80300008 (docs/vendors/harmony.md#limits).
 */
import type { MessageCheckFailure, OutgoingMessage } from '../types.js';
import type { HarmonyConfig } from './harmony.config.js';
import { buildHarmonySendRequest, type HarmonyOverrides } from './harmony.request.js';
import { HARMONY_MAX_BODY_BYTES } from './harmony.wire.js';

/** Bytes of the body without its tokens, as Huawei counts it. */
export function harmonyBodyBytes(body: { target: { token: string[] } }): number {
  return Buffer.byteLength(JSON.stringify({ ...body, target: { token: [] } }), 'utf8');
}

/** `overrides` is the message's parsed harmony slice: its notification fields count toward the limit too. */
export function checkHarmonyMessage(message: OutgoingMessage, config: Pick<HarmonyConfig, 'receiptId'>, overrides?: HarmonyOverrides): MessageCheckFailure | undefined {
  // biTag carries the message id (the dispatcher's callbackRef), so it is part of the measured body.
  const bytes = harmonyBodyBytes(buildHarmonySendRequest(message, [], config, message.id, message.createdAt, overrides));
  if (bytes <= HARMONY_MAX_BODY_BYTES) return undefined;
  return {
    reason: 'payload_too_large',
    message: `HarmonyOS Push Kit takes a request body of at most ${HARMONY_MAX_BODY_BYTES} bytes without the tokens (else 80300008); this message is ${bytes} bytes as Huawei's JSON. Shorten the data or the notification.`,
  };
}
