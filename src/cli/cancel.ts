/** `pushgate cancel <message-id>`: cancel a message's queued deliveries and recall sent ones where the vendor can (DELETE /v1/messages/{id}). */
import { counts } from './format.js';
import { parseRemote, runRemote, show } from './remote.js';

export async function cancel(argv: string[]): Promise<number> {
  const { positionals, remote } = parseRemote(
    {
      usage: 'pushgate cancel <message-id> [options]',
      summary:
        'Cancel the deliveries of a message that are still queued (they are never sent) and recall the sent ones where the vendor can (HarmonyOS NEXT). Running it again is harmless; recall_failed ones are tried again.',
      positionals: [{ name: 'message-id', help: 'the message (msg_…)', required: true }],
      options: {},
      help: {},
    },
    argv,
  );
  const id = positionals[0]!;
  return runRemote(remote, async () => {
    show(remote, await remote.api.delete<{ id: string } & Record<string, number>>(`/v1/messages/${encodeURIComponent(id)}`), ({ id: message, ...c }) => `${message}: ${counts(c)}\n`);
  });
}
