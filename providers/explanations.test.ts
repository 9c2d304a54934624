/**
 * Every vendor code an adapter maps explicitly to an outcome (its errors.ts table) has an explanation
 * under the key the adapter records it as; success codes need none. The tables are data, so the check
 * is a set comparison per vendor (the conformance suite checks the shape of every table, and that the
 * codes recorded in its scenarios are explained).
 */
import { APNS_EXPLANATIONS } from './apns/apns.errors.js';
import { FCM_EXPLANATIONS } from './fcm/fcm.errors.js';
import { HARMONY_EXPLANATIONS, HARMONY_OUTCOMES } from './harmony/harmony.errors.js';
import { HONOR_EXPLANATIONS } from './honor/honor.errors.js';
import { HONOR_HMS_CODES } from './honor/honor.wire.js';
import { HUAWEI_EXPLANATIONS, HUAWEI_OUTCOMES } from './huawei/huawei.errors.js';
import { MEIZU_EXPLANATIONS, MEIZU_REQUEST_OUTCOMES, MEIZU_TARGET_OUTCOMES } from './meizu/meizu.errors.js';
import { MeizuCode } from './meizu/meizu.wire.js';
import { OPPO_EXPLANATIONS, oppoOutcomeTable } from './oppo/oppo.errors.js';
import { RONGCLOUD_EXPLANATIONS, classifyRongCloud } from './rongcloud/rongcloud.errors.js';
import { RC_CODES } from './rongcloud/rongcloud.wire.js';
import type { CodeExplanation, Outcome } from './types.js';
import { VIVO_EXPLANATIONS, vivoOutcome } from './vivo/vivo.errors.js';
import { VIVO_CODES } from './vivo/vivo.wire.js';
import { XIAOMI_EXPLANATIONS, XIAOMI_OUTCOMES } from './xiaomi/xiaomi.errors.js';

/** The codes of a table that are not `sent`, as strings (how the adapters record them). */
const failing = (entries: Iterable<[string | number, Outcome]>) => [...entries].filter(([, o]) => o !== 'sent').map(([c]) => String(c));
const missing = (codes: string[], table: Readonly<Record<string, CodeExplanation>>) => codes.filter((c) => !Object.hasOwn(table, c));

describe('each vendor explains every code it maps to an outcome', () => {
  it.each<[string, string[], Readonly<Record<string, CodeExplanation>>]>([
    ['huawei', failing(Object.entries(HUAWEI_OUTCOMES)), HUAWEI_EXPLANATIONS],
    ['harmony', [...failing(Object.entries(HARMONY_OUTCOMES)), '80100000', '80300007'], HARMONY_EXPLANATIONS],
    ['honor', [HONOR_HMS_CODES.OAUTH_AUTH_ERROR, HONOR_HMS_CODES.OAUTH_TOKEN_EXPIRED], HONOR_EXPLANATIONS],
    ['xiaomi', [...failing(XIAOMI_OUTCOMES), 'bad_regids'], XIAOMI_EXPLANATIONS],
    ['vivo', failing(Object.values(VIVO_CODES).map((c) => [c, vivoOutcome(c)] as [number, Outcome])), VIVO_EXPLANATIONS],
    ['oppo', failing(oppoOutcomeTable().map((r) => [r.code, r.outcome] as [number, Outcome])), OPPO_EXPLANATIONS],
    ['meizu', [...failing(MEIZU_REQUEST_OUTCOMES), ...failing(MEIZU_TARGET_OUTCOMES), MeizuCode.pushIdNotRegistered, MeizuCode.illegalPushId, 'invalid_request'], MEIZU_EXPLANATIONS],
    ['rongcloud', [...failing(Object.values(RC_CODES).map((c) => [c, classifyRongCloud(200, c).outcome] as [number, Outcome])), 'data_only'], RONGCLOUD_EXPLANATIONS],
    // The codes fcmOutcomeOf names (the others it decides by HTTP status, recorded as http_<status>).
    [
      'fcm',
      ['UNREGISTERED', 'NOT_FOUND', 'SENDER_ID_MISMATCH', 'INVALID_ARGUMENT', 'QUOTA_EXCEEDED', 'RESOURCE_EXHAUSTED', 'UNAVAILABLE', 'INTERNAL', 'UNAUTHENTICATED', 'THIRD_PARTY_AUTH_ERROR', 'APNS_AUTH_ERROR', 'PERMISSION_DENIED'],
      FCM_EXPLANATIONS,
    ],
    // Every reason is explained by type (a Record over ApnsReason); these are the ones apnsOutcome names, plus pushgate's own two.
    ['apns', ['Unregistered', 'ExpiredToken', 'DeviceTokenNotForTopic', 'BadDeviceToken', 'Forbidden', 'InvalidProviderToken', 'TooManyRequests', 'PayloadTooLarge', 'transport', 'credentials'], APNS_EXPLANATIONS],
  ])('%s', (_vendor, codes, table) => {
    expect(codes.length).toBeGreaterThan(0);
    expect(missing(codes, table)).toEqual([]);
  });
});
