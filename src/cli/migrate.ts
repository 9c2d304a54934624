/**
 * `npm run migrate`: apply the store's pending schema migrations, then rewrite stored tokens whose
 * provider changed its canonical form (store/token-forms.ts; needs security.encryptionKey), and
 * exit. Opening a store migrates it (under an advisory lock on PostgreSQL), so this is what
 * start-up does first, run on its own for deploy pipelines that migrate before rolling instances.
 *
 * `npm run migrate -- --recanonicalize-tokens` re-scans tokens even where the form is recorded as
 * done: for devices that instances of an older version registered while the upgrade rolled out.
 */
import { providers } from '../../providers/registry.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { keyBytes } from '../config/schema.js';
import { createLogger } from '../logger.js';
import { TokenCipher } from '../privacy/token-cipher.js';
import { StartupError, createStore, maskUrl } from '../store/factory.js';
import { migrateTokenForms } from '../store/token-forms.js';

try {
  const file = process.env.PUSHGATE_CONFIG ?? 'config/pushgate.yaml';
  const config = loadConfigFile(file, process.env, providers);
  const logger = createLogger(config.log.level);
  const store = await createStore(config.store, logger);
  try {
    const cipher = new TokenCipher(keyBytes(config.security.encryptionKey));
    const force = process.argv.includes('--recanonicalize-tokens');
    for (const r of await migrateTokenForms({ store, cipher, definitions: providers, logger, now: Date.now, force })) {
      console.error(`pushgate: ${r.provider} tokens: ${r.scanned} scanned, ${r.rewritten} rewritten, ${r.merged} merged into another device, ${r.unreadable + r.invalid} left as they were`);
    }
  } finally {
    await store.close();
  }
  const where = config.store.driver === 'sqlite' ? config.store.path : maskUrl(config.store.url);
  console.error(`pushgate: ${config.store.driver} store at ${where} is migrated`);
} catch (err) {
  if (err instanceof ConfigError || err instanceof StartupError) console.error(`pushgate: ${err.message}`);
  else console.error('pushgate: migration failed:', err);
  process.exit(1);
}
