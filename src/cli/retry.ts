/** `pushgate retry <message-id>`: send a message's failed and expired deliveries again (POST /v1/messages/{id}/retry). */
import { usageError } from './args.js';
import { counts, parseDuration } from './format.js';
import { parseRemote, runRemote, show } from './remote.js';

interface Replay {
  id: string;
  requeued: number;
  skipped: Record<string, number>;
}

export async function retry(argv: string[]): Promise<number> {
  const { values, positionals, remote } = parseRemote(
    {
      usage: 'pushgate retry <message-id> [options]',
      summary:
        "Put the message's failed and expired deliveries back in the queue, once their cause is fixed. Never replayed: invalid tokens (the device was pruned), removed devices, and deliveries of an expired message unless --extend-ttl is given.",
      positionals: [{ name: 'message-id', help: 'the message (msg_…)', required: true }],
      options: {
        provider: { type: 'string', multiple: true },
        'error-code': { type: 'string', multiple: true },
        'extend-ttl': { type: 'string' },
        'idempotency-key': { type: 'string' },
      },
      help: {
        provider: 'only deliveries of this provider',
        'error-code': 'only deliveries whose last error has this code (auth_error, retry, …)',
        'extend-ttl': 'replay an expired message too; it then expires this long from now (e.g. 1h, at most 28d)',
        'idempotency-key': 'the same key and filters within 24 h answer the first answer and requeue nothing new',
      },
    },
    argv,
  );
  const id = positionals[0]!;
  let extendTtlSeconds: number | undefined;
  if (values['extend-ttl'] !== undefined) {
    const ms = parseDuration(values['extend-ttl']);
    if (ms === undefined || ms < 1000) usageError(`--extend-ttl takes a duration (90s, 30m, 1h, 2d), not '${values['extend-ttl']}'`);
    extendTtlSeconds = ms / 1000;
  }
  const body = { ...(values.provider ? { providers: values.provider } : {}), ...(values['error-code'] ? { errorCodes: values['error-code'] } : {}), ...(extendTtlSeconds ? { extendTtlSeconds } : {}) };
  const headers: Record<string, string> = values['idempotency-key'] ? { 'idempotency-key': values['idempotency-key'] } : {};
  return runRemote(remote, async () => {
    show(remote, await remote.api.post<Replay>(`/v1/messages/${encodeURIComponent(id)}/retry`, body, headers), (r) => `requeued ${r.requeued} ${r.requeued === 1 ? 'delivery' : 'deliveries'} of ${r.id}; skipped: ${counts(r.skipped)}\n`);
  });
}
