/**
 * One keep-alive axios client per vendor endpoint: vendor answers are
 * data, never exceptions, so every status resolves and the adapter's outcome table decides.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { ProviderDeps } from '../types.js';

export interface VendorHttpOptions {
  baseURL: string;
  timeoutMs?: number;
  /** Extra CA for TLS simulators. */
  ca?: string | undefined;
  maxSockets?: number;
  /**
   * The metrics label of an answer that failed (default `http_<status>` from 400 on). Vendors that answer errors
   * with HTTP 200 and a code (Xiaomi) label by that code.
   */
  errorReasonOf?: (res: AxiosResponse) => string | undefined;
  /** Hand bodies over as text, unparsed (vivo quotes its long numeric ids before parsing them). */
  rawText?: boolean;
}

export interface VendorHttp {
  client: AxiosInstance;
  /** POST and record duration / transport errors in the provider metrics. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<AxiosResponse>;
  close(): void;
}

export function createVendorHttp(opts: VendorHttpOptions, deps: Pick<ProviderDeps, 'observeRequest'>): VendorHttp {
  const maxSockets = opts.maxSockets ?? 64;
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets, ...(opts.ca ? { ca: opts.ca } : {}) });
  const client = axios.create({
    baseURL: opts.baseURL,
    timeout: opts.timeoutMs ?? 15_000,
    httpAgent,
    httpsAgent,
    proxy: false,
    validateStatus: () => true,
    // Vendor bodies are parsed by the adapter (Huawei puts JSON inside strings; some answer text).
    transitional: { silentJSONParsing: true, forcedJSONParsing: true, clarifyTimeoutError: true },
    maxRedirects: 0,
    ...(opts.rawText ? { responseType: 'text' as const, transformResponse: [(data: unknown) => data] } : {}),
  });
  const errorReasonOf = opts.errorReasonOf ?? ((res: AxiosResponse) => (res.status >= 400 ? `http_${res.status}` : undefined));
  return {
    client,
    async post(path, body, headers) {
      const started = process.hrtime.bigint();
      try {
        const res = await client.post(path, body, headers ? { headers } : {});
        deps.observeRequest(Number(process.hrtime.bigint() - started) / 1e9, errorReasonOf(res));
        return res;
      } catch (err) {
        deps.observeRequest(Number(process.hrtime.bigint() - started) / 1e9, transportReason(err));
        throw err;
      }
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** A bounded label for a transport failure (timeout, refused, reset…). */
export function transportReason(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code)) return code.toLowerCase();
  return 'transport';
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unparseable. */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = String(v).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
