/**
 * Encryption-key rotation end to end: an in-process gateway keeps registering devices, accepting
 * messages and sending (each vendor call held a few ms, so sends are in flight) while
 * `npm run rotate-keys` runs as its own process on the same SQLite file. Nothing becomes
 * undeliverable; then the old key is removed from the configuration and everything stored still
 * decrypts, lists and sends. Runs the compiled command (npm test builds it first).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { defineProvider, type AnyProviderDefinition } from '../../providers/types.js';
import { TokenCipher } from '../../src/privacy/token-cipher.js';
import { ENCRYPTION_KEY, testGateway, type TestGateway } from '../factories/gateway.js';

const NEW_KEY = 'b'.repeat(64);
const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-rotation-'));
const dbPath = path.join(dir, 'pushgate.db');
const lane = { tenant: 'acme', provider: 'recorder' };
const hello = { notification: { title: 'Hi', body: 'There' } };
const token = (n: number) => `recorder-token-${String(n).padStart(5, '0')}`;

/** A provider that answers `sent` after a few ms and records every token it was handed. */
function recorder(sent: string[]): AnyProviderDefinition {
  return defineProvider<Record<string, never>, Record<string, never>, Record<string, never>>({
    id: 'recorder',
    configSchema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
    tokenSchema: z.string().min(3),
    limits: { maxTargetsPerRequest: 50, defaultRate: { perSecond: 10_000, concurrency: 4 } },
    secretFields: [],
    create: () => ({
      async send(batch) {
        await new Promise((r) => setTimeout(r, 3));
        sent.push(...batch.targets.map((x) => x.token));
        return { results: batch.targets.map((x) => ({ deliveryId: x.deliveryId, outcome: 'sent' as const })) };
      },
      async close() {},
    }),
  });
}

/** A gateway on the shared database with these keys. */
async function gatewayWith(security: Record<string, unknown>, sent: string[]): Promise<TestGateway> {
  const t = await testGateway({ extraProviders: [recorder(sent)], acmeProviders: { recorder: {} }, config: { store: { driver: 'sqlite', path: dbPath }, security } });
  open.add(t);
  return t;
}

/** Gateways not closed yet: a failing assertion must not leave one running. */
const open = new Set<TestGateway>();
const close = async (t: TestGateway) => {
  open.delete(t);
  await t.close();
};

/** The command as an operator runs it: its own process, its own config file naming the same store. */
function rotateKeys(args: string[] = []): Promise<{ status: number | null; stderr: string }> {
  const file = path.join(dir, `rotate-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `store: { driver: sqlite, path: "${dbPath}" }
security: { encryptionKeys: [ { id: 2, key: "${NEW_KEY}" }, { id: 1, key: "${ENCRYPTION_KEY}" } ] }
log: { level: silent }
tenants: [ { id: acme, serverKeys: [ "rotation-test-server-key-01" ] } ]
`,
  );
  const entry = new URL('../../dist/src/cli/rotate-keys.js', import.meta.url).pathname;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, '--config', file, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

afterAll(async () => {
  for (const t of [...open]) await close(t);
  rmSync(dir, { recursive: true, force: true });
});

it('rotates with traffic running, nothing undeliverable, and the old key can be removed afterwards', async () => {
  const sent: string[] = [];
  // Before: one key, as every configuration before rotation had it.
  const before = await gatewayWith({ encryptionKey: ENCRYPTION_KEY }, sent);
  for (let i = 0; i < 600; i++) await before.server('post', '/v1/devices').send({ provider: 'recorder', token: token(i), userId: `u${i % 60}` }).expect(201);
  const queued = await before.server('post', '/v1/messages').send({ to: { userIds: Array.from({ length: 60 }, (_, i) => `u${i}`) }, ...hello }).expect(202);
  await close(before);

  // The new key first, the old one still decrypting; the rotation runs while this gateway works.
  const during = await gatewayWith({ encryptionKeys: [{ id: 2, key: NEW_KEY }, { id: 1, key: ENCRYPTION_KEY }] }, sent);
  const rotation = rotateKeys(['--batch-size', '25']);
  let rotating = true;
  void rotation.then(() => (rotating = false));
  const accepted: string[] = [queued.body.id as string];
  let n = 600;
  let rounds = 0;
  while (rotating || rounds < 3) {
    rounds++;
    for (let i = 0; i < 10; i++, n++) await during.server('post', '/v1/devices').send({ provider: 'recorder', token: token(n), userId: `u${n % 60}` }).expect(201);
    const { body } = await during.server('post', '/v1/messages').send({ to: { userIds: [`u${n % 60}`], tokens: [{ provider: 'recorder', token: `unregistered-${n}` }] }, ...hello }).expect(202);
    accepted.push(body.id as string);
    await during.gw.dispatcher.runLane(lane);
  }
  const { status, stderr } = await rotation;
  expect({ status, stderr }).toEqual({ status: 0, stderr: expect.stringMatching(/devices: \d+ scanned, \d+ re-encrypted/) });
  expect(stderr).toMatch(/deliveries: \d+ scanned, \d+ re-encrypted/);
  while ((await during.gw.dispatcher.runLane(lane)).kind === 'more');
  for (const id of accepted) {
    const rows = await during.gw.store.listDeliveries('acme', id, null, 10_000);
    expect({ id, notSent: rows.filter((r) => r.state !== 'sent').map((r) => [r.state, r.lastError?.code]) }).toEqual({ id, notSent: [] });
  }
  expect(rounds).toBeGreaterThanOrEqual(3);
  // Whatever raced the command's first pass (a message accepted from a device read just before it
  // was rewritten), a second run takes; then --check confirms nothing needs key 1.
  expect((await rotateKeys()).status).toBe(0);
  const check = await rotateKeys(['--check']);
  expect(check).toEqual({ status: 0, stderr: expect.stringContaining('every stored token is under key 2') });
  await close(during);

  // After: key 1 removed (the lookup hash keeps its key, the former encryptionKey).
  sent.length = 0;
  const after = await gatewayWith({ encryptionKeys: [{ id: 2, key: NEW_KEY }], lookupKey: ENCRYPTION_KEY }, sent);
  const stored = await after.gw.store.scanDevices('recorder', null, 100_000);
  expect(stored.length).toBe(n);
  const onlyNew = new TokenCipher([{ id: 2, secret: Buffer.from(NEW_KEY, 'hex') }], Buffer.from(ENCRYPTION_KEY, 'hex'));
  expect(stored.every((d) => onlyNew.keyIdOf(d.tokenEnc) === 2)).toBe(true);
  // Registering a known token again finds it (the lookup hash did not change): 200, not 201.
  await after.server('post', '/v1/devices').send({ provider: 'recorder', token: token(0), userId: 'u0' }).expect(200);
  const listed = await after.server('get', '/v1/devices?userId=u0').expect(200);
  expect(JSON.stringify(listed.body)).not.toContain('(unavailable)');
  const { body } = await after.server('post', '/v1/messages').send({ to: { userIds: Array.from({ length: 60 }, (_, i) => `u${i}`) }, ...hello }).expect(202);
  while ((await after.gw.dispatcher.runLane(lane)).kind === 'more');
  const rows = await after.gw.store.listDeliveries('acme', body.id as string, null, 10_000);
  expect(rows.length).toBe(n);
  expect(rows.filter((r) => r.state !== 'sent')).toEqual([]);
  expect(new Set(sent)).toEqual(new Set(Array.from({ length: n }, (_, i) => token(i))));
  await close(after);
}, 120_000);
