/**
 * The remote commands, run as the real binary against a real gateway (in this process, listening
 * on port 0, with the Huawei simulator): send → messages <id> → a vendor fault → deliveries
 * --failed → retry; --json is one parseable document; API errors print their code and field
 * and exit 1.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLIENT_KEY, SERVER_KEY, hwToken, testGateway, type TestGateway } from '../factories/gateway.js';
import { until } from '../factories/process.js';
import { pushgate as run } from './run-cli.js';

let t: TestGateway;
let server: http.Server;
let baseUrl: string;
const TOKEN = hwToken(4242);

const pushgate = (args: string[]) => run(args, { env: { PUSHGATE_URL: baseUrl, PUSHGATE_KEY: SERVER_KEY } });
const json = <T>(out: { stdout: string }) => JSON.parse(out.stdout) as T;
const idOf = (stdout: string) => /^accepted\s+(msg_\S+)$/m.exec(stdout)?.[1] ?? '';

interface Status {
  id: string;
  status: string;
  counts: Record<string, number>;
  deliveries: Array<{ token: string; state: string; lastError: { code: string } | null }>;
}

async function statusOf(id: string): Promise<Status> {
  const res = await fetch(`${baseUrl}/v1/messages/${id}`, { headers: { authorization: `Bearer ${SERVER_KEY}` } });
  return (await res.json()) as Status;
}

beforeAll(async () => {
  // One attempt per delivery: a single simulated 5xx fails a delivery at once, ready for retry.
  t = await testGateway({ realClock: true, config: { dispatch: { leaseSeconds: 30, maxAttempts: 1, backoffBaseMs: 100, backoffMaxMs: 1000, pollIntervalMs: 50 } } });
  await t.gw.start();
  server = http.createServer(t.gw.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const res = await fetch(`${baseUrl}/v1/devices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'huawei', token: TOKEN, userId: 'alice' }),
  });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t.close();
});

describe('pushgate send, messages, devices', () => {
  it('sends to a user, waits until it is sent, and shows the message and the device with masked tokens', async () => {
    const sent = await pushgate(['send', '--to-user', 'alice', '--to-user', 'nobody', '--title', 'Order shipped', '--body', 'Arrives Friday', '--category', 'order', '--data', 'orderId=42', '--wait']);
    expect(sent.stderr).toBe('');
    expect(sent.status).toBe(0);
    const id = idOf(sent.stdout);
    expect(id).toMatch(/^msg_/);
    expect(sent.stdout).toMatch(/^deliveries\s+1$/m);
    expect(sent.stdout).toMatch(/^skipped\s+no_devices \(user nobody\)$/m);
    expect(sent.stdout).toMatch(/^idempotency key\s+cli-[0-9a-f-]{36}$/m);
    expect(sent.stdout).toMatch(/^status\s+done$/m);
    expect(t.sim.accepted).toContain(TOKEN);

    const shown = await pushgate(['messages', id]);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^message\\s+${id}$`, 'm'));
    expect(shown.stdout).toMatch(/^DELIVERY\s+PROVIDER\s+TOKEN\s+STATE\s+ATTEMPTS\s+UPDATED\s+LAST ERROR$/m);
    expect(shown.stdout).toMatch(/^dlv_\S+\s+huawei\s+\S+\s+sent\s+1\s+/m);
    expect(shown.stdout).not.toContain(TOKEN);

    const doc = json<Status>(await pushgate(['messages', id, '--json']));
    expect(doc).toMatchObject({ id, status: 'done', counts: { sent: 1 } });
    expect(doc.deliveries.map((d) => d.state)).toEqual(['sent']);

    const list = await pushgate(['messages', '--category', 'order', '--since', '1h']);
    expect(list.stdout).toMatch(/^ID\s+CREATED\s+CATEGORY\s+STATUS\s+TOTAL\s+DELIVERIES$/m);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+\\d+s ago\\s+order\\s+done\\s+1\\s+sent 1$`, 'm'));

    const devices = await pushgate(['devices', '--user', 'alice']);
    expect(devices.status).toBe(0);
    expect(devices.stdout).toMatch(/^dev_\S+\s+huawei\s+\S+\s+\d+s ago\s+\d+s ago$/m);
    expect(devices.stdout).not.toContain(TOKEN);
    expect(json<{ devices: unknown[] }>(await pushgate(['devices', '--user', 'alice', '--json'])).devices).toHaveLength(1);
  });

  it('sends once per idempotency key: the same key answers the same message', async () => {
    const args = ['send', '--to-user', 'alice', '--title', 'Hi', '--body', 'once', '--idempotency-key', 'cli-test-once', '--json'];
    const first = await pushgate(args);
    const again = await pushgate(args);
    expect(first.status).toBe(0);
    expect(first.stderr).toBe(''); // the key was given: nothing to tell
    expect(json<{ id: string }>(again).id).toBe(json<{ id: string }>(first).id);
  });

  it('pages with --limit, prints the cursor hint, and --all --json follows every page into one document', async () => {
    const one = await pushgate(['messages', '--limit', '1']);
    expect(one.stdout.trim().split('\n')).toHaveLength(3);
    const cursor = /^more: add --cursor (\S+) \(or --all\)$/m.exec(one.stdout)?.[1];
    expect(cursor).toBeDefined();
    const next = json<{ messages: Array<{ id: string }> }>(await pushgate(['messages', '--limit', '1', '--cursor', cursor!, '--json']));
    expect(next.messages).toHaveLength(1);
    expect(one.stdout).not.toContain(next.messages[0]!.id);
    const all = json<{ messages: unknown[]; nextCursor: string | null }>(await pushgate(['messages', '--limit', '1', '--all', '--json']));
    const total = json<{ messages: unknown[] }>(await pushgate(['messages', '--json'])).messages.length;
    expect(total).toBeGreaterThanOrEqual(2);
    expect(all).toEqual({ messages: expect.any(Array), nextCursor: null });
    expect(all.messages).toHaveLength(total);
  });
});

describe('a vendor fault, the dead letters and retry', () => {
  it('shows the failed delivery in deliveries --failed --since 1h, and retry sends it again', async () => {
    t.sim.fail(1);
    const sent = await pushgate(['send', '--to-user', 'alice', '--title', 'Hi', '--body', 'fault', '--wait', '--json']);
    expect(sent.status).toBe(1);
    const failed = json<Status>(sent);
    expect(failed.counts).toMatchObject({ failed: 1 });
    expect(sent.stderr).toContain(`1 of the deliveries of ${failed.id} failed or expired`);

    const dead = await pushgate(['deliveries', '--failed', '--since', '1h']);
    expect(dead.status).toBe(0);
    expect(dead.stdout).toMatch(new RegExp(`^${failed.id}\\s+dlv_\\S+\\s+huawei\\s+\\S+\\s+failed\\s+1\\s+\\d+s ago\\s+retry\\b`, 'm'));
    const deadDoc = json<{ deliveries: Array<{ messageId: string }> }>(await pushgate(['deliveries', '--failed', '--since', '1h', '--json']));
    expect(deadDoc.deliveries.map((d) => d.messageId)).toEqual([failed.id]);

    const before = t.sim.accepted.length;
    const retried = await pushgate(['retry', failed.id]);
    expect(retried).toEqual({ status: 0, stdout: `requeued 1 delivery of ${failed.id}; skipped: none\n`, stderr: '' });
    await until(async () => ((await statusOf(failed.id)).status === 'done' ? true : undefined), 'the replayed delivery to finish');
    expect(t.sim.accepted.slice(before)).toEqual([TOKEN]);
    expect((await pushgate(['messages', failed.id])).stdout).toMatch(/^counts\s+sent 1$/m);
    expect((await pushgate(['deliveries', '--failed'])).stdout).toBe('no failed deliveries\n');

    const summary = await pushgate(['deliveries', '--summary', '--since', '1h']);
    expect(summary.stdout).toMatch(/^huawei\s+sent\s+-\s+\d+$/m);
  });

  it('cancel reports what it did to a message already sent', async () => {
    const id = idOf((await pushgate(['send', '--to-user', 'alice', '--title', 'Hi', '--body', 'cancel me', '--wait'])).stdout);
    const out = await pushgate(['cancel', id]);
    expect(out).toEqual({ status: 0, stdout: `${id}: not_recallable 1\n`, stderr: '' });
  });
});

describe('API errors', () => {
  it('print the code, the message and the field, and exit 1', async () => {
    const out = await pushgate(['send', '--to-user', 'alice', '--title', 'Hi', '--body', 'x', '--category', 'Chat']);
    expect(out.status).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^pushgate: 400 invalid_request: .*options\.category: categories are lowercase: use "chat"/);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('with --json, put the API error document on stdout as-is', async () => {
    const out = await pushgate(['messages', '--status', 'finished', '--json']);
    expect(out.status).toBe(1);
    expect(json<{ error: { code: string; details: Array<{ field: string }> } }>(out).error).toMatchObject({ code: 'invalid_request', details: [{ field: 'query.status' }] });
  });

  it.each([
    [['retry', 'msg_nope'], /^pushgate: 404 not_found: /],
    [['messages', '--key', 'not-a-key'], /^pushgate: 401 unauthorized: /],
    [['devices', '--user', 'alice', '--key', CLIENT_KEY], /^pushgate: 403 \w+: /],
  ])('pushgate %j exits 1 naming the error', async (args, line) => {
    const out = await pushgate(args);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(line);
  });
});
