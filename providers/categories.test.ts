import { MESSAGE_CATEGORIES } from './categories.js';
import { HUAWEI_CATEGORY_MAP } from './huawei/huawei.request.js';
import { OPPO_CATEGORY_MAP } from './oppo/oppo.request.js';
import { RONGCLOUD_CATEGORIES } from './rongcloud/rongcloud.request.js';
import { VIVO_CATEGORY_TABLE } from './vivo/vivo.request.js';
import { DEFAULT_PRIVATE_CATEGORIES, xiaomiConfigSchema } from './xiaomi/xiaomi.config.js';
import { vivoConfigSchema } from './vivo/vivo.config.js';

const sorted = (keys: Iterable<string>) => [...keys].sort();

describe('the closed category list', () => {
  it.each<[string, object]>([
    ['huawei', HUAWEI_CATEGORY_MAP],
    ['vivo', VIVO_CATEGORY_TABLE],
    ['oppo', OPPO_CATEGORY_MAP],
    ['rongcloud', RONGCLOUD_CATEGORIES],
  ])('%s maps every pushgate category and nothing else', (_vendor, table) => {
    expect(sorted(Object.keys(table))).toEqual(sorted(MESSAGE_CATEGORIES));
  });

  it('has no duplicate and only lowercase names', () => {
    expect(new Set(MESSAGE_CATEGORIES).size).toBe(MESSAGE_CATEGORIES.length);
    for (const c of MESSAGE_CATEGORIES) expect(c).toMatch(/^[a-z_]+$/);
  });

  it("xiaomi's default private categories are pushgate categories", () => {
    for (const c of DEFAULT_PRIVATE_CATEGORIES) expect(MESSAGE_CATEGORIES).toContain(c);
  });

  it('refuses a category-keyed tenant map naming a category that does not exist', () => {
    const vivo = vivoConfigSchema.safeParse({ appId: '1', appKey: 'k', appSecret: 's', categories: { shipping: 'ORDER' } });
    expect(vivo.success).toBe(false);
    expect(vivo.error?.issues[0]?.message).toContain('"shipping" is not a pushgate category');
    const xiaomi = xiaomiConfigSchema.safeParse({ appSecret: 's', packageName: 'com.acme', channels: { default: '1', chat: '2', promo: '3' } });
    expect(xiaomi.error?.issues.map((i) => i.message)).toEqual([expect.stringContaining('"promo" is not a pushgate category; use default or one of')]);
  });
});
