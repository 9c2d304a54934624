/**
 * What vivo can take, checked at accept (ProviderDefinition.checkMessage), by running the payload
 * builder the adapter sends with. vivo's server API has notification messages only (no pass-through),
 * `clientCustomMap` holds at most 10 pairs and 1024 characters, and click targets have length limits
 * (https://dev.vivo.com.cn/documentCenter/doc/362).
 */
import type { MessageCheckFailure, OutgoingMessage } from '../types.js';
import type { VivoConfig } from './vivo.config.js';
import { buildVivoPayload, type VivoOverrides } from './vivo.request.js';
import { VIVO_LIMITS } from './vivo.wire.js';

export function checkVivoMessage(message: OutgoingMessage, config: VivoConfig, overrides?: VivoOverrides): MessageCheckFailure | undefined {
  if (!message.notification) {
    return {
      reason: 'data_only_unsupported',
      message: 'vivo delivers notification messages only (no data-only / pass-through message): add notification {title, body} to reach vivo devices.',
    };
  }
  const built = buildVivoPayload(message, config, { now: message.createdAt, list: false, overrides });
  if (built.ok) return undefined;
  const entries = Object.entries(message.data);
  const chars = entries.reduce((sum, [k, v]) => sum + k.length + v.length, 0);
  const tooLarge = entries.length > VIVO_LIMITS.customMapPairs || chars > VIVO_LIMITS.customMapChars;
  return {
    reason: tooLarge ? 'payload_too_large' : 'unsupported_content',
    message: `${built.reason}.${tooLarge ? ` Send at most ${VIVO_LIMITS.customMapPairs} data entries and ${VIVO_LIMITS.customMapChars} characters to reach vivo devices.` : ''}`,
  };
}
