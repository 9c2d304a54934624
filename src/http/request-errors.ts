/**
 * Requests that cannot even be read are the client's fault, never a 500: a malformed percent-escape
 * in the path or query, a corrupt compressed body, a body larger than `server.bodyLimit`. Each
 * becomes an `ApiError` naming what is wrong and how to fix it.
 */
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './errors.js';

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** `64kb` → 65536, with the units the config schema allows (b, kb, mb; 1024-based like body-parser's `bytes`). */
export function limitBytes(limit: string): number {
  const m = /^(\d+)(b|kb|mb)$/i.exec(limit.trim());
  if (!m) throw new Error(`not a body size: ${limit}`);
  return Number(m[1]) * (UNITS[(m[2] as string).toLowerCase()] as number);
}

export function tooLarge(limit: string): ApiError {
  // Connection: close, so Node drops the socket instead of waiting for a body nobody will read.
  return new ApiError('body_too_large', `The body is larger than the limit of ${limit} (server.bodyLimit). Split the request.`, undefined, { connection: 'close' });
}

/**
 * A declared Content-Length above the limit is refused from the headers alone: body-parser would
 * otherwise read (and discard) the whole body before answering 413.
 */
export function refuseOversizeBody(limit: string) {
  const max = limitBytes(limit);
  return (req: Request, _res: Response, next: NextFunction) => {
    const declared = Number(req.headers['content-length']);
    next(Number.isFinite(declared) && declared > max ? tooLarge(limit) : undefined);
  };
}

/**
 * Every query string is checked up front, so a malformed escape is a 400 on every route, not a
 * silently mangled value (the "simple" query parser replaces bad escapes with U+FFFD).
 */
export function checkQueryEncoding(req: Request, _res: Response, next: NextFunction): void {
  const at = req.originalUrl.indexOf('?');
  if (at < 0) return next();
  for (const pair of req.originalUrl.slice(at + 1).split('&')) {
    for (const part of pair.split('=', 2)) {
      try {
        decodeURIComponent(part.replace(/\+/g, ' '));
      } catch {
        const name = safeDecode(pair.split('=', 1)[0] ?? '');
        return next(
          new ApiError('invalid_request', `The query string has a malformed percent-escape in "${pair}": every % must start a UTF-8 escape such as %20 (send a literal % as %25).`, [
            { field: name ? `query.${name}` : 'query', message: 'malformed percent-escape' },
          ]),
        );
      }
    }
  }
  next();
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return '';
  }
}

interface HttpishError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  limit?: unknown;
  message?: unknown;
}

/** The 4xx status a library put on its error (body-parser, router, http-errors), if any. */
function clientStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as HttpishError;
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  return status !== undefined && status >= 400 && status <= 499 ? status : undefined;
}

/**
 * A library error that carries a 4xx status → the API error that tells the client what to fix;
 * undefined for anything else (a bug: the caller answers 500).
 */
export function clientError(err: unknown, req: Request, bodyLimit: string): ApiError | undefined {
  const status = clientStatus(err);
  if (status === undefined) return undefined;
  const e = err as HttpishError;
  const message = typeof e.message === 'string' ? e.message : '';
  switch (e.type) {
    case 'entity.too.large':
      return tooLarge(bodyLimit);
    case 'entity.parse.failed':
      return new ApiError('malformed_json', 'The body is not valid JSON. Check quoting and commas.');
    case 'encoding.unsupported':
      return new ApiError('unsupported_media_type', `${message}: send the body uncompressed, or with Content-Encoding gzip, deflate or br.`);
    case 'charset.unsupported':
      return new ApiError('unsupported_media_type', 'Send the body as UTF-8 JSON (Content-Type: application/json).');
    case 'request.size.invalid':
      return new ApiError('invalid_request', 'The body is shorter or longer than its Content-Length header. Send the Content-Length of the bytes actually sent.');
    case 'request.aborted':
      return new ApiError('invalid_request', 'The client closed the connection before the whole body arrived.');
  }
  // router: decodeURIComponent of a path parameter failed (it sets status 400 on the URIError).
  if (err instanceof URIError) {
    return new ApiError('invalid_request', `The path has a malformed percent-escape (${message.replace(/^Failed to decode param /, '')}): every % must start a UTF-8 escape such as %20 (send a literal % as %25).`, [
      { field: 'path', message: 'malformed percent-escape' },
    ]);
  }
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (e.type === undefined && encoding !== 'identity') {
    // zlib's Z_DATA_ERROR / Z_BUF_ERROR / brotli decoder errors, wrapped by body-parser.
    return new ApiError(
      'invalid_request',
      `The body could not be decompressed as Content-Encoding ${encoding} (${message || 'corrupt data'}): it is corrupt, truncated or empty. Send the complete compressed body, or drop the Content-Encoding header.`,
      [{ field: '(body)', message: `not valid ${encoding} data` }],
    );
  }
  if (status === 413) return tooLarge(bodyLimit);
  if (status === 415) return new ApiError('unsupported_media_type', 'Send the body as UTF-8 JSON (Content-Type: application/json).');
  return new ApiError('invalid_request', `The request could not be read${message ? `: ${message}` : ''}.`);
}
