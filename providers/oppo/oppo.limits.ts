/**
 * What OPPO can take, checked at accept (ProviderDefinition.checkMessage), by running the notification
 * builder the adapter sends with. OPPO's server API has notification messages only (no pass-through)
 * and `action_parameters` (the data, as JSON) holds at most 4000 characters
 * (https://open.oppomobile.com/new/developmentDoc/info?id=11236).
 */
import type { MessageCheckFailure, OutgoingMessage } from '../types.js';
import type { OppoConfig } from './oppo.config.js';
import { buildOppoNotification, OPPO_LIMITS, type OppoOverrides } from './oppo.request.js';

export function checkOppoMessage(message: OutgoingMessage, config: OppoConfig, overrides?: OppoOverrides): MessageCheckFailure | undefined {
  if (!message.notification) {
    return {
      reason: 'data_only_unsupported',
      message: 'OPPO delivers notification messages only (no data-only / pass-through message): add notification {title, body} to reach OPPO devices.',
    };
  }
  const built = buildOppoNotification(message, config, message.createdAt, {}, overrides);
  if (built.ok) return undefined;
  const dataChars = JSON.stringify(message.data).length;
  return {
    reason: dataChars > OPPO_LIMITS.actionParameters ? 'payload_too_large' : 'unsupported_content',
    message: `${built.reason}.`,
  };
}
