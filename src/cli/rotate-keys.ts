/**
 * `pushgate rotate-keys` (and `npm run rotate-keys`): re-encrypt every stored token (devices, then deliveries) under the key
 * that encrypts now — the first of `security.encryptionKeys` — and recompute its lookup hash under
 * the lookup key, in pages of one transaction each, while gateways keep running
 * (store/key-rotation.ts). Idempotent: run it again and it finds nothing to do. The README's
 * "Rotating the encryption key" is the whole procedure around it.
 *
 * `--check` writes nothing and exits 1 while any row still needs a key other than the first:
 * the test to pass before removing an old key from the configuration.
 */
import { providers } from '../../providers/registry.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { tokenKeys } from '../config/schema.js';
import { createLogger } from '../logger.js';
import { maskUrl } from '../privacy/redact.js';
import { TokenCipher } from '../privacy/token-cipher.js';
import { StartupError } from '../startup-error.js';
import { createStore } from '../store/factory.js';
import { ROTATION_PAGE, rotateTokenKeys, unreadableTotal, type RotationCounts, type RotationProgress } from '../store/key-rotation.js';
import { isEntryPoint, parseCommandLine, usageError } from './args.js';

const line = (what: string, c: RotationCounts, verb: string) =>
  `${what}: ${c.scanned} scanned, ${c.rewritten} ${verb}${c.merged ? `, ${c.merged} merged into another device` : ''}${c.changedMeanwhile ? `, ${c.changedMeanwhile} changed by the gateway meanwhile (left to it)` : ''}`;

/** Parse `argv`, rotate (or check), and answer the exit status: 0 done, 1 tokens left or failed (2, usage, exits early). */
export async function rotateKeys(argv: string[]): Promise<number> {
  // Before anything is opened: `--help` or a typo must never touch the store.
  const { values: args } = parseCommandLine(
    {
      usage: 'pushgate rotate-keys [options]   (or: npm run rotate-keys -- [options])',
      summary:
        'Re-encrypt every stored device token and delivery token under the first key of security.encryptionKeys (and rehash it under the lookup key), in batches, while gateways run. Safe to interrupt and to run again. Remove an old key from the configuration only after `--check` passes.',
      options: { config: { type: 'string', short: 'c' }, check: { type: 'boolean' }, 'batch-size': { type: 'string' } },
      help: {
        config: 'the YAML configuration file (default: $PUSHGATE_CONFIG, else config/pushgate.yaml)',
        check: 'write nothing; exit 1 while any stored token still needs a key other than the first',
        'batch-size': `rows per transaction (default ${ROTATION_PAGE}); smaller batches hold the SQLite writer lock for less time`,
      },
      notes: ['Environment: PUSHGATE_CONFIG (the configuration file); ${NAME} references in the file are read from the environment.', 'Exit status: 0 done, 1 tokens left under other keys (or failed), 2 usage error.'],
    },
    argv,
  );

  const batchSize = args['batch-size'] === undefined ? ROTATION_PAGE : Number(args['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) usageError(`--batch-size must be a whole number from 1 to 10000, not '${args['batch-size'] ?? ''}'`);

  try {
    const file = args.config ?? process.env.PUSHGATE_CONFIG ?? 'config/pushgate.yaml';
    const config = loadConfigFile(file, process.env, providers);
    const logger = createLogger(config.log.level);
    const { keys, lookup } = tokenKeys(config.security);
    const cipher = new TokenCipher(keys, lookup);
    const check = args.check === true;
    const verb = check ? 'to re-encrypt' : 're-encrypted';
    const where = config.store.driver === 'sqlite' ? config.store.path : maskUrl(config.store.url);
    console.error(`pushgate: ${check ? 'checking' : 'rotating'} stored tokens in the ${config.store.driver} store at ${where} to key ${cipher.currentKeyId} (configured keys: ${cipher.keyIds.join(', ')})`);
    const store = await createStore(config.store, logger);
    let exit = 0;
    try {
      // Progress at most once a second (and each phase's last page): a million rows is a thousand pages.
      let shownAt = 0;
      const progress = (p: RotationProgress) => {
        if (Date.now() - shownAt < 1000) return;
        shownAt = Date.now();
        console.error(`pushgate: … ${line(p.phase === 'devices' ? `devices (${p.provider ?? ''})` : 'deliveries', p.counts, verb)}`);
      };
      const report = await rotateTokenKeys({ store, cipher, pageSize: batchSize, check, onProgress: progress });
      console.error(`pushgate: ${line('devices', report.devices, verb)}`);
      console.error(`pushgate: ${line('deliveries', report.deliveries, verb)}`);
      const unreadable = unreadableTotal(report);
      if (unreadable) {
        const byKey = Object.entries(report.unreadable).map(([id, n]) => (id === '?' ? `${n} not pushgate ciphertexts` : `${n} under key ${id}`));
        console.error(`pushgate: ${unreadable} stored tokens no configured key decrypts (${byKey.join(', ')}): put those keys back in security.encryptionKeys and run again`);
        exit = 1;
      }
      const left = report.devices.changedMeanwhile + report.deliveries.changedMeanwhile;
      if (check && report.devices.rewritten + report.deliveries.rewritten > 0) {
        console.error(`pushgate: tokens remain under keys other than ${cipher.currentKeyId} (or under another lookup key): run npm run rotate-keys before removing a key`);
        exit = 1;
      } else if (!exit) {
        console.error(
          check || left === 0
            ? `pushgate: every stored token is under key ${cipher.currentKeyId}; keys other than ${cipher.currentKeyId} can be removed from security.encryptionKeys`
            : `pushgate: done; ${left} rows changed while this ran: run it again (or with --check) to confirm before removing a key`,
        );
      }
    } finally {
      await store.close();
    }
    return exit;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StartupError) console.error(`pushgate: ${err.message}`);
    else console.error('pushgate: key rotation failed:', err);
    return 1;
  }
}

// `npm run rotate-keys` runs this file itself; `pushgate rotate-keys` imports it.
if (isEntryPoint(import.meta.url)) process.exitCode = await rotateKeys(process.argv.slice(2));
