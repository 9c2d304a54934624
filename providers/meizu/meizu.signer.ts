/**
 * Meizu's request signature (docs/vendors/meizu.md#authentication; "接口签名规范" in
 * https://github.com/MEIZUPUSH/PushAPI). Meizu has no token exchange: the appSecret never leaves
 * pushgate, every request carries `sign` computed from all its other parameters.
 *
 * This is the adapter's whole credential handling, kept in one class so the provider kit's shared
 * credential cache has nothing to replace here (a static secret has nothing to cache or refresh).
 */
import { createHash } from 'node:crypto';

/**
 * `sign` for a request's parameters, exactly as documented:
 * 1. every parameter except `sign` itself, with its raw value (not URL-encoded); a parameter sent
 *    with an empty value is included as `name=` (the official SDK signs every entry of its map);
 * 2. sorted by name in ascending dictionary order (Java `TreeMap<String,…>`: UTF-16 code units,
 *    which is also JavaScript's default sort);
 * 3. `name=value` pairs concatenated with no separator, then the appSecret appended;
 * 4. MD5 of that string as UTF-8, 32 lowercase hex digits.
 * Parameters whose value is `undefined` are not sent, so not signed.
 */
export function meizuSign(params: Readonly<Record<string, string | undefined>>, appSecret: string): string {
  return createHash('md5').update(meizuSignBase(params, appSecret), 'utf8').digest('hex');
}

/** The string the MD5 is taken of (exported for tests and for diagnosing a 1006 answer). */
export function meizuSignBase(params: Readonly<Record<string, string | undefined>>, appSecret: string): string {
  const names = Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== undefined)
    .sort();
  return names.map((k) => `${k}=${params[k] as string}`).join('') + appSecret;
}

/** The tenant's Meizu app credentials: adds `appId` and `sign` to a request's parameters. */
export class MeizuSigner {
  constructor(
    private readonly appId: string,
    private readonly appSecret: string,
  ) {}

  /** `params` plus `appId` and the `sign` over all of them, in the order they are sent. */
  signed<P extends Record<string, string | undefined>>(params: P): P & { appId: string; sign: string } {
    const withApp = { appId: this.appId, ...params };
    return { ...withApp, sign: meizuSign(withApp, this.appSecret) };
  }
}
