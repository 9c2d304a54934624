import { readdirSync } from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
/** Every vendor folder: each gets its own simulator zone, so a new vendor is covered without editing this file. */
const vendors = readdirSync(path.join(root, 'providers'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'shared')
  .map((d) => d.name);

/**
 * The dependency rule (issue 9 point 7): layers that do not bounce. Checked on every import,
 * `import type` included, after resolving it (TypeScript's `.js` specifiers name `.ts` files).
 * test/architecture/dependency-rule.test.ts proves each zone fails the lint.
 */
export const layerZones = [
  { target: './src/core', from: './src/http', message: 'The core knows no HTTP: raise a DomainError (src/core/errors.ts) and let src/http map it.' },
  { target: './src/store', from: './providers', message: 'The store knows no vendor: device extras are one opaque JSON value.' },
  { target: './providers', from: './src', message: 'A provider never imports src/: use providers/types.ts and providers/shared/.' },
  {
    target: './clients/typescript/src',
    from: ['./src', './providers', './test'],
    message: 'The client is published on its own: it knows the gateway only through /openapi.json (its generated src/schema.ts) and the documented wire formats.',
  },
  ...vendors.map((v) => ({
    target: [`./providers/${v}/simulator*.ts`, `./providers/${v}/sim/**`],
    from: `./providers/${v}/**`,
    except: [path.join(root, `providers/${v}/simulator*.ts`), path.join(root, `providers/${v}/sim/**`)],
    message: `A simulator checks the vendor's rules with its own code, written from the vendor's documentation (docs/vendors/${v}.md), never with the adapter's: else both sides agree on a wrong constant and no test can catch it. Use providers/shared/sim* and providers/types.ts.`,
  })),
];

/** The zones that hold in every file; simulator tests may use the adapter (that is where the two sides meet). */
const everywhere = layerZones.slice(0, 4);

export default tseslint.config(
  { ignores: ['dist/', 'clients/typescript/dist/', 'node_modules/', 'coverage/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['src/**/*.ts', 'providers/**/*.ts', 'clients/typescript/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensionAlias: { '.js': ['.ts', '.js'] } })] },
    rules: { 'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones }] },
  },
  { files: ['src/**/*.test.ts', 'providers/**/*.test.ts'], rules: { 'import-x/no-restricted-paths': ['error', { basePath: root, zones: everywhere }] } },
  { files: ['bench/**', 'test/**', '**/*.test.ts'], rules: { 'no-console': 'off' } },
  { files: ['scripts/**'], rules: { 'no-console': 'off' } },
);
