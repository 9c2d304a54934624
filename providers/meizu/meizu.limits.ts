/**
 * What Meizu can take, checked at accept (ProviderDefinition.checkMessage; docs/vendors/meizu.md#limits).
 * Notifications always fit: title and content are cut to Meizu's lengths, and Meizu documents no
 * limit for `clickTypeInfo.parameters` (UNVERIFIED: left to Meizu, 1005 → rejected). Data-only
 * messages need pass-through, which Meizu restricts, so the tenant must opt in (`passThrough`), and
 * the data JSON is then the pass-through `content`, ≤ 2000 bytes.
 */
import type { MessageCheckFailure, OutgoingMessage } from '../types.js';
import type { MeizuConfig } from './meizu.config.js';
import { buildMeizuMessage } from './meizu.request.js';
import { MEIZU_PASS_THROUGH_MAX_BYTES, type MeizuPassThroughJson } from './meizu.wire.js';

export function checkMeizuMessage(message: OutgoingMessage, config: MeizuConfig): MeizuCheck {
  if (message.notification) return undefined;
  if (!config.passThrough) {
    return {
      reason: 'data_only_unsupported',
      message: 'Meizu delivers data-only messages only as pass-through messages, which Meizu restricts since 2018 and this tenant has not enabled (meizu.passThrough). Add a notification.',
    };
  }
  const { json } = buildMeizuMessage(message, config, message.createdAt);
  const bytes = Buffer.byteLength((json as MeizuPassThroughJson).content, 'utf8');
  if (bytes <= MEIZU_PASS_THROUGH_MAX_BYTES) return undefined;
  return {
    reason: 'payload_too_large',
    message: `Meizu takes at most ${MEIZU_PASS_THROUGH_MAX_BYTES} bytes of pass-through content; this message's data is ${bytes} bytes as JSON. Send less data (an id the app fetches the rest with).`,
  };
}

type MeizuCheck = MessageCheckFailure | undefined;
