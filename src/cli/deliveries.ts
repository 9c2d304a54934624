/**
 * `pushgate deliveries`: the dead-letter view (GET /v1/deliveries): failed and expired deliveries
 * across the tenant's messages, most recently finished first; `--summary` counts what finished
 * in the window by provider × state × error code (GET /v1/deliveries/summary).
 */
import { usageError } from './args.js';
import { relative, sinceToIso, table } from './format.js';
import { describeError } from './messages.js';
import { listPages, moreHint, pageLimit, parseRemote, runRemote, show } from './remote.js';

interface DeadLetters {
  deliveries: Array<{ id: string; messageId: string; provider: string; token: string; state: string; attempts: number; lastError: { code: string; vendorCode?: string; message: string } | null; updatedAt: string }>;
  nextCursor: string | null;
}

interface Summary {
  since: string;
  counts: Array<{ provider: string; state: string; errorCode: string | null; count: number }>;
}

export async function deliveries(argv: string[]): Promise<number> {
  const { values, remote } = parseRemote(
    {
      usage: 'pushgate deliveries [--failed | --expired] [--since 1h] [options]',
      summary:
        'The dead letters: deliveries that failed or expired, most recently finished first, with their message, provider, masked token, attempts and last error. Send them again with `pushgate retry <message-id>` once the cause is fixed.',
      options: {
        failed: { type: 'boolean' },
        expired: { type: 'boolean' },
        since: { type: 'string' },
        provider: { type: 'string' },
        'error-code': { type: 'string' },
        summary: { type: 'boolean' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
        all: { type: 'boolean' },
      },
      help: {
        failed: 'only failed deliveries (default: failed and expired)',
        expired: 'only expired deliveries',
        since: 'finished since: a duration back from now (30m, 1h, 2d) or an ISO 8601 time',
        provider: 'only this provider (huawei, apns, …)',
        'error-code': "only this lastError.code (invalid_token, rejected, auth_error, …)",
        summary: 'counts by provider, state and error code instead of rows (--since defaults to 1h)',
        limit: 'rows per page, 1–1000 (default 100)',
        cursor: 'continue from the nextCursor a previous page printed',
        all: 'follow every page (with --json: one document, nextCursor null)',
      },
    },
    argv,
  );
  const since = values.since === undefined ? undefined : sinceToIso(values.since, remote.now);
  if (values.since !== undefined && since === undefined) usageError(`--since takes a duration (30m, 1h, 2d) or an ISO 8601 time, not '${values.since}'`);
  if (values.summary) {
    const listOnly = (['failed', 'expired', 'provider', 'error-code', 'limit', 'cursor', 'all'] as const).find((f) => values[f] !== undefined);
    if (listOnly) usageError(`--${listOnly} does not apply to --summary (it counts every final state since --since)`);
    return runRemote(remote, async () => {
      show(remote, await remote.api.get<Summary>('/v1/deliveries/summary', { since }), (s) => {
        const head = `finished since ${s.since} (${relative(s.since, remote.now)})\n`;
        if (!s.counts.length) return `${head}nothing\n`;
        return head + table(['provider', 'state', 'error', 'count'], s.counts.map((c) => [c.provider, c.state, c.errorCode, c.count]));
      });
    });
  }
  // Both flags, or neither: the API's default, failed and expired.
  const state = values.failed === values.expired ? undefined : values.failed ? 'failed' : 'expired';
  const limit = pageLimit(values.limit);
  return runRemote(remote, async () => {
    const load = (cursor: string | undefined) => remote.api.get<DeadLetters>('/v1/deliveries', { state, since, provider: values.provider, errorCode: values['error-code'], limit, cursor });
    show(remote, await listPages(load, 'deliveries', values.all === true, values.cursor), (page) => {
      if (!page.deliveries.length) return `no ${state ?? 'failed or expired'} deliveries${since ? ` since ${since}` : ''}\n`;
      const rows = page.deliveries.map((d) => [d.messageId, d.id, d.provider, d.token, d.state, d.attempts, relative(d.updatedAt, remote.now), describeError(d.lastError)]);
      return table(['message', 'delivery', 'provider', 'token', 'state', 'attempts', 'finished', 'last error'], rows) + moreHint(page);
    });
  });
}
