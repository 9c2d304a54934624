/**
 * The `pushgate` binary's contract with the shell, without a gateway: every command answers
 * --help (exit 0), a bad flag or argument is one line and exit 2, a remote command without a key
 * says which flag or variable to set (exit 2), and an unreachable gateway is one line naming it.
 */
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pushgate } from './run-cli.js';

const LOCAL = ['serve', 'migrate', 'rotate-keys', 'config check'];
const REMOTE = ['send', 'messages', 'devices', 'deliveries', 'retry', 'cancel'];
const KEY = { PUSHGATE_KEY: 'some-server-key' };
// cwd: an empty directory, so nothing here can find (or create) a config/ or data/ of the checkout.
const cwd = mkdtempSync(path.join(tmpdir(), 'pushgate-cli-usage-'));

describe('pushgate --help', () => {
  it('lists every command and exits 0', async () => {
    const out = await pushgate(['--help'], { cwd });
    expect(out.status).toBe(0);
    for (const cmd of [...LOCAL.map((c) => c.split(' ')[0]!), ...REMOTE]) expect(out.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    expect(out.stderr).toBe('');
  });

  it.each([...LOCAL, ...REMOTE])('pushgate %s --help prints its usage and exits 0', async (cmd) => {
    const out = await pushgate([...cmd.split(' '), '--help'], { cwd });
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`^Usage: pushgate ${cmd}`));
    if (REMOTE.includes(cmd)) expect(out.stdout).toMatch(/--url <value>[\s\S]*--key <value>[\s\S]*--json/);
    expect(out.stderr).toBe('');
  });

  it('prints the package version', async () => {
    const out = await pushgate(['--version'], { cwd });
    expect(out.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('usage errors: one line, exit 2', () => {
  it('an unknown command suggests the nearest one', async () => {
    const out = await pushgate(['mesages'], { cwd });
    expect(out).toEqual({ status: 2, stdout: '', stderr: "pushgate: unknown command 'mesages' (did you mean 'messages'?); see --help\n" });
  });

  it('no command prints the help on stderr', async () => {
    const out = await pushgate([], { cwd });
    expect(out.status).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^Usage: pushgate <command>/);
  });

  it.each([
    [['messages', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['deliveries', '--since', '1x'], "--since takes a duration (30m, 1h, 2d) or an ISO 8601 time, not '1x'"],
    [['messages', '--limit', '0'], "--limit must be a whole number from 1 to 1000, not '0'"],
    [['retry'], 'the argument <message-id> is missing'],
    [['send', '--title', 'Hi', '--body', 'there'], 'name at least one target: --to-user, --to-device or --to-token'],
    [['send', '--to-token', 'IQAAAA', '--title', 'Hi', '--body', 'x'], "--to-token takes provider:token (e.g. huawei:IQAAAA…), not 'IQAAAA'"],
    [['send', '--to-user', 'u', '--data', 'novalue'], "--data takes key=value, not 'novalue'"],
    [['devices'], '--user <user-id> is required'],
    [['config'], 'pushgate config needs a command: check'],
    [['messages', '--url', 'ftp://example.com'], "the gateway URL 'ftp://example.com' (--url) is not an http:// or https:// URL"],
  ])('pushgate %j', async (args, why) => {
    const out = await pushgate(args, { cwd, env: KEY });
    expect(out).toEqual({ status: 2, stdout: '', stderr: `pushgate: ${why}; see --help\n` });
  });

  it.each([[['send', '--to-user', 'u']], [['messages']], [['messages', 'msg_1']], [['devices', '--user', 'u']], [['deliveries', '--failed']], [['retry', 'msg_1']], [['cancel', 'msg_1']]])('pushgate %j without --key or PUSHGATE_KEY names both', async (args) => {
    const out = await pushgate(args, { cwd });
    expect(out).toEqual({ status: 2, stdout: '', stderr: 'pushgate: no API key: pass --key <server key> or set PUSHGATE_KEY; see --help\n' });
  });
});

describe('an unreachable gateway', () => {
  it('is one line naming the URL, exit 1', async () => {
    // A port that was just free: nothing listens there.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((r) => probe.close(r));
    const url = `http://127.0.0.1:${port}`;
    const out = await pushgate(['messages'], { cwd, env: { ...KEY, PUSHGATE_URL: url } });
    expect(out).toEqual({ status: 1, stdout: '', stderr: `pushgate: cannot reach pushgate at ${url}: connection refused (is it running? set --url or PUSHGATE_URL)\n` });
  });
});
