/**
 * Every npm script runs a program that `npm install` provides: a script naming a tool that is not
 * a dependency (as `npm run format` named prettier) fails for every newcomer who tries it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
/** Programs every machine that runs npm has. */
const BUILT_IN = new Set(['node', 'npm', 'npx']);

/** The program of each `a && b || c ; d` part of a script. */
function programs(script: string): string[] {
  return script
    .split(/&&|\|\||;/)
    .map((part) => part.trim().split(/\s+/)[0] ?? '')
    .filter((p) => p !== '');
}

describe('package.json scripts', () => {
  it.each(Object.entries(pkg.scripts))('%s runs only installed programs', (_name, script) => {
    for (const program of programs(script)) {
      const installed = BUILT_IN.has(program) || existsSync(path.join(root, 'node_modules', '.bin', program));
      expect({ program, installed }).toEqual({ program, installed: true });
    }
  });
});
