import { MESSAGE_CATEGORIES } from '../categories.js';
import type { OutgoingMessage } from '../types.js';
import { honorConfigSchema } from './honor.config.js';
import {
  buildHonorSendHeaders,
  buildHonorSendRequest,
  buildHonorTokenRequest,
  HONOR_IMPORTANCE_MAP,
  honorClickAction,
  honorImportanceOf,
  honorOverridesSchema,
  honorQuotaClassOf,
  honorSendPath,
  honorTtl,
} from './honor.request.js';

const NOW = 1_700_000_000_000;
const msg = (m: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id: 'msg_1',
  notification: { title: 'Hi', body: 'New message' },
  data: {},
  options: { priority: 'normal', category: 'im' },
  createdAt: NOW,
  ...m,
});

describe('honor categories', () => {
  it('maps every pushgate category to an importance (service NORMAL, news & marketing LOW)', () => {
    expect(Object.keys(HONOR_IMPORTANCE_MAP).sort()).toEqual([...MESSAGE_CATEGORIES].sort());
    const low = ['news', 'content', 'recommendation', 'social', 'marketing', 'promotion'];
    for (const c of MESSAGE_CATEGORIES) expect([c, HONOR_IMPORTANCE_MAP[c]]).toEqual([c, low.includes(c) ? 'LOW' : 'NORMAL']);
  });

  it('gives the quota class that follows: service for NORMAL, marketing for LOW and for no category', () => {
    expect(honorQuotaClassOf('im')).toBe('service');
    expect(honorQuotaClassOf('order')).toBe('service');
    expect(honorQuotaClassOf('marketing')).toBe('marketing');
    expect(honorQuotaClassOf('news')).toBe('marketing');
    expect(honorQuotaClassOf(undefined)).toBe('marketing');
    expect(honorQuotaClassOf('legacy-name')).toBe('marketing');
    expect(honorImportanceOf('legacy-name')).toBeUndefined();
  });
});

