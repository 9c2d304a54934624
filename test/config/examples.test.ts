import { readFileSync, readdirSync } from 'node:fs';
import { providers } from '../../providers/registry.js';
import { ConfigError, loadConfigFile } from '../../src/config/load.js';

const dir = new URL('../../config/examples/', import.meta.url).pathname;

/** Plausible values for every ${VAR} an example references, shaped like the real thing. */
function envFor(text: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [, name] of text.matchAll(/\$\{([A-Z0-9_]+)/g)) {
    if (!name) continue;
    if (name.endsWith('ENCRYPTION_KEY')) env[name] = 'e'.repeat(64);
    else if (/KEY_ID|TEAM_ID/.test(name)) env[name] = 'ABC123DEFG';
    else if (/APP_ID|PROJECT/.test(name)) env[name] = '100200300';
    else if (name.endsWith('_URL')) env[name] = name.includes('REDIS') ? 'redis://127.0.0.1:6379' : 'postgres://pushgate:secret@127.0.0.1:5432/pushgate';
    else env[name] = `${name.toLowerCase()}-example-0123456789`;
  }
  return env;
}

describe('config/examples', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.yaml')))('%s is a valid configuration', (file) => {
    const text = readFileSync(dir + file, 'utf8');
    // Key files an example names under /etc/pushgate/ are the deployment's to provide: their
    // absence here is the one problem allowed (and must be named as such).
    let problems: string[] = [];
    try {
      loadConfigFile(dir + file, envFor(text), providers);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    expect(problems.filter((p) => !/: cannot read \/etc\/pushgate\/[\w.-]+: no such file/.test(p))).toEqual([]);
  });
});
