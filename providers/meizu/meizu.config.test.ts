import { MESSAGE_CATEGORIES } from '../categories.js';
import { MEIZU_CATEGORY_CLASS, meizuBaseUrl, meizuClassOf, meizuConfigSchema } from './meizu.config.js';

const sorted = (keys: Iterable<string>) => [...keys].sort();

describe('meizu config', () => {
  it('maps every pushgate category to a Meizu class, and nothing else', () => {
    expect(sorted(Object.keys(MEIZU_CATEGORY_CLASS))).toEqual(sorted(MESSAGE_CATEGORIES));
    for (const c of Object.values(MEIZU_CATEGORY_CLASS)) expect(['public', 'private']).toContain(c);
  });

  it('makes communication and service private, content and marketing public, no category public', () => {
    const config = meizuConfigSchema.parse({ appId: '1', appSecret: 's' });
    expect(meizuClassOf('im', config)).toBe('private');
    expect(meizuClassOf('order', config)).toBe('private');
    expect(meizuClassOf('marketing', config)).toBe('public');
    expect(meizuClassOf('news', config)).toBe('public');
    expect(meizuClassOf(undefined, config)).toBe('public');
    expect(meizuClassOf('legacy-name', config)).toBe('public');
  });

  it('lets a tenant re-map a category and the default', () => {
    const config = meizuConfigSchema.parse({ appId: 1, appSecret: 's', categories: { im: 'public', default: 'private' } });
    expect(config.appId).toBe('1');
    expect(meizuClassOf('im', config)).toBe('public');
    expect(meizuClassOf('chat', config)).toBe('private');
    expect(meizuClassOf(undefined, config)).toBe('private');
  });

  it('refuses unknown keys, categories and a non-numeric appId', () => {
    expect(meizuConfigSchema.safeParse({ appId: '1', appSecret: 's', appKey: 'k' }).success).toBe(false);
    expect(meizuConfigSchema.safeParse({ appId: '1', appSecret: 's', categories: { promo: 'public' } }).error?.issues[0]?.message).toContain('"promo" is not a pushgate category');
    expect(meizuConfigSchema.safeParse({ appId: 'abc', appSecret: 's' }).success).toBe(false);
  });

  it('picks the host by region unless an endpoint is given', () => {
    expect(meizuBaseUrl(meizuConfigSchema.parse({ appId: '1', appSecret: 's' }))).toBe('https://server-api-push.meizu.com');
    expect(meizuBaseUrl(meizuConfigSchema.parse({ appId: '1', appSecret: 's', region: 'overseas' }))).toBe('https://server-api-push.in.meizu.com');
    expect(meizuBaseUrl(meizuConfigSchema.parse({ appId: '1', appSecret: 's', endpoint: 'http://127.0.0.1:9/' }))).toBe('http://127.0.0.1:9');
  });
});
