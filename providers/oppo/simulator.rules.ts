/**
 * What the OPPO simulator checks in a message, written from OPPO's documentation
 * (docs/vendors/oppo.md#request, #limits, #categories, #error-codes-and-outcomes), not taken from the
 * adapter: when the two disagree, a test sees it.
 */

/** The three APIs pushgate uses (docs/vendors/oppo.md#endpoints). */
export const OPPO_SIM_PATHS = {
  auth: '/server/v1/auth',
  unicast: '/server/v1/message/notification/unicast',
  unicastBatch: '/server/v1/message/notification/unicast_batch',
} as const;
export const SEND_PATHS: ReadonlySet<string> = new Set([OPPO_SIM_PATHS.unicast, OPPO_SIM_PATHS.unicastBatch]);
/** ≤ 1000 messages a unicast_batch (docs/vendors/oppo.md#limits). */
export const MAX_BATCH = 1000;

/** OPPO's codes (docs/vendors/oppo.md#error-codes-and-outcomes). */
export const C = {
  FLOW_CONTROL: -2,
  SERVICE_UNAVAILABLE: -1,
  INVALID_AUTH_TOKEN: 11,
  HTTP_ACTION_NOT_ALLOWED: 12,
  APP_CALL_LIMITED: 13,
  INVALID_APP_KEY: 14,
  MISSING_APP_KEY: 15,
  INVALID_SIGNATURE: 16,
  MISSING_SIGNATURE: 17,
  MISSING_TIMESTAMP: 18,
  INVALID_TIMESTAMP: 19,
  MISSING_AUTH_TOKEN: 29,
  DAILY_LIMIT: 33,
  MISSING_REQUIRED_ARGUMENTS: 40,
  INVALID_ARGUMENTS: 41,
  CATEGORY_ERROR: 67,
  INVALID_REGISTRATION_ID: 10000,
  REGISTRATION_ID_UNSUBSCRIBED: 10001,
  DUPLICATE_REGISTRATION_ID: 10004,
} as const;

/** Categories since 2024-11-20 (https://open.oppomobile.com/new/developmentDoc/info?id=13189; docs/vendors/oppo.md#categories). */
const SERVICE = new Set<string>(['IM', 'ACCOUNT', 'TODO', 'DEVICE_REMINDER', 'ORDER', 'SUBSCRIPTION']);
const CATEGORIES = new Set<string>([...SERVICE, 'NEWS', 'CONTENT', 'MARKETING', 'SOCIAL']);

interface Answer {
  code: number;
  message: string;
}

export interface SimMessage {
  target_type: number;
  target_value: string;
  notification: {
    title: string;
    content: string;
    app_message_id?: string;
    call_back_url?: string;
    call_back_parameter?: string;
    [k: string]: unknown;
  };
}

export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function chars(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const missing = (field: string): Answer => ({ code: C.MISSING_REQUIRED_ARGUMENTS, message: `Missing Required Arguments: ${field}` });
const invalid = (why: string): Answer => ({ code: C.INVALID_ARGUMENTS, message: `Invalid Arguments: ${why}` });
const category = (why: string): Answer => ({ code: C.CATEGORY_ERROR, message: `category/notify_level error: ${why}` });

/** The first rule a message breaks, as OPPO's code; undefined when it is acceptable. */
export function validateMessage(m: unknown): Answer | undefined {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return invalid('message must be a JSON object');
  const msg = m as Record<string, unknown>;
  if (msg['target_type'] !== 2 && msg['target_type'] !== 5) return invalid('target_type must be 2 or 5');
  if (typeof msg['target_value'] !== 'string' || msg['target_value'].length === 0) return missing('target_value');
  const n = msg['notification'];
  if (!n || typeof n !== 'object' || Array.isArray(n)) return missing('notification');
  const f = n as Record<string, unknown>;
  const str = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : undefined);

  const title = str('title');
  if (!title) return missing('title');
  if (chars(title) > 50) return invalid('title longer than 50 characters');
  const content = str('content');
  if (!content) return missing('content');
  if (chars(content) > 200) return invalid('content longer than 200 characters');
  const sub = str('sub_title');
  if (sub !== undefined && chars(sub) > 10) return invalid('sub_title longer than 10 characters');

  const cat = f['category'];
  const level = f['notify_level'];
  if (cat !== undefined && (typeof cat !== 'string' || !CATEGORIES.has(cat))) return category(`unknown category ${String(cat)}`);
  if (level !== undefined) {
    if (level !== 1 && level !== 2 && level !== 16) return category(`notify_level must be 1, 2 or 16`);
    if (cat === undefined) return category('notify_level requires category');
    if (level === 16 && !SERVICE.has(cat as string)) return category('notify_level 16 only for communication & service categories');
  }

  const click = f['click_action_type'];
  if (click !== undefined && ![0, 1, 2, 4, 5].includes(click as number)) return invalid('click_action_type');
  if ((click === 1 || click === 4) && !str('click_action_activity')) return missing('click_action_activity');
  if ((click === 2 || click === 5) && !str('click_action_url')) return missing('click_action_url');
  const params = f['action_parameters'];
  if (params !== undefined) {
    if (typeof params !== 'string' || params.length > 4000) return invalid('action_parameters longer than 4000 characters');
    const parsed = parseJson(params);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return invalid('action_parameters must be a JSON object');
  }
  const ttl = f['off_line_ttl'];
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0)) return invalid('off_line_ttl'); // >10 days is clamped by OPPO
  const cbUrl = f['call_back_url'];
  if (cbUrl !== undefined && (typeof cbUrl !== 'string' || cbUrl.length > 200)) return invalid('call_back_url longer than 200 characters');
  const cbParam = f['call_back_parameter'];
  if (cbParam !== undefined && (typeof cbParam !== 'string' || chars(cbParam) > 100)) return invalid('call_back_parameter longer than 100 characters');
  const notifyId = f['notify_id'];
  if (notifyId !== undefined && (typeof notifyId !== 'number' || !Number.isInteger(notifyId))) return invalid('notify_id must be an integer');
  return undefined;
}
