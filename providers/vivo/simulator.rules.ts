/**
 * What the vivo simulator checks, written from vivo's documentation (docs/vendors/vivo.md), not taken
 * from the adapter: when the two disagree, a test sees it.
 */

/** The four APIs (docs/vendors/vivo.md#endpoints). */
export const PATHS = { auth: '/message/auth', send: '/message/send', saveListPayload: '/message/saveListPayload', pushToList: '/message/pushToList' } as const;
/** Field limits (docs/vendors/vivo.md#request, #limits); widths count a Chinese character as 2 (`vivoWidth`). */
export const LIMITS = {
  titleWidth: 40,
  contentWidth: 100,
  requestIdLength: 64,
  skipUrlLength: 1000,
  skipIntentLength: 1024,
  customMapPairs: 10,
  customMapChars: 1024,
  callbackUrlLength: 128,
  callbackParamLength: 64,
  singleTtlMin: 60,
  listTtlMin: 900,
  ttlMax: 604_800,
  listMinTargets: 2,
  listMaxTargets: 1000,
  /** /message/auth refuses a timestamp more than 10 minutes off (docs/vendors/vivo.md#authentication). */
  authSkewMs: 10 * 60_000,
  /** authToken life: 24 h (docs/vendors/vivo.md#authentication). */
  tokenLifetimeMs: 24 * 3_600_000,
} as const;
/** Result codes (docs/vendors/vivo.md#authentication, #error-codes-and-outcomes). */
export const CODES = {
  ok: 0,
  authTokenInvalid: 10000,
  quotaTotal: 10070,
  tooFrequent: 10072,
  appIdMismatch: 10094,
  categoryInvalid: 10096,
  categoryMismatch: 10097,
  listSizeInvalid: 10153,
  authAppIdEmpty: 10200,
  authAppKeyEmpty: 10201,
  authAppKeyIllegal: 10202,
  authTimestampEmpty: 10203,
  authSignEmpty: 10204,
  authAppIdUnknown: 10205,
  authSignError: 10206,
  authTimestampInvalid: 10207,
  authRateLimited: 10250,
  targetInvalid: 10302,
  requestIdInvalid: 10353,
  classificationError: 11000,
} as const;
/** Second-level categories by classification (https://dev.vivo.com.cn/documentCenter/doc/359; docs/vendors/vivo.md#categories). */
const SYSTEM_CATEGORIES = ['IM', 'ACCOUNT', 'TODO', 'DEVICE_REMINDER', 'ORDER', 'SUBSCRIPTION'];
const OPERATION_CATEGORIES = ['NEWS', 'CONTENT', 'MARKETING', 'SOCIAL'];

/**
 * Text length as vivo's doc counts it: "a Chinese character equals two English characters, an emoji
 * counts one" (最大20个汉字（一个汉字等于两个英文字符，一个表情占一个字符）, docs/vendors/vivo.md#limits). Han
 * ideographs and CJK punctuation / full-width forms count 2, every other code point 1.
 */
export function vivoWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\p{Script=Han}\u3000-\u303f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return width;
}

export interface Answer {
  result: number;
  desc: string;
  [k: string]: unknown;
}

const SYSTEM: ReadonlySet<string> = new Set(SYSTEM_CATEGORIES);
const CATEGORIES: ReadonlySet<string> = new Set([...SYSTEM_CATEGORIES, ...OPERATION_CATEGORIES]);

export function ok(extra: Record<string, unknown> = {}): Answer {
  return { result: 0, desc: '请求成功', ...extra };
}
export function err(result: number, desc: string): Answer {
  return { result, desc };
}
export function empty(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/** The first field rule a message breaks, as vivo's code (docs/vendors/vivo.md#request); undefined when it is acceptable. */
export function validateMessage(b: Record<string, unknown>, endpoint: 'send' | 'saveListPayload'): Answer | undefined {
  if (endpoint === 'send' && empty(b['regId']) && empty(b['alias'])) return err(10050, 'alias和regId不能同时为空');
  const notifyType = b['notifyType'];
  if (![1, 2, 3, 4].includes(notifyType as number)) return err(10054, 'notifyType不合法');
  const title = b['title'];
  if (typeof title !== 'string' || !title.trim()) return err(10055, 'title不能为空');
  if (vivoWidth(title) > LIMITS.titleWidth) return err(10056, 'title长度超出限制');
  const content = b['content'];
  if (typeof content !== 'string' || !content.trim()) return err(10057, 'content不能为空');
  if (vivoWidth(content) > LIMITS.contentWidth) return err(10058, 'content长度超出限制');
  const skipType = b['skipType'];
  if (![1, 2, 3, 4].includes(skipType as number)) return err(10059, 'skipType不合法');
  if (skipType !== 1) {
    const sc = b['skipContent'];
    const max = skipType === 2 ? LIMITS.skipUrlLength : LIMITS.skipIntentLength;
    if (typeof sc !== 'string' || !sc || sc.length > max) return err(10059, 'skipContent不合法');
  }
  const ttl = b['timeToLive'];
  if (ttl !== undefined) {
    const min = endpoint === 'send' ? LIMITS.singleTtlMin : LIMITS.listTtlMin;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < min || ttl > LIMITS.ttlMax) return err(10060, 'timeToLive不合法');
  }
  const map = b['clientCustomMap'];
  if (map !== undefined) {
    if (!map || typeof map !== 'object') return err(10061, 'clientCustomMap不合法');
    const entries = Object.entries(map as Record<string, unknown>);
    const chars = entries.reduce((s, [k, v]) => s + k.length + String(v).length, 0);
    if (entries.length > LIMITS.customMapPairs || chars > LIMITS.customMapChars) return err(10061, 'clientCustomMap超出限制');
  }
  const extra = b['extra'];
  if (extra !== undefined) {
    const e = (extra && typeof extra === 'object' ? extra : {}) as Record<string, unknown>;
    const cb = e['callback'];
    const param = e['callback.param'];
    if (cb !== undefined && (typeof cb !== 'string' || cb.length > LIMITS.callbackUrlLength)) return err(10062, 'callback不合法');
    if (param !== undefined && (typeof param !== 'string' || param.length > LIMITS.callbackParamLength)) return err(10063, 'callback.param不合法');
  }
  const classification = b['classification'] ?? 0;
  if (classification !== 0 && classification !== 1) return err(CODES.classificationError, 'classification不合法');
  const category = b['category'];
  if (category !== undefined) {
    if (typeof category !== 'string' || !CATEGORIES.has(category)) return err(CODES.categoryInvalid, 'category不合法');
    if (SYSTEM.has(category) !== (classification === 1)) return err(CODES.categoryMismatch, 'category与classification不匹配');
  }
  if (b['pushMode'] !== undefined && b['pushMode'] !== 0 && b['pushMode'] !== 1) return err(10064, 'pushMode不合法');
  return undefined;
}
