/**
 * `pushgate migrate` (and `npm run migrate`): apply the store's pending schema migrations, then rewrite stored tokens whose
 * provider changed its canonical form (store/token-forms.ts; needs security.encryptionKey), and
 * exit. Opening a store migrates it (under an advisory lock on PostgreSQL), so this is what
 * start-up does first, run on its own for deploy pipelines that migrate before rolling instances.
 *
 * `npm run migrate -- --recanonicalize-tokens` re-scans tokens even where the form is recorded as
 * done: for devices that instances of an older version registered while the upgrade rolled out.
 */
import { providers } from '../../providers/registry.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { tokenKeys } from '../config/schema.js';
import { createLogger } from '../logger.js';
import { TokenCipher } from '../privacy/token-cipher.js';
import { maskUrl } from '../privacy/redact.js';
import { StartupError } from '../startup-error.js';
import { createStore } from '../store/factory.js';
import { migrateTokenForms } from '../store/token-forms.js';
import { isEntryPoint, parseCommandLine } from './args.js';

/** Parse `argv`, migrate, and answer the exit status (0 migrated, 1 failed; usage errors exit 2 before anything opens). */
export async function migrate(argv: string[]): Promise<number> {
  // Before anything is opened: `--help` or a typo must never migrate the default database.
  const { values: args } = parseCommandLine(
    {
      usage: 'pushgate migrate [options]   (or: npm run migrate -- [options])',
      summary: "Apply the store's pending schema migrations (SQLite file or PostgreSQL schema named by the configuration's `store`) and exit. Start-up does the same; run this on its own to migrate before rolling instances.",
      options: { config: { type: 'string', short: 'c' }, 'recanonicalize-tokens': { type: 'boolean' } },
      help: {
        config: 'the YAML configuration file (default: $PUSHGATE_CONFIG, else config/pushgate.yaml)',
        'recanonicalize-tokens': 're-scan stored tokens even where their canonical form is recorded as done (after a rolling upgrade)',
      },
      notes: ['Environment: PUSHGATE_CONFIG (the configuration file); ${NAME} references in the file are read from the environment.'],
    },
    argv,
  );

  try {
    const file = args.config ?? process.env.PUSHGATE_CONFIG ?? 'config/pushgate.yaml';
    const config = loadConfigFile(file, process.env, providers);
    const logger = createLogger(config.log.level);
    const store = await createStore(config.store, logger);
    try {
      const { keys, lookup } = tokenKeys(config.security);
      const cipher = new TokenCipher(keys, lookup);
      const force = args['recanonicalize-tokens'] === true;
      for (const r of await migrateTokenForms({ store, cipher, definitions: providers, logger, now: Date.now, force })) {
        console.error(`pushgate: ${r.provider} tokens: ${r.scanned} scanned, ${r.rewritten} rewritten, ${r.merged} merged into another device, ${r.unreadable + r.invalid} left as they were`);
      }
    } finally {
      await store.close();
    }
    const where = config.store.driver === 'sqlite' ? config.store.path : maskUrl(config.store.url);
    console.error(`pushgate: ${config.store.driver} store at ${where} is migrated`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StartupError) console.error(`pushgate: ${err.message}`);
    else console.error('pushgate: migration failed:', err);
    return 1;
  }
}

// `npm run migrate` runs this file itself; `pushgate migrate` imports it.
if (isEntryPoint(import.meta.url)) process.exitCode = await migrate(process.argv.slice(2));
