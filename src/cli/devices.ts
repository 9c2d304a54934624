/** `pushgate devices --user <id>`: a user's registered devices, tokens masked as the API returns them (GET /v1/devices). */
import { relative, table } from './format.js';
import { parseRemote, runRemote, show } from './remote.js';
import { usageError } from './args.js';

interface DeviceList {
  devices: Array<{ id: string; provider: string; token: string; userId: string | null; createdAt: string; lastSeenAt: string }>;
}

export async function devices(argv: string[]): Promise<number> {
  const { values, remote } = parseRemote(
    {
      usage: 'pushgate devices --user <user-id> [options]',
      summary: "A user's registered devices: id, provider, masked token (pushgate never shows a whole one), registration and last refresh.",
      options: { user: { type: 'string', short: 'u' } },
      help: { user: 'the user id the app registered the devices with (required)' },
    },
    argv,
  );
  const userId = values.user;
  if (!userId) usageError('--user <user-id> is required');
  return runRemote(remote, async () => {
    show(remote, await remote.api.get<DeviceList>('/v1/devices', { userId }), ({ devices: list }) => {
      if (!list.length) return `no devices registered for user ${userId}\n`;
      return table(['id', 'provider', 'token', 'registered', 'last seen'], list.map((d) => [d.id, d.provider, d.token, relative(d.createdAt, remote.now), relative(d.lastSeenAt, remote.now)]));
    });
  });
}
