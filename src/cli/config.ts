/**
 * `pushgate config check [file]`: run the loader the gateway runs at start-up (the same `${ENV}`
 * interpolation, schemas and vendor checks) and print every problem it finds, or a one-line
 * summary. Opens no store and no network connection, so it is safe in CI and before a deploy.
 */
import { providers } from '../../providers/registry.js';
import { ConfigError, loadConfigFile, type LoadedConfig } from '../config/load.js';
import { maskUrl } from '../privacy/redact.js';
import { parseCommandLine, usageError } from './args.js';
import { fields } from './format.js';

export async function config(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'check') return check(rest);
  if (sub === '--help' || sub === '-h') {
    process.stdout.write('Usage: pushgate config check [file] [options]\n\nCommands:\n  check    validate a configuration file and print every problem\n\nRun `pushgate config check --help` for its options.\n');
    return 0;
  }
  usageError(sub === undefined ? 'pushgate config needs a command: check' : `unknown command 'config ${sub}'; the config command is: check`);
}

async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    {
      usage: 'pushgate config check [file] [options]',
      summary:
        'Validate a configuration file exactly as the gateway does at start-up (${ENV} references, every key, each vendor section) and print every problem with its path and the fix, or a summary when it is valid. Opens no store and no network connection.',
      positionals: [{ name: 'file', help: 'the YAML configuration file (default: $PUSHGATE_CONFIG, else config/pushgate.yaml)' }],
      options: { json: { type: 'boolean' } },
      help: { json: 'print {"ok": true, …} or {"ok": false, "problems": […]} (one document on stdout)' },
      notes: ['${NAME} references in the file are read from the environment, as at start-up.', 'Exit status: 0 valid, 1 problems found, 2 usage error.'],
    },
    argv,
  );
  const file = positionals[0] ?? process.env.PUSHGATE_CONFIG ?? 'config/pushgate.yaml';
  let loaded: LoadedConfig;
  try {
    loaded = loadConfigFile(file, process.env, providers);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (values.json) process.stdout.write(`${JSON.stringify({ ok: false, file, problems: err.problems }, null, 2)}\n`);
    else process.stdout.write(`${err.message}\n${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}\n`);
    return 1;
  }
  const s = summary(loaded);
  if (values.json) process.stdout.write(`${JSON.stringify({ ok: true, file, ...s }, null, 2)}\n`);
  else {
    const tenants = s.tenants.map((t): [string, string] => [`tenant ${t.id}`, providerList(t.providers, t.simulated)]);
    process.stdout.write(`ok: ${file}\n${fields([...tenants, ['store', s.store], ['queue', s.queue]])}`);
  }
  return 0;
}

function providerList(ids: string[], simulated: string[]): string {
  if (!ids.length) return 'no providers';
  const sims = simulated.length === ids.length ? ' (all simulated)' : simulated.length ? ` (simulated: ${simulated.join(', ')})` : '';
  return `${ids.join(', ')}${sims}`;
}

/** What the file configures, without a secret: connection URLs are masked, keys not shown. */
function summary(c: LoadedConfig) {
  return {
    tenants: c.tenants.map((t) => ({ id: t.id, providers: t.providers.map((p) => p.id), simulated: t.providers.filter((p) => p.simulator).map((p) => p.id) })),
    store: c.store.driver === 'sqlite' ? `sqlite ${c.store.path}` : `postgres ${maskUrl(c.store.url)}`,
    queue: c.queue.driver === 'local' ? 'local' : `redis ${maskUrl(c.queue.url)}`,
  };
}
