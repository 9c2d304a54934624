/**
 * `pushgate send`: accept a message (POST /v1/messages) with an Idempotency-Key, generated when
 * none is given so that running the same command line again after a timeout cannot send twice
 * if the key is passed back; `--wait` then follows GET /v1/messages/{id} until no delivery is
 * queued or sending.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { usageError } from './args.js';
import { fields, parseDuration } from './format.js';
import { renderMessage, type MessageStatus } from './messages.js';
import { parseRemote, print, printJson, runRemote, type Remote } from './remote.js';

interface Accepted {
  id: string;
  status: 'accepted';
  targets: number;
  skipped?: Array<{ reason: string; userId?: string; deviceId?: string; provider?: string; count?: number }>;
}

/** How often --wait asks for the message's status. */
const POLL_MS = 500;

export async function send(argv: string[]): Promise<number> {
  const { values, remote } = parseRemote(
    {
      usage: 'pushgate send --to-user <id> --title <text> --body <text> [options]',
      summary:
        "Send a notification (or, without --title/--body, a data-only message) to users' registered devices, devices by id, or raw tokens. Prints the message id, how many deliveries were created and which targets were skipped, and the Idempotency-Key used: pass it back with --idempotency-key to re-run the command safely.",
      options: {
        'to-user': { type: 'string', multiple: true },
        'to-device': { type: 'string', multiple: true },
        'to-token': { type: 'string', multiple: true },
        title: { type: 'string' },
        body: { type: 'string' },
        data: { type: 'string', multiple: true },
        category: { type: 'string' },
        priority: { type: 'string' },
        ttl: { type: 'string' },
        'idempotency-key': { type: 'string' },
        wait: { type: 'boolean' },
        timeout: { type: 'string' },
      },
      help: {
        'to-user': "a user id: every device registered for that user",
        'to-device': 'a device id (dev_…)',
        'to-token': 'provider:token, a token that need not be registered (e.g. huawei:IQAAAA…)',
        title: 'the notification title',
        body: 'the notification text',
        data: 'key=value delivered to the app',
        category: 'the message class (im, account, order, reminder, …): each vendor maps it to its own',
        priority: 'high or normal',
        ttl: 'give up on deliveries not sent within this long (90s, 30m, 1h, 2d)',
        'idempotency-key': 'the same key and message within 24 h answer the first answer and send nothing new (default: a new one)',
        wait: 'follow the message until no delivery is queued or sending; exit 1 if any failed or expired',
        timeout: 'with --wait: give up waiting after this long (default 2m); exit 1',
      },
    },
    argv,
  );
  const to = {
    ...(values['to-user'] ? { userIds: values['to-user'] } : {}),
    ...(values['to-device'] ? { deviceIds: values['to-device'] } : {}),
    ...(values['to-token'] ? { tokens: values['to-token'].map(rawToken) } : {}),
  };
  if (!Object.keys(to).length) usageError('name at least one target: --to-user, --to-device or --to-token');
  const options = {
    ...(values.category !== undefined ? { category: values.category } : {}),
    ...(values.priority !== undefined ? { priority: values.priority } : {}),
    ...(values.ttl !== undefined ? { ttlSeconds: durationSeconds('--ttl', values.ttl) } : {}),
  };
  // The API names a missing title or body (notification.title): the CLI does not second-guess it.
  const notification = values.title !== undefined || values.body !== undefined ? { title: values.title, body: values.body } : undefined;
  const message = { to, ...(notification ? { notification } : {}), ...(values.data ? { data: Object.fromEntries(values.data.map(dataPair)) } : {}), ...(Object.keys(options).length ? { options } : {}) };
  const waitMs = values.timeout === undefined ? 120_000 : durationSeconds('--timeout', values.timeout) * 1000;
  if (values.timeout !== undefined && !values.wait) usageError('--timeout only applies with --wait');
  const key = values['idempotency-key'] ?? `cli-${randomUUID()}`;

  return runRemote(remote, async () => {
    const accepted = await remote.api.post<Accepted>('/v1/messages', message, { 'idempotency-key': key });
    // With --json stdout holds the API's document only; a generated key goes to stderr.
    if (remote.json && !values['idempotency-key']) process.stderr.write(`pushgate: idempotency key ${key}\n`);
    if (!remote.json) print(renderAccepted(accepted, key) + (values.wait ? '\n' : ''));
    if (!values.wait) {
      if (remote.json) printJson(accepted);
      return 0;
    }
    return follow(remote, accepted.id, waitMs);
  });
}

function renderAccepted(a: Accepted, key: string): string {
  const skipped = (a.skipped ?? []).map((s) => `${s.reason}${s.userId ? ` (user ${s.userId})` : s.deviceId ? ` (device ${s.deviceId})` : s.provider ? ` (${s.provider})` : ''}${s.count ? ` ×${s.count}` : ''}`);
  return fields([
    ['accepted', a.id],
    ['deliveries', a.targets],
    ...(skipped.length ? [['skipped', skipped.join(', ')] as [string, string]] : []),
    ['idempotency key', key],
  ]);
}

/** Poll until the message is done (or the wait is over); print it; 1 if a delivery failed or expired, or time ran out. */
async function follow(remote: Remote, id: string, waitMs: number): Promise<number> {
  const deadline = Date.now() + waitMs;
  let status = await remote.api.get<MessageStatus>(`/v1/messages/${encodeURIComponent(id)}`);
  while (status.status !== 'done' && Date.now() < deadline) {
    await sleep(POLL_MS);
    status = await remote.api.get<MessageStatus>(`/v1/messages/${encodeURIComponent(id)}`);
  }
  if (remote.json) printJson(status);
  else print(renderMessage(status, Date.now()));
  if (status.status !== 'done') {
    process.stderr.write(`pushgate: ${id} is still in progress after ${waitMs / 1000}s (follow it with: pushgate messages ${id})\n`);
    return 1;
  }
  const bad = (status.counts.failed ?? 0) + (status.counts.expired ?? 0);
  if (bad) process.stderr.write(`pushgate: ${bad} of the deliveries of ${id} failed or expired (see: pushgate deliveries; resend with: pushgate retry ${id})\n`);
  return bad ? 1 : 0;
}

/** `huawei:IQAAAA…` → { provider, token }; the token may itself contain colons. */
function rawToken(text: string): { provider: string; token: string } {
  const at = text.indexOf(':');
  if (at < 1 || at === text.length - 1) usageError(`--to-token takes provider:token (e.g. huawei:IQAAAA…), not '${text}'`);
  return { provider: text.slice(0, at), token: text.slice(at + 1) };
}

function dataPair(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at < 1) usageError(`--data takes key=value, not '${text}'`);
  return [text.slice(0, at), text.slice(at + 1)];
}

function durationSeconds(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) usageError(`${flag} takes a duration (90s, 30m, 1h, 2d) or a number of seconds, not '${text}'`);
  return ms / 1000;
}
