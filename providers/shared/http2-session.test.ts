/**
 * The shared HTTP/2 session (FCM and APNs) against a bare HTTP/2 server whose SETTINGS and stream answers each test
 * sets: the stream limit it follows as it changes, and what it does with streams refused unprocessed.
 */
import http2 from 'node:http2';
import pino from 'pino';
import { Http2Session, type Http2SessionOptions } from './http2-session.js';
import { startHttp2Simulator, type Http2Simulator } from './sim-http2.js';

let server: Http2Simulator;
let session: Http2Session;

async function start(settings: http2.Settings, onStream: (stream: http2.ServerHttp2Stream, n: number, path: string) => void, opts: Partial<Http2SessionOptions> = {}): Promise<void> {
  server = await startHttp2Simulator({ settings });
  let n = 0;
  server.server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    stream.resume();
    stream.on('end', () => onStream(stream, ++n, String(headers[':path'])));
  });
  session = new Http2Session({ origin: server.url, tls: { ca: server.caPem }, timeoutMs: 5000, maxStreams: 1000, logger: pino({ level: 'silent' }), ...opts });
}

afterEach(async () => {
  await session?.close();
  await server?.close();
});

const send = (i: number) => session.request({ path: `/x/${i}`, headers: {}, body: '{}' });

test('a server that allows one stream gets one until it raises its limit, then as many as it allows; none is refused', async () => {
  let open = 0;
  let most = 0;
  let mostBeforeRaise = 0;
  let raised = false;
  await start({ maxConcurrentStreams: 1 }, (stream, n) => {
    if (n === 1) {
      // What APNs does after the first authenticated request: SETTINGS first, then the answer.
      stream.session?.settings({ maxConcurrentStreams: 20 });
      raised = true;
    }
    setTimeout(() => stream.respond({ ':status': 200 }, { endStream: true }), 2);
  });
  server.server.on('stream', (stream) => {
    open++;
    most = Math.max(most, open);
    if (!raised) mostBeforeRaise = Math.max(mostBeforeRaise, open);
    stream.on('close', () => open--);
  });
  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => send(i)));
  expect(answers.map((a) => a.status ?? a.error).filter((s) => s !== 200)).toEqual([]);
  expect(mostBeforeRaise).toBe(1);
  expect(most).toBeGreaterThan(1);
  expect(most).toBeLessThanOrEqual(20);
  expect(session.sessionsOpened).toBe(1);
});

test('a stream refused unprocessed (REFUSED_STREAM) is sent again up to refusedRetries times, then answered refused_stream', async () => {
  const seen: string[] = [];
  await start(
    {},
    (stream, n, path) => {
      seen.push(path);
      // The first two streams are refused: /x/0 goes out three times (the two retries), first in line each time.
      if (n <= 2) stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      else stream.respond({ ':status': 200 }, { endStream: true });
    },
    { maxStreams: 1, refusedRetries: 2 },
  );
  const answers = await Promise.all([send(0), send(1), send(2)]);
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
  expect(seen).toEqual(['/x/0', '/x/0', '/x/0', '/x/1', '/x/2']);

  await session.close();
  session = new Http2Session({ origin: server.url, tls: { ca: server.caPem }, timeoutMs: 5000, maxStreams: 1, logger: pino({ level: 'silent' }) });
  const refusedAgain = { n: 0 };
  server.server.removeAllListeners('stream');
  server.server.on('stream', (stream) => {
    stream.on('error', () => {});
    stream.resume();
    refusedAgain.n++;
    stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
  });
  expect(await send(9)).toEqual({ error: 'refused_stream' });
  expect(refusedAgain.n).toBe(1);
});
