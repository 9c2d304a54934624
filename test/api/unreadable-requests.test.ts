/**
 * Requests pushgate cannot read are the client's fault: a 4xx naming what to fix, never a 500.
 * Every route of the app's router is tried with malformed path escapes, a malformed query string
 * and broken compressed bodies; a Content-Length above server.bodyLimit is refused from the
 * headers alone.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { SERVER_KEY, testGateway, type TestGateway } from '../factories/gateway.js';

let t: TestGateway;
let server: http.Server;
let port: number;
beforeAll(async () => {
  t = await testGateway();
  server = t.gw.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await t.close();
});

/** A raw request with exactly these body bytes (supertest would JSON-encode a Buffer sent as JSON). */
async function raw(method: string, url: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: { error?: { code: string; message: string; details?: unknown } } }> {
  const req = http.request({ port, host: '127.0.0.1', method: method.toUpperCase(), path: url, headers: { authorization: `Bearer ${SERVER_KEY}`, ...headers } });
  req.on('error', () => undefined); // a server that answers early may close the socket under us
  if (body) req.end(body);
  else req.flushHeaders();
  const res = await new Promise<http.IncomingMessage>((resolve) => req.once('response', resolve));
  let text = '';
  for await (const chunk of res) text += String(chunk);
  req.destroy();
  return { status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) };
}

type Method = 'get' | 'post' | 'delete';
interface Route {
  method: Method;
  path: string;
}

/** Every route registered on the app, read from its router: a new route is covered without editing this file. */
function routes(): Route[] {
  const stack = (t.gw.app as unknown as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router.stack;
  const out: Route[] = [];
  for (const layer of stack) {
    if (!layer.route) continue;
    for (const m of Object.keys(layer.route.methods)) out.push({ method: m as Method, path: layer.route.path });
  }
  return out;
}

/** The route's path with each parameter filled: `bad` names the parameter to corrupt. */
function fill(path: string, bad?: string): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => (name === bad ? '%E0%A4%A' : 'x1'));
}

const json = Buffer.from(JSON.stringify({ to: { userIds: ['u'] }, notification: { title: 't', body: 'b' } }));
const gz = gzipSync(json);
const br = brotliCompressSync(json);
const bodies: Array<[string, string, Buffer]> = [
  ['a corrupt gzip body', 'gzip', Buffer.concat([gz.subarray(0, 10), Buffer.alloc(gz.length - 10, 0xa5)])],
  ['a truncated gzip body', 'gzip', gz.subarray(0, gz.length - 12)],
  ['an empty gzip body', 'gzip', Buffer.alloc(0)],
  ['a corrupt deflate body', 'deflate', Buffer.concat([deflateSync(json).subarray(0, 2), Buffer.alloc(24, 0xff)])],
  ['a corrupt br body', 'br', Buffer.concat([br.subarray(0, 4), Buffer.alloc(br.length, 0xff)])],
];

function send(r: Route, url: string) {
  return t.http[r.method](url).set('Authorization', `Bearer ${SERVER_KEY}`);
}

describe('unreadable requests on every route', () => {
  it('finds the routes (the list below is not empty)', () => {
    const all = routes();
    expect(all.length).toBeGreaterThanOrEqual(12);
    expect(all).toEqual(expect.arrayContaining([{ method: 'post', path: '/v1/receipts/:provider/:tenant' }, { method: 'get', path: '/v1/messages/:id' }]));
  });

  it('answers 400 invalid_request for a malformed percent-escape in each path parameter', async () => {
    const withParams = routes().filter((r) => r.path.includes(':'));
    expect(withParams.length).toBeGreaterThanOrEqual(4);
    for (const r of withParams) {
      for (const [, name] of r.path.matchAll(/:(\w+)/g)) {
        const res = await send(r, fill(r.path, name));
        expect({ route: `${r.method} ${r.path} (${name})`, status: res.status, code: res.body.error?.code }).toEqual({ route: `${r.method} ${r.path} (${name})`, status: 400, code: 'invalid_request' });
        expect(res.body.error.message).toMatch(/malformed percent-escape .*%25/);
      }
    }
  });

  it('answers 400 invalid_request for a malformed percent-escape in the query string', async () => {
    for (const r of routes()) {
      const res = await send(r, `${fill(r.path)}?userId=%E0%A4%A&limit=1`);
      expect({ route: `${r.method} ${r.path}`, status: res.status, code: res.body.error?.code }).toEqual({ route: `${r.method} ${r.path}`, status: 400, code: 'invalid_request' });
      expect(res.body.error.details).toEqual([{ field: 'query.userId', message: 'malformed percent-escape' }]);
    }
  });

  it.each(bodies)('answers 400 invalid_request for %s', async (_what, encoding, body) => {
    for (const r of routes()) {
      const res = await raw(r.method, fill(r.path), { 'content-type': 'application/json', 'content-encoding': encoding, 'content-length': String(body.length) }, body);
      expect({ route: `${r.method} ${r.path}`, status: res.status, code: res.body.error?.code }).toEqual({ route: `${r.method} ${r.path}`, status: 400, code: 'invalid_request' });
      expect(res.body.error?.message).toContain(`could not be decompressed as Content-Encoding ${encoding}`);
    }
  });

  it('still reads a well-formed gzip body', async () => {
    const res = await raw('post', '/v1/messages', { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(gz.length) }, gz);
    expect(res.status).toBe(202);
  });
});

describe('query parameters', () => {
  it('names an unknown query parameter and lists the allowed ones', async () => {
    const res = await t.server('get', '/v1/messages/m1?state=failed').expect(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request', details: [{ field: 'query.state', message: 'unknown query parameter state; allowed: limit, cursor' }] });
    expect(res.body.error.message).not.toMatch(/body/);
  });

  it('names a query parameter with a bad value or given twice', async () => {
    const bad = await t.server('get', '/v1/messages/m1?limit=0').expect(400);
    expect(bad.body.error.details).toEqual([{ field: 'query.limit', message: expect.stringMatching(/^query parameter limit: .*>=1/) }]);
    const twice = await t.server('get', '/v1/messages/m1?limit=1&limit=2').expect(400);
    expect(twice.body.error.details).toEqual([{ field: 'query.limit', message: 'query parameter limit is given 2 times; give it once' }]);
  });

  it('names the query parameters of GET /v1/devices the same way: unknown, missing or repeated', async () => {
    const unknown = await t.server('get', '/v1/devices?userId=u1&user=u2').expect(400);
    expect(unknown.body.error.details).toEqual([{ field: 'query.user', message: 'unknown query parameter user; allowed: userId' }]);
    const missing = await t.server('get', '/v1/devices').expect(400);
    expect(missing.body.error.details).toEqual([{ field: 'query.userId', message: expect.stringMatching(/^query parameter userId: /) }]);
    const twice = await t.server('get', '/v1/devices?userId=a&userId=b').expect(400);
    expect(twice.body.error.details).toEqual([{ field: 'query.userId', message: 'query parameter userId is given 2 times; give it once' }]);
    await t.server('get', '/v1/devices?userId=u1').expect(200);
  });
});

describe('Content-Length above server.bodyLimit', () => {
  it('is refused with 413 from the headers alone, before any body byte is sent', async () => {
    // Only the headers go out (flushHeaders, never end): the answer must not wait for the body.
    const res = await raw('post', '/v1/messages', { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(res.body).toMatchObject({ error: { code: 'body_too_large', message: expect.stringContaining('server.bodyLimit') } });
  }, 10_000);
});
