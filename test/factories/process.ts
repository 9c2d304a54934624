/**
 * Real gateway processes for integration tests: `node dist/src/main.js` with a config file,
 * its port read from the "listening" log line. Needs `npm run build` (npm test does it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

export const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;

export interface GatewayProcess {
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
}

/** The slice of API answers integration tests read. */
export interface ApiBody {
  id: string;
  targets: number;
  status: string;
  counts: Record<string, number>;
}

export function assertBuilt(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
}

export async function startGateway(config: string, env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env, PUSHGATE_CONFIG: config }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg?.startsWith('pushgate listening') && entry.port) resolve(entry.port);
      } catch {
        // not a log line
      }
    });
    void exited.then((code) => reject(new Error(`gateway exited with ${code} before listening: ${stderr}`)));
  });
  return { child, port, exited };
}

export async function api(port: number, key: string, method: string, url: string, body?: unknown): Promise<{ status: number; body: ApiBody }> {
  const res = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

/** Poll `probe` until it returns a value (no fixed sleeps: a condition, checked every 50 ms). */
export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
