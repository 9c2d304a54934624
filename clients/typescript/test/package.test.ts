/**
 * The package as a backend installs it: `npm pack` ships the built dist (JavaScript and its type
 * declarations) and nothing else, and Node resolves `@pushgate/client` through its `exports` to a
 * module with the documented API. Needs `npm run build` (npm test does it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const root = new URL('../../../', import.meta.url).pathname;
const built = new URL('../dist/index.js', import.meta.url).pathname;

describe('the published package', () => {
  beforeAll(() => {
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
  });

  it('packs dist (JavaScript and .d.ts), the README and package.json only', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '-w', '@pushgate/client'], { cwd: root, encoding: 'utf8' })) as Array<{ name: string; version: string; files: Array<{ path: string }> }>;
    const files = pack!.files.map((f) => f.path).sort();
    expect(pack).toMatchObject({ name: '@pushgate/client', version: '0.3.0' });
    expect(files).toEqual(expect.arrayContaining(['README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/schema.d.ts', 'dist/webhooks.js']));
    expect(files.filter((f) => !/^dist\/\w+\.(js|d\.ts)$/.test(f))).toEqual(['README.md', 'package.json']);
  });

  it('resolves by name to a module with the documented API', () => {
    const script = "const m = await import('@pushgate/client'); console.log(Object.keys(m).sort().join(' '));";
    const names = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }).trim().split(' ');
    expect(names).toEqual(expect.arrayContaining(['createPushgateClient', 'PushgateError', 'parseRetryAfter', 'verifyWebhookSignature', 'parseWebhookEvent', 'checkWebhookSignature', 'WebhookSignatureError']));
  });
});
