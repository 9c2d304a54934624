/**
 * The one list of vendors. Config sections, token validation, metrics labels and the API all
 * derive from it: adding a vendor is its folder plus one line here.
 */
import type { AnyProviderDefinition } from './types.js';
import { apnsProvider } from './apns/index.js';
import { fcmProvider } from './fcm/index.js';
import { honorProvider } from './honor/index.js';
import { harmonyProvider } from './harmony/index.js';
import { huaweiProvider } from './huawei/index.js';
import { meizuProvider } from './meizu/index.js';
import { oppoProvider } from './oppo/index.js';
import { rongcloudProvider } from './rongcloud/index.js';
import { vivoProvider } from './vivo/index.js';
import { xiaomiProvider } from './xiaomi/index.js';

export const providers: readonly AnyProviderDefinition[] = [
  xiaomiProvider,
  huaweiProvider,
  harmonyProvider,
  vivoProvider,
  oppoProvider,
  rongcloudProvider,
  fcmProvider,
  apnsProvider,
  honorProvider,
  meizuProvider,
];
