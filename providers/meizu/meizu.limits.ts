/**
 * What Meizu can take, checked at accept (ProviderDefinition.checkMessage; docs/vendors/meizu.md#limits),
 * by running the builder the adapter sends with. Title and content are cut to Meizu's lengths; Meizu
 * documents no limit for `clickTypeInfo.parameters`, so a notification's `messageJson` is held to
 * pushgate's own 4 KB (`MEIZU_MAX_MESSAGE_JSON_BYTES`, UNVERIFIED). Data-only messages need
 * pass-through, which Meizu restricts, so the tenant must opt in (`passThrough`), and the data JSON is
 * then the pass-through `content`, ≤ 2000 bytes.
 */
import type { MessageCheckFailure, OutgoingMessage } from '../types.js';
import type { MeizuConfig } from './meizu.config.js';
import { buildMeizuMessage, type MeizuOverrides } from './meizu.request.js';
import { MEIZU_MAX_MESSAGE_JSON_BYTES, MEIZU_PASS_THROUGH_MAX_BYTES, type MeizuPassThroughJson } from './meizu.wire.js';

export function checkMeizuMessage(message: OutgoingMessage, config: MeizuConfig, overrides?: MeizuOverrides): MessageCheckFailure | undefined {
  if (message.notification) {
    const { json } = buildMeizuMessage(message, config, message.createdAt, undefined, overrides);
    const bytes = Buffer.byteLength(JSON.stringify(json), 'utf8');
    if (bytes <= MEIZU_MAX_MESSAGE_JSON_BYTES) return undefined;
    return {
      reason: 'payload_too_large',
      message: `pushgate sends Meizu at most ${MEIZU_MAX_MESSAGE_JSON_BYTES} bytes of messageJson (Meizu documents no limit); this message is ${bytes} bytes, most of it its data (clickTypeInfo.parameters). Send less data (an id the app fetches the rest with).`,
    };
  }
  if (!config.passThrough) {
    return {
      reason: 'data_only_unsupported',
      message: 'Meizu delivers data-only messages only as pass-through messages, which Meizu restricts since 2018 and this tenant has not enabled (meizu.passThrough). Add a notification.',
    };
  }
  const { json } = buildMeizuMessage(message, config, message.createdAt, undefined, overrides);
  const bytes = Buffer.byteLength((json as MeizuPassThroughJson).content, 'utf8');
  if (bytes <= MEIZU_PASS_THROUGH_MAX_BYTES) return undefined;
  return {
    reason: 'payload_too_large',
    message: `Meizu takes at most ${MEIZU_PASS_THROUGH_MAX_BYTES} bytes of pass-through content; this message's data is ${bytes} bytes as JSON. Send less data (an id the app fetches the rest with).`,
  };
}
