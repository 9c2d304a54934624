import { createServer, connect as tcpConnect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import pino from 'pino';
import { RedisQueueEngine } from '../../src/queue/redis.js';
import { recorder, sleep } from './queue.contract.js';

it('debug', async () => {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = tcpConnect(6379, '127.0.0.1');
    for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => s.destroy()); }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const prefix = 'dbg' + Date.now();
  const engine = await RedisQueueEngine.connect(`redis://127.0.0.1:${port}`, { prefix, now: Date.now, logger: pino({ level: 'debug' }), pollIntervalMs: 300, pingTimeoutMs: 500 });
  const { rec, run } = recorder(() => ({ kind: 'idle', nextDueAt: null }));
  const lane = { tenant: 'acme', provider: 'huawei', perSecond: 10, concurrency: 2 };
  await engine.start([lane], run);
  await engine.ping();
  console.log('starts', rec.starts.length);
  await new Promise<void>((r) => { server.close(() => r()); for (const s of sockets) s.destroy(); });
  await engine.ping().catch((e) => console.log('ping failed', e.message));
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  for (let i = 0; i < 50; i++) { try { await engine.ping(); console.log('ping ok after', i); break; } catch { await sleep(100); } }
  await sleep(8000);
  console.log('after restore starts', rec.starts.length, 'sockets', sockets.size);
  for (const l of (engine as any).lanes.values()) { const w = l.worker; console.log('worker', w.isRunning(), !!w.closing, w.mainLoopRunning ? 'loop' : 'noloop', w.blockingConnection.status, (await w.blockingConnection.client).status, w.waiting, w.drained, w.limitUntil, w.blockUntil); }
  engine.kick(lane);
  await sleep(2000);
  const q0 = new Queue('acme.huawei', { connection: { host: '127.0.0.1', port: 6379 }, prefix });
  for (const id of ['run-0','run-1']) { const j = await q0.getJob(id); console.log(id, j ? await j.getState() : 'none', j?.processedOn, Date.now()); }
  await q0.close();
  const q = new Queue('acme.huawei', { connection: { host: '127.0.0.1', port: 6379 }, prefix });
  const c = new Queue('control', { connection: { host: '127.0.0.1', port: 6379 }, prefix });
  console.log('after kick starts', rec.starts.length, await q.getJobCounts(), await c.getJobCounts());
  await q.close(); await c.close();
  await engine.stop();
  server.close();
}, 60000);
