/**
 * What @parse/node-apn 8.1.0 really returns and accepts where its bundled index.d.ts is wrong or
 * silent (docs/vendors/apns.md#authentication, #transport; lib/client.js, lib/provider.js):
 * - a failure's `status` is a number and `timestamp` a number (ms), and transport failures carry
 *   only `error` (a VError) — no status; ExpiredProviderToken and 500 InternalServerError come
 *   back with the reason in `error.message` (or lost), not in `response`;
 * - every option is passed on to `http2.connect`/`tls.connect`, so `host` redirects the TCP
 *   connection while `address` stays Apple's host name (SNI and `:authority`);
 * - `provider.client.session` is the current HTTP/2 session (internal; read only to tell a new
 *   session from a warmed one).
 */
import type { ProviderOptions } from '@parse/node-apn';

export interface NodeApnSent {
  device: string;
  'apns-id'?: string;
  'apns-unique-id'?: string;
}

export interface NodeApnFailure {
  device?: string;
  'apns-id'?: string;
  /** A number for HTTP answers; absent (or a "(timeout)"-style string) for transport failures. */
  status?: number | string;
  response?: { reason?: string; timestamp?: number | string };
  error?: { message?: string } | string;
  /** Deleted by node-apn 8.1.0 before it returns (lib/client.js:223); read in case a later version keeps it. */
  retryAfter?: number | string;
}

export interface NodeApnOptions extends Omit<ProviderOptions, 'ca'> {
  /** TCP connect target passed through to tls.connect (node-apn connects to `https://${address}`). */
  host?: string;
  ca?: string[];
}

/** The internal client, read defensively: absent in node-apn's mock. */
export interface NodeApnClientInternals {
  session?: { closed: boolean; destroyed: boolean; destroy(): void } | null;
}
