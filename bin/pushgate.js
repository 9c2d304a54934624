#!/usr/bin/env node
// The `pushgate` command (package.json "bin"). The CLI is TypeScript compiled into dist/ by
// `npm run build`; this file only finds it, so `npx pushgate` works in a built checkout and a
// checkout that was not built says how to fix it instead of a module-not-found stack trace.
/* global process, URL */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/pushgate.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(`pushgate: ${fileURLToPath(entry)} is missing: run \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))} first\n`);
  process.exit(1);
}
await import(entry.href);
