import { createServer, type RequestListener } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { createVendorHttp, type VendorHttp, type VendorHttpOptions } from './http.js';
import { startHttpSimulator, type HttpSimulator, type SimResponse } from './sim-server.js';
import { testTls } from './tls.js';

describe('createVendorHttp (the HTTP/1.1 vendors’ client)', () => {
  let sim: HttpSimulator;
  let answer: SimResponse;
  let connections: number;
  const observed: Array<[number, string | undefined]> = [];
  const clients: VendorHttp[] = [];
  const client = (opts: Partial<VendorHttpOptions> = {}) => {
    const c = createVendorHttp({ baseURL: sim.url, ...opts }, { observeRequest: (s, reason) => observed.push([s, reason]) });
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    answer = { body: { code: '0', msg: 'ok' } };
    observed.length = 0;
    connections = 0;
    sim = await startHttpSimulator(() => answer);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await sim.close();
  });

  it('sends an object as JSON and hands a JSON answer over parsed, with lower-case headers', async () => {
    answer = { status: 201, headers: { 'X-Request-Id': 'r1' }, body: { code: '80000000', n: 1 } };
    const res = await client().post('/v1/send', { token: ['a'], n: 1 }, { Authorization: 'Bearer t' });
    expect(res).toMatchObject({ status: 201, data: { code: '80000000', n: 1 } });
    expect(res.headers['x-request-id']).toBe('r1');
    const req = sim.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', path: '/v1/send', body: { token: ['a'], n: 1 } });
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['authorization']).toBe('Bearer t');
    // axios sent one, and API gateways in front of vendors may refuse a request without it.
    expect(req.headers['user-agent']).toMatch(/\S/);
    expect(observed).toEqual([[expect.any(Number), undefined]]);
  });

  it('sends a string as it is, with the caller’s content-type, and an object as a form when the content-type says so', async () => {
    const http = client();
    await http.post('/form', 'a=1&b=x%20y', { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' });
    await http.post('/form', { a: 1, b: 'x y', skip: undefined }, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(sim.requests.map((r) => r.rawBody)).toEqual(['a=1&b=x%20y', 'a=1&b=x+y']);
    expect(sim.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
  });

  it('keeps a base URL’s path in front of every path', async () => {
    await client({ baseURL: `${sim.url}/api/` }).post('/v2/push', {});
    await client({ baseURL: `${sim.url}/api` }).post('v2/push', {});
    expect(sim.requests.map((r) => r.path)).toEqual(['/api/v2/push', '/api/v2/push']);
  });

  it('hands text over as text: a non-JSON answer, an empty one, and every answer with rawText', async () => {
    answer = { status: 502, body: '<html>bad gateway</html>' };
    expect((await client().post('/x', {})).data).toBe('<html>bad gateway</html>');
    answer = { status: 204 };
    expect((await client().post('/x', {})).data).toBe('');
    answer = { body: '{"id":12345678901234567890}' };
    expect((await client({ rawText: true }).post('/x', {})).data).toBe('{"id":12345678901234567890}');
  });

  it('resolves every HTTP status and labels failed answers for the metrics', async () => {
    answer = { status: 503, body: { error: 'busy' } };
    const res = await client().post('/x', {});
    expect(res.status).toBe(503);
    answer = { status: 200, body: { code: 21301 } };
    await client({ errorReasonOf: (r) => String((r.data as { code: number }).code) }).post('/x', {});
    expect(observed.map(([, reason]) => reason)).toEqual(['http_503', '21301']);
  });

  it('keeps connections alive between requests', async () => {
    const server = await countingServer();
    try {
      const http = client({ baseURL: server.url });
      for (let i = 0; i < 10; i++) expect((await http.post('/x', {})).status).toBe(200);
      // The pool may open a second connection while the first is finishing its answer; never one per request.
      expect(connections).toBeLessThanOrEqual(2);
    } finally {
      await server.close();
    }
  });

  it('throws ETIMEDOUT when no answer comes within timeoutMs', async () => {
    answer = { fault: 'hang' };
    await expect(client({ timeoutMs: 50 }).post('/x', {})).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(observed.map(([, reason]) => reason)).toEqual(['etimedout']);
  });

  it('throws ECONNRESET when the vendor drops the connection, ECONNREFUSED when nothing listens', async () => {
    answer = { fault: 'reset' };
    await expect(client().post('/x', {})).rejects.toMatchObject({ code: 'ECONNRESET' });
    const url = sim.url;
    await sim.close();
    sim = await startHttpSimulator(() => answer);
    await expect(client({ baseURL: url }).post('/x', {})).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(observed.map(([, reason]) => reason)).toEqual(['econnreset', 'econnrefused']);
  });

  it('fails a request in flight at close() as ECONNRESET, the label a destroyed keep-alive agent gave it', async () => {
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    await sim.close();
    sim = await startHttpSimulator(() => {
      arrived();
      return { fault: 'hang' };
    });
    const http = client();
    const pending = http.post('/x', {});
    await inFlight;
    http.close();
    await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(observed.map(([, reason]) => reason)).toEqual(['econnreset']);
  });

  it('trusts the configured CA for a TLS endpoint, and nothing else', async () => {
    const tls = testTls();
    const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (_req, res) => res.end('{"ok":true}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await client({ baseURL: url, ca: tls.caPem }).post('/x', {})).data).toEqual({ ok: true });
      await expect(client({ baseURL: url }).post('/x', {})).rejects.toThrow(/certificate/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('inflates an answer compressed although nothing asked for it, and hands junk over as text', async () => {
    const answers: Record<string, [string, Buffer]> = {
      '/gzip': ['gzip', gzipSync('{"code":"0","via":"gzip"}')],
      '/deflate': ['deflate', deflateSync('{"code":"0","via":"deflate"}')],
      '/br': ['br', brotliCompressSync('{"code":"0","via":"br"}')],
      '/junk': ['gzip', Buffer.from('not gzip at all')],
    };
    const server = await plainServer((req, res) => {
      const [encoding, body] = answers[req.url ?? '']!;
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding }).end(body);
    });
    try {
      const http = client({ baseURL: server.url });
      for (const via of ['gzip', 'deflate', 'br']) expect((await http.post(`/${via}`, {})).data).toEqual({ code: '0', via });
      expect((await http.post('/junk', {})).data).toBe('not gzip at all');
    } finally {
      await server.close();
    }
  });

  it('sends credentials written into the base URL as HTTP Basic, unless the caller says otherwise', async () => {
    const base = new URL(sim.url);
    base.username = 'app';
    base.password = 's3cr:t';
    await client({ baseURL: base.toString() }).post('/x', {});
    await client({ baseURL: base.toString() }).post('/x', {}, { Authorization: 'Bearer own' });
    expect(sim.requests.map((r) => r.headers['authorization'])).toEqual([`Basic ${Buffer.from('app:s3cr:t').toString('base64')}`, 'Bearer own']);
  });

  /** An HTTP server that counts the connections it was opened. */
  function countingServer(): Promise<{ url: string; close(): Promise<void> }> {
    return plainServer((_req, res) => res.end('{}'));
  }

  async function plainServer(handle: RequestListener): Promise<{ url: string; close(): Promise<void> }> {
    const server = createServer(handle);
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }
});
