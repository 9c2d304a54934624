/**
 * The closed list of cross-vendor message categories (`options.category`), defined once for the API,
 * the core and every vendor folder. Each vendor that classifies messages keys its mapping table by
 * `MessageCategory` (`Record<MessageCategory, …>`), so a vendor cannot map a name outside this list
 * and cannot forget one: the compiler and providers/categories.test.ts both check it.
 *
 * Every name an adapter mapped before the list was closed is kept as a category of its own (so no
 * sender breaks), grouped below by what the vendors' own classifications have in common. Tenants
 * cannot add categories in config: a tenant-only name would be unknown to every other vendor's table
 * and silently sent unclassified (counted as marketing by Huawei, OPPO and vivo). They can re-map a
 * category per vendor instead (vivo `categories`, the `channels` maps).
 */
import { z } from 'zod';

export const MESSAGE_CATEGORIES = [
  // Communication & service: the vendors' "system"/"service" classes, outside marketing quotas.
  'im',
  'chat',
  'message',
  'call',
  'voip',
  'account',
  'security',
  'order',
  'logistics',
  'payment',
  'finance',
  'reminder',
  'todo',
  'schedule',
  'calendar',
  'device',
  'device_reminder',
  'alarm',
  'subscription',
  'travel',
  'health',
  'work',
  'mail',
  // Content & marketing: capped per device per day by Huawei, OPPO and vivo.
  'news',
  'content',
  'recommendation',
  'social',
  'marketing',
  'promotion',
] as const;

export type MessageCategory = (typeof MESSAGE_CATEGORIES)[number];

const KNOWN: ReadonlySet<string> = new Set(MESSAGE_CATEGORIES);

export function isMessageCategory(value: unknown): value is MessageCategory {
  return typeof value === 'string' && KNOWN.has(value);
}

const listed = MESSAGE_CATEGORIES.join(', ');

/** One pushgate category, in a tenant's config (Xiaomi `privateCategories`). */
export const categoryKeySchema = z.string().refine((k): boolean => isMessageCategory(k), { error: (iss) => `"${String(iss.input)}" is not a pushgate category; use one of ${listed}` });

/**
 * A per-category map in a vendor's tenant config (`channels`, vivo `categories`…), with `default` as
 * a key where the map has a fallback: a typo or a category that does not exist is a start-up error
 * naming the key, rather than an entry that never matches.
 */
export function categoryMapSchema<V extends z.ZodType>(value: V, opts: { withDefault?: boolean } = {}) {
  return z.record(z.string(), value).superRefine((map, ctx) => {
    for (const key of Object.keys(map)) {
      if (isMessageCategory(key) || (opts.withDefault && key === 'default')) continue;
      ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not a pushgate category; use ${opts.withDefault ? 'default or ' : ''}one of ${listed}` });
    }
  });
}
