/**
 * Runs the real `pushgate` binary (node bin/pushgate.js → dist/, built by `npm test` before jest)
 * as a child process. Asynchronous on purpose: the gateway it talks to runs in the test's own
 * process, which a spawnSync would freeze.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export const BIN = new URL('../../bin/pushgate.js', import.meta.url).pathname;
const DIST = new URL('../../dist/src/cli/pushgate.js', import.meta.url).pathname;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** process.env without the PUSHGATE_* variables of whoever runs the tests, plus `env`. */
export function cleanEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PUSHGATE_')));
  return { ...base, ...env };
}

export function pushgate(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` first (npm test does)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(opts.env), cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
