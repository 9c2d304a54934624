/**
 * `pushgate messages`: the tenant's messages, newest first (GET /v1/messages), and
 * `pushgate messages <id>`: one message with its counts per state and provider and its
 * deliveries (GET /v1/messages/{id}).
 */
import { usageError } from './args.js';
import { counts, fields, relative, sinceToIso, table } from './format.js';
import { listPages, moreHint, pageLimit, parseRemote, runRemote, show } from './remote.js';

type Counts = Record<string, number>;

export interface MessageList {
  messages: Array<{ id: string; createdAt: string; category: string | null; status: string; total: number; counts: Counts }>;
  nextCursor: string | null;
}

export interface DeliveryError {
  code: string;
  vendorCode?: string;
  message: string;
}

export interface MessageStatus {
  id: string;
  createdAt: string;
  status: 'in_progress' | 'done';
  counts: Counts;
  providers: Record<string, Counts>;
  deliveries: Array<{ id: string; provider: string; token: string; state: string; attempts: number; nextAttemptAt?: string; lastError: DeliveryError | null; updatedAt: string }>;
  nextCursor: string | null;
}

export async function messages(argv: string[]): Promise<number> {
  const { values, positionals, remote } = parseRemote(
    {
      usage: 'pushgate messages [options]   |   pushgate messages <message-id> [options]',
      summary:
        "Without an id: your tenant's messages, newest first, with their status (in_progress while a delivery is queued or sending) and counts per state. With an id: that message's counts per state and per provider, and its deliveries (masked tokens, attempts, last error).",
      positionals: [{ name: 'message-id', help: 'show this message (msg_…) and its deliveries' }],
      options: {
        status: { type: 'string' },
        category: { type: 'string' },
        since: { type: 'string' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
        all: { type: 'boolean' },
      },
      help: {
        status: 'list: only in_progress or done messages',
        category: 'list: only messages sent with this category (im, order, …)',
        since: 'list: only messages created since: a duration back from now (30m, 1h, 2d) or an ISO 8601 time',
        limit: 'rows per page, 1–1000 (default 100): messages, or the message’s deliveries',
        cursor: 'continue from the nextCursor a previous page printed',
        all: 'follow every page (with --json: one document, nextCursor null)',
      },
    },
    argv,
  );
  const limit = pageLimit(values.limit);
  const id = positionals[0];
  if (id !== undefined) {
    for (const flag of ['status', 'category', 'since'] as const) if (values[flag] !== undefined) usageError(`--${flag} filters the list; it does not apply to one message`);
    return runRemote(remote, async () => {
      const load = (cursor: string | undefined) => remote.api.get<MessageStatus>(`/v1/messages/${encodeURIComponent(id)}`, { limit, cursor });
      show(remote, await listPages(load, 'deliveries', values.all === true, values.cursor), (m) => renderMessage(m, remote.now));
    });
  }
  const createdFrom = values.since === undefined ? undefined : sinceToIso(values.since, remote.now);
  if (values.since !== undefined && createdFrom === undefined) usageError(`--since takes a duration (30m, 1h, 2d) or an ISO 8601 time, not '${values.since}'`);
  return runRemote(remote, async () => {
    const load = (cursor: string | undefined) => remote.api.get<MessageList>('/v1/messages', { limit, cursor, status: values.status, category: values.category, createdFrom });
    show(remote, await listPages(load, 'messages', values.all === true, values.cursor), (page) => {
      if (!page.messages.length) return 'no messages\n';
      const rows = page.messages.map((m) => [m.id, relative(m.createdAt, remote.now), m.category, m.status, m.total, counts(m.counts)]);
      return table(['id', 'created', 'category', 'status', 'total', 'deliveries'], rows) + moreHint(page);
    });
  });
}

/** A message's header (id, times, counts per state and provider) and its deliveries as a table. */
export function renderMessage(m: MessageStatus, now: number): string {
  const header = fields([
    ['message', m.id],
    ['created', `${m.createdAt} (${relative(m.createdAt, now)})`],
    ['status', m.status],
    ['counts', counts(m.counts)],
    ...Object.entries(m.providers).map(([provider, c]): [string, string] => [provider, counts(c)]),
  ]);
  if (!m.deliveries.length) return `${header}\nno deliveries\n`;
  const rows = m.deliveries.map((d) => [d.id, d.provider, d.token, d.state, d.attempts, d.state === 'queued' && d.nextAttemptAt ? `due ${relative(d.nextAttemptAt, now)}` : relative(d.updatedAt, now), describeError(d.lastError)]);
  return `${header}\n${table(['delivery', 'provider', 'token', 'state', 'attempts', 'updated', 'last error'], rows)}${moreHint(m)}`;
}

/** `code (vendor code): message`, or nothing. */
export function describeError(e: DeliveryError | null): string {
  if (!e) return '';
  return `${e.code}${e.vendorCode ? ` (${e.vendorCode})` : ''}: ${e.message}`;
}