describe('honor request builders', () => {
  const config = honorConfigSchema.parse({ appId: '104436234', clientId: 'cid', clientSecret: 's3cret' });

  it('defaults to the honor.com hosts, /auth/token and /api/v1/{appId}/sendMessage', () => {
    expect(config.endpoint).toBe('https://push-api.cloud.honor.com');
    expect(config.authEndpoint).toBe('https://iam.developer.honor.com');
    expect(honorSendPath(config)).toBe('/api/v1/104436234/sendMessage');
    expect(buildHonorTokenRequest(config)).toEqual({
      path: '/auth/token',
      body: 'grant_type=client_credentials&client_id=cid&client_secret=s3cret',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  });

  it('takes the hihonor.com hosts and the Keycloak token path from config, and refuses a send path without {appId}', () => {
    const c = honorConfigSchema.parse({
      appId: '1',
      clientId: 'c',
      clientSecret: 's',
      endpoint: 'https://push-api.cloud.hihonor.com',
      authEndpoint: 'https://iam.developer.hihonor.com',
      tokenPath: '/auth/realms/developer/protocol/openid-connect/token',
    });
    expect(buildHonorTokenRequest(c).path).toBe('/auth/realms/developer/protocol/openid-connect/token');
    expect(c.endpoint).toBe('https://push-api.cloud.hihonor.com');
    expect(honorConfigSchema.safeParse({ appId: '1', clientId: 'c', clientSecret: 's', sendPath: '/api/v1/sendMessage' }).success).toBe(false);
  });

  it('sends the Bearer token, JSON content type and the timestamp header in milliseconds', () => {
    expect(buildHonorSendHeaders('tok', NOW + 0.7)).toEqual({
      authorization: 'Bearer tok',
      'content-type': 'application/json; charset=UTF-8',
      timestamp: '1700000000000',
    });
  });

  it('builds a notification body without a message wrapper, importance from the category', () => {
    const body = buildHonorSendRequest(msg({ data: { chat: '7' } }), ['t1', 't2'], 'ref-1', NOW);
    expect(body).toEqual({
      token: ['t1', 't2'],
      data: '{"chat":"7"}',
      android: {
        biTag: 'ref-1',
        notification: { title: 'Hi', body: 'New message', clickAction: { type: 3 }, importance: 'NORMAL' },
      },
    });
  });

  it('builds a pass-through body for a data-only message ("{}" at least), with no notification', () => {
    expect(buildHonorSendRequest(msg({ notification: undefined, data: { k: 'v' } }), ['t'], 'r', NOW)).toEqual({ token: ['t'], data: '{"k":"v"}', android: { biTag: 'r' } });
    expect(buildHonorSendRequest(msg({ notification: undefined }), ['t'], 'r', NOW).data).toBe('{}');
  });

  it('marks marketing LOW, drops its image (NORMAL only), and omits importance without a category', () => {
    const n = { title: 't', body: 'b', image: 'https://x/i.png' };
    expect(buildHonorSendRequest(msg({ notification: n, options: { priority: 'normal', category: 'marketing' } }), ['t'], 'r', NOW).android?.notification).toEqual({
      title: 't',
      body: 'b',
      clickAction: { type: 3 },
      importance: 'LOW',
    });
    expect(buildHonorSendRequest(msg({ notification: n }), ['t'], 'r', NOW).android?.notification?.image).toBe('https://x/i.png');
    expect(buildHonorSendRequest(msg({ options: { priority: 'high' } }), ['t'], 'r', NOW).android?.notification).not.toHaveProperty('importance');
  });

  it('sends the remaining TTL as "<n>s", capped at 15 days, and collapseKey as tag', () => {
    const m = msg({ options: { priority: 'normal', ttlSeconds: 600, collapseKey: 'score' } });
    const body = buildHonorSendRequest(m, ['t'], 'r', NOW + 120_500);
    expect(body.android?.ttl).toBe('479s');
    expect(body.android?.notification?.tag).toBe('score');
    expect(buildHonorSendRequest(msg({ options: { priority: 'normal', ttlSeconds: 30 * 86400 } }), ['t'], 'r', NOW).android?.ttl).toBe('1296000s');
    expect(honorTtl(-5)).toBe('0s');
  });

  it('maps click actions: url → 2, intent URI → 1 intent, action name → 1 action, app → 3', () => {
    expect(honorClickAction({ type: 'url', value: 'https://a.b' })).toEqual({ type: 2, url: 'https://a.b' });
    expect(honorClickAction({ type: 'intent', value: 'intent://x#Intent;end' })).toEqual({ type: 1, intent: 'intent://x#Intent;end' });
    expect(honorClickAction({ type: 'intent', value: 'com.acme.OPEN' })).toEqual({ type: 1, action: 'com.acme.OPEN' });
    expect(honorClickAction({ type: 'app' })).toEqual({ type: 3 });
    expect(honorClickAction(undefined)).toEqual({ type: 3 });
  });

  it('puts the honor overrides slice in android / android.notification', () => {
    const overrides = honorOverridesSchema.parse({ notifyId: 5, group: 'g', targetUserType: 1, badge: { badgeClass: 'com.acme.Main' } });
    const m = msg({ notification: { title: 't', body: 'b', badge: 120 }, options: { priority: 'normal' } });
    expect(buildHonorSendRequest(m, ['t'], 'r', NOW, undefined)).toEqual(buildHonorSendRequest(m, ['t'], 'r', NOW, {}));
    const body = buildHonorSendRequest(m, ['t'], 'r', NOW, overrides);
    expect(body.android?.targetUserType).toBe(1);
    expect(body.android?.notification).toMatchObject({ notifyId: 5, group: 'g', badge: { badgeClass: 'com.acme.Main', setNum: 99 } });
    expect(body.android?.notification).not.toHaveProperty('tag');
    expect(body.android?.notification).not.toHaveProperty('targetUserType');
  });

  it('validates overrides: unknown keys, big text without its fields, more than 3 buttons are refused', () => {
    expect(honorOverridesSchema.safeParse({ importance: 'NORMAL' }).success).toBe(false);
    expect(honorOverridesSchema.safeParse({ style: 1, bigTitle: 't' }).success).toBe(false);
    expect(honorOverridesSchema.safeParse({ style: 1, bigTitle: 't', bigBody: 'b' }).success).toBe(true);
    expect(honorOverridesSchema.safeParse({ buttons: Array.from({ length: 4 }, () => ({ name: 'b', actionType: 0 })) }).success).toBe(false);
  });
});
