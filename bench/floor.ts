/**
 * The durable floor: the least work any durable gateway of pushgate's design must do for one
 * message to many raw Huawei tokens, written plainly, in a child process like the gateway child.
 *
 * - accept: read the body, JSON-parse it; per target AES-256-GCM-encrypt the token (the IVs cut
 *   from ONE random buffer for the whole message) and HMAC-SHA256 it; insert the message and one
 *   row per target into a SQLite file (WAL, synchronous=NORMAL, one index on (state, due_at, id))
 *   in one transaction; only then answer 202;
 * - dispatch: 8 workers, each claiming 1000 rows with `UPDATE … RETURNING`, decrypting them,
 *   sending them with the Huawei adapter (HuaweiProvider.send: the same wire and keep-alive agent
 *   as the gateway's lane) and marking them sent in one transaction per batch.
 *
 * With `apns` (phase "apns"), the same accept and the same claim / decrypt / mark-sent loop for raw
 * APNs tokens, with `concurrency` workers (the APNs lane's 4) sending each batch as HTTP/2 streams
 * through the raw reference client's own session (bench/apns-clients.ts RawApnsSession: one
 * session, ≤ 1000 streams, the first alone). It answers what a durable gateway could reach against
 * that raw client at best.
 *
 * No validation beyond the shape, no idempotency, no retries, no leases, no metrics: it is the
 * reference the gateway's figures are divided by, not a product.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import pino from 'pino';
import { HuaweiProvider } from '../providers/huawei/index.js';
import type { DeliveryTarget, OutgoingMessage, SendBatch } from '../providers/types.js';
import { RawApnsSession } from './apns-clients.js';
import { RssSampler, serve, type RssReading } from './ipc.js';
import type { ApnsSimInfo, HuaweiSimInfo } from './sim-child.js';

export interface FloorOptions {
  dbPath: string;
  serverKey: string;
  /** The Huawei simulator (the fan-out floor), or */
  sim?: HuaweiSimInfo;
  /** the APNs simulator (the APNs floor): exactly one of the two. */
  apns?: ApnsSimInfo;
  batch: number;
  concurrency: number;
}

/** Sends one claimed batch of decrypted tokens with the message's notification. */
type Sender = (messageId: string, notification: SendRequest['notification'], targets: DeliveryTarget[]) => Promise<void>;

interface SendRequest {
  to: { tokens: Array<{ provider: string; token: string }> };
  notification: { title: string; body: string };
}

const IV = 12;
const TAG = 16;
const encKey = randomBytes(32);
const macKey = randomBytes(32);
const rss = new RssSampler();
let server: http.Server | undefined;
let db: Database.Database | undefined;
let apnsSession: RawApnsSession | undefined;

function encryptAll(tokens: string[]): Array<{ enc: Buffer; hash: Buffer }> {
  const ivs = randomBytes(IV * tokens.length); // one random buffer for the message, cut in 12-byte IVs
  return tokens.map((token, i) => {
    const iv = ivs.subarray(i * IV, (i + 1) * IV);
    const cipher = createCipheriv('aes-256-gcm', encKey, iv);
    const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return { enc: Buffer.concat([iv, cipher.getAuthTag(), body]), hash: createHmac('sha256', macKey).update(token).digest() };
  });
}

function decrypt(enc: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', encKey, enc.subarray(0, IV));
  decipher.setAuthTag(enc.subarray(IV, IV + TAG));
  return Buffer.concat([decipher.update(enc.subarray(IV + TAG)), decipher.final()]).toString('utf8');
}

function huaweiSender(sim: HuaweiSimInfo): Sender {
  const provider = new HuaweiProvider(
    { appId: sim.appId, clientSecret: sim.clientSecret, endpoint: sim.url, authEndpoint: sim.url },
    { now: Date.now, random: Math.random, logger: pino({ level: 'silent' }), observeRequest: () => {} },
  );
  return async (messageId, notification, targets) => {
    const message: OutgoingMessage = { id: messageId, notification, data: {}, options: { priority: 'high', category: 'im' }, createdAt: Date.now() };
    await provider.send({ message, targets, callbackRef: messageId } satisfies SendBatch);
  };
}

