/**
 * One tenant's Meizu Flyme Push settings (docs/vendors/meizu.md). `rateLimit` is stripped by the
 * core before this schema runs.
 */
import { z } from 'zod';
import { categoryMapSchema, type MessageCategory } from '../categories.js';
import { caSchema } from '../shared/config-files.js';
import { MEIZU_REGION_HOSTS, type MeizuMessageClass, type MeizuRegion } from './meizu.wire.js';

const REGIONS = Object.keys(MEIZU_REGION_HOSTS) as [MeizuRegion, ...MeizuRegion[]];
const CLASSES = ['public', 'private'] as const satisfies readonly MeizuMessageClass[];

/**
 * Every pushgate category → Meizu message class (`noticeBarInfo.noticeMsgType`,
 * docs/vendors/meizu.md#categories). Since 2025-05-07 private messages (私信) are unlimited and
 * public ones (公信) are capped per device per day; Meizu's private class is for communication and
 * service messages the user expects (chat, account, orders, reminders), so the communication &
 * service group of providers/categories.ts is private and content/marketing is public. A tenant
 * re-maps a category with `categories` (e.g. if Meizu has not approved its private messages).
 */
export const MEIZU_CATEGORY_CLASS: Readonly<Record<MessageCategory, MeizuMessageClass>> = {
  im: 'private',
  chat: 'private',
  message: 'private',
  call: 'private',
  voip: 'private',
  account: 'private',
  security: 'private',
  order: 'private',
  logistics: 'private',
  payment: 'private',
  finance: 'private',
  reminder: 'private',
  todo: 'private',
  schedule: 'private',
  calendar: 'private',
  device: 'private',
  device_reminder: 'private',
  alarm: 'private',
  subscription: 'private',
  travel: 'private',
  health: 'private',
  work: 'private',
  mail: 'private',
  news: 'public',
  content: 'public',
  recommendation: 'public',
  social: 'public',
  marketing: 'public',
  promotion: 'public',
};

export const meizuConfigSchema = z
  .object({
    /** The app's AppId from the Meizu push console, sent as form field `appId` (a number, kept as text). */
    appId: z
      .union([z.string(), z.number().int().positive()])
      .transform(String)
      .pipe(z.string().regex(/^\d{1,20}$/, 'appId is the numeric AppId from the Meizu push console')),
    /** The AppSecret: signs every request (`sign`), never sent itself (docs/vendors/meizu.md#authentication). */
    appSecret: z.string().min(1, 'appSecret is the AppSecret from the Meizu push console'),
    /** china → server-api-push.meizu.com, overseas → server-api-push.in.meizu.com. Default china. */
    region: z.enum(REGIONS).default('china'),
    /** Base URL overriding `region` (a simulator, a proxy). */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    /** Category → `public` | `private` over the built-in table; `default` for messages without a category (else public). */
    categories: categoryMapSchema(z.enum(CLASSES), { withDefault: true }).default({}),
    /**
     * Send data-only messages as Meizu pass-through messages (`unvarnished/pushByPushId`). Off by
     * default: Meizu restricts pass-through since 2018-06-16 and may refuse it (110053); without it a
     * data-only message is refused at accept (`data_only_unsupported`) for Meizu devices.
     */
    passThrough: z.boolean().default(false),
    /** `restrictedPackageNames` form field (multi-package apps, ≤ 50). */
    restrictedPackageNames: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/, 'an Android package name such as com.example.app')).max(50).optional(),
    /**
     * The access token set for the receipt URL in the Meizu console (配置管理 → 回执管理). When set,
     * receipts are authenticated by it; otherwise by the per-tenant secret in the callback URL.
     */
    receiptAccessToken: z.string().min(1).optional(),
    /** Extra CA (PEM) (or a PEM file's path) to trust, for a TLS simulator or proxy. */
    ca: caSchema.optional(),
    /** Per-request timeout in milliseconds. Default 15000. */
    timeoutMs: z.number().int().positive().max(120_000).default(15_000),
  })
  .strict();

export type MeizuConfig = z.output<typeof meizuConfigSchema>;

/** The base URL requests go to: `endpoint` when set, else the region's host. */
export function meizuBaseUrl(config: Pick<MeizuConfig, 'endpoint' | 'region'>): string {
  return (config.endpoint ?? MEIZU_REGION_HOSTS[config.region]).replace(/\/+$/, '');
}

/**
 * Meizu's message class for a category: the tenant's `categories` entry, else the built-in table,
 * else (no category, or a stored one predating the closed list) `categories.default`, else public,
 * Meizu's own default.
 */
export function meizuClassOf(category: string | undefined, config: Pick<MeizuConfig, 'categories'>): MeizuMessageClass {
  const own = config.categories;
  if (category !== undefined && Object.hasOwn(own, category)) return own[category] as MeizuMessageClass;
  if (category !== undefined && Object.hasOwn(MEIZU_CATEGORY_CLASS, category)) return MEIZU_CATEGORY_CLASS[category as MessageCategory];
  return (own.default as MeizuMessageClass | undefined) ?? 'public';
}
