/**
 * `pushgate serve`: the gateway started through the binary (the same code as `npm start`) with a
 * config file, answering /readyz and the CLI's own calls, and stopping cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { BIN, cleanEnv, pushgate } from './run-cli.js';

const KEY = 'serve-test-server-key-0001';

it('pushgate serve --config <file> listens, is ready, answers the CLI, and exits 0 on SIGTERM', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-serve-'));
  const config = path.join(dir, 'pushgate.yaml');
  writeFileSync(
    config,
    `server: { port: 0, host: 127.0.0.1 }
store: { driver: sqlite, path: "${path.join(dir, 'pushgate.db')}" }
security: { encryptionKey: "${'a'.repeat(64)}" }
tenants:
  - id: acme
    serverKeys: [ "${KEY}" ]
    providers: { huawei: { simulator: true } }
`,
  );
  const child = spawn(process.execPath, [BIN, 'serve', '--config', config], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    // The port is in the "listening" log line (JSON on stdout).
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const entry = (() => {
          try {
            return JSON.parse(line) as { msg?: string; port?: number };
          } catch {
            return {};
          }
        })();
        if (entry.msg?.startsWith('pushgate listening') && entry.port) resolve(entry.port);
      });
      void exited.then((code) => reject(new Error(`pushgate serve exited with ${code} before listening: ${stderr}`)));
    });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });

    const list = await pushgate(['messages'], { env: { PUSHGATE_URL: `http://127.0.0.1:${port}`, PUSHGATE_KEY: KEY } });
    expect(list).toEqual({ status: 0, stdout: 'no messages\n', stderr: '' });
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(stderr).toBe('');
});