function apnsSender(session: RawApnsSession): Sender {
  return async (_messageId, notification, targets) => {
    const payload = JSON.stringify({ aps: { alert: notification } });
    await Promise.all(targets.map((t) => session.send(t.token, payload)));
  };
}

function open(o: FloorOptions, provider: string) {
  const d = new Database(o.dbPath);
  d.pragma('journal_mode = WAL');
  d.pragma('synchronous = NORMAL');
  d.exec(`
    CREATE TABLE messages (id TEXT PRIMARY KEY, payload TEXT NOT NULL, created_at INTEGER NOT NULL);
    CREATE TABLE deliveries (
      id INTEGER PRIMARY KEY, message_id TEXT NOT NULL, provider TEXT NOT NULL,
      token_enc BLOB NOT NULL, token_hash BLOB NOT NULL, state TEXT NOT NULL, due_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX deliveries_due ON deliveries (state, due_at, id);`);
  const insertMessage = d.prepare('INSERT INTO messages (id, payload, created_at) VALUES (?, ?, ?)');
  const insertDelivery = d.prepare("INSERT INTO deliveries (message_id, provider, token_enc, token_hash, state, due_at) VALUES (?, ?, ?, ?, 'queued', ?)");
  const accept = d.transaction((id: string, payload: string, now: number, rows: Array<{ enc: Buffer; hash: Buffer }>) => {
    insertMessage.run(id, payload, now);
    for (const r of rows) insertDelivery.run(id, provider, r.enc, r.hash, now);
  });
  const claim = d.prepare(
    `UPDATE deliveries SET state = 'sending', attempts = attempts + 1
     WHERE id IN (SELECT id FROM deliveries WHERE state = 'queued' AND due_at <= ? ORDER BY due_at, id LIMIT ?)
     RETURNING id, message_id, token_enc`,
  );
  const payloadOf = d.prepare('SELECT payload FROM messages WHERE id = ?').pluck();
  const markSent = d.prepare("UPDATE deliveries SET state = 'sent' WHERE id = ?");
  const complete = d.transaction((ids: number[]) => {
    for (const id of ids) markSent.run(id);
  });
  return { d, accept, claim: (limit: number) => claim.all(Date.now(), limit) as Array<{ id: number; message_id: string; token_enc: Buffer }>, payloadOf: (id: string) => payloadOf.get(id) as string, complete };
}

serve({
  start: async (o: FloorOptions): Promise<number> => {
    if (!o.sim === !o.apns) throw new Error('the floor needs exactly one of sim (Huawei) and apns');
    const store = open(o, o.apns ? 'apns' : 'huawei');
    db = store.d;
    apnsSession = o.apns ? new RawApnsSession(o.apns) : undefined;
    const send = apnsSession ? apnsSender(apnsSession) : huaweiSender(o.sim!);
    let seq = 0;
    let running = 0;

    const worker = async () => {
      for (let rows = store.claim(o.batch); rows.length > 0; rows = store.claim(o.batch)) {
        const messageId = rows[0]!.message_id; // one message in flight at a time here
        const notification = JSON.parse(store.payloadOf(messageId)) as SendRequest['notification'];
        const targets: DeliveryTarget[] = rows.map((r) => ({ deliveryId: String(r.id), token: decrypt(r.token_enc), registered: false }));
        await send(messageId, notification, targets);
        store.complete(rows.map((r) => r.id));
      }
    };
    const dispatch = () => {
      while (running < o.concurrency) {
        running += 1;
        void worker().finally(() => (running -= 1));
      }
    };

    server = http.createServer((req, res) => {
      if (req.method !== 'POST' || req.url !== '/v1/messages' || req.headers.authorization !== `Bearer ${o.serverKey}`) {
        res.writeHead(404).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SendRequest;
        const tokens = parsed.to.tokens.map((t) => t.token);
        const id = `msg_floor_${++seq}`;
        store.accept(id, JSON.stringify(parsed.notification), Date.now(), encryptAll(tokens));
        res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id, status: 'accepted', targets: tokens.length }));
        dispatch();
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  },
  rss: (): RssReading => ({ current: rss.sample(), peak: rss.peak }),
  resetRss: (): RssReading => {
    const peak = rss.reset();
    return { current: rss.sample(), peak };
  },
  close: async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await apnsSession?.close();
    db?.close();
    rss.stop();
    setImmediate(() => process.exit(0));
  },
});
