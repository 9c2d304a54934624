/**
 * `pushgate <command>`: the package's one command (package.json "bin" → bin/pushgate.js → here).
 * Each command lives in its own file and is imported only when run, so `pushgate send` never
 * loads the store drivers and `pushgate --help` loads nothing.
 */
import { readFileSync } from 'node:fs';
import { nearest } from '../config/suggest.js';
import { usageError } from './args.js';

type Run = (argv: string[]) => Promise<number | void>;

interface CommandEntry {
  summary: string;
  load: () => Promise<Run>;
}

/** In the order `pushgate --help` lists them: the gateway's own, then the ones that call it. */
const COMMANDS: Record<string, CommandEntry> = {
  serve: { summary: 'start the gateway (what npm start runs)', load: async () => (await import('./serve.js')).serve },
  migrate: { summary: "apply the store's pending migrations and exit", load: async () => (await import('./migrate.js')).migrate },
  'rotate-keys': { summary: 're-encrypt stored tokens under the current encryption key', load: async () => (await import('./rotate-keys.js')).rotateKeys },
  config: { summary: 'config check [file]: validate a configuration file, print every problem', load: async () => (await import('./config.js')).config },
  send: { summary: 'send a notification to users, devices or raw tokens', load: async () => (await import('./send.js')).send },
  messages: { summary: 'list messages, or show one with its deliveries', load: async () => (await import('./messages.js')).messages },
  devices: { summary: "list a user's devices (tokens masked)", load: async () => (await import('./devices.js')).devices },
  deliveries: { summary: 'failed and expired deliveries (dead letters), or --summary counts', load: async () => (await import('./deliveries.js')).deliveries },
  retry: { summary: "send a message's failed deliveries again", load: async () => (await import('./retry.js')).retry },
  cancel: { summary: "cancel a message's queued deliveries, recall sent ones where possible", load: async () => (await import('./cancel.js')).cancel },
};

const LOCAL = ['serve', 'migrate', 'rotate-keys', 'config'];

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const list = (names: string[]) => names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`);
  return [
    'Usage: pushgate <command> [options]',
    '',
    'The pushgate gateway and its operator tools.',
    '',
    'On this machine (read the configuration: --config, else $PUSHGATE_CONFIG, else config/pushgate.yaml):',
    ...list(LOCAL),
    '',
    'Against a running gateway (--url/$PUSHGATE_URL, --key/$PUSHGATE_KEY; tables, or --json for scripts):',
    ...list(Object.keys(COMMANDS).filter((c) => !LOCAL.includes(c))),
    '',
    'Run `pushgate <command> --help` for its options.',
    '  -h, --help     print this help and exit',
    '  -v, --version  print the version and exit',
    '',
  ].join('\n');
}

function version(): string {
  // dist/src/cli/pushgate.js → the package's package.json.
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function pushgate(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // No command is a usage error: the help goes to stderr, so a script's stdout stays empty.
    process.stderr.write(help());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    const near = name.startsWith('-') ? undefined : nearest(name, Object.keys(COMMANDS));
    usageError(`unknown command '${name}'${near ? ` (did you mean '${near}'?)` : ` (commands: ${Object.keys(COMMANDS).join(', ')})`}`);
  }
  return (await (await entry.load())(rest)) ?? 0;
}

process.exitCode = await pushgate(process.argv.slice(2));
