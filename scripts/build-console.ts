/**
 * Builds the web console (console/) into dist/console/: one content-hashed script (Preact and the
 * pages, bundled and minified by esbuild), the stylesheet, and index.html naming them. Run by
 * `npm run build`; the gateway serves the result at /console. Nothing is fetched from the internet.
 *
 *   node dist/scripts/build-console.js [outdir]     (default dist/console)
 *
 * TypeScript like the rest, compiled by the same tsc, so the browser tests and the screenshot
 * script import it as they import any module.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The package root: the nearest folder with a package.json (this file runs from scripts/ or dist/scripts/). */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

const root = packageRoot();

export async function buildConsole(outdir = path.join(root, 'dist', 'console')): Promise<{ outdir: string; script: string; style: string }> {
  const assets = path.join(outdir, 'assets');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
  const result = await build({
    entryPoints: [path.join(root, 'console', 'src', 'main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: path.join(root, 'console', 'tsconfig.json'),
    write: false,
    legalComments: 'eof',
    logLevel: 'warning',
    outdir: assets,
  });
  const files: Record<string, string> = {};
  for (const f of result.outputFiles) {
    const ext = path.extname(f.path);
    const name = `${path.basename(f.path, ext)}-${hash(f.contents)}${ext}`;
    writeFileSync(path.join(assets, name), f.contents);
    files[ext] = name;
  }
  const css = readFileSync(path.join(root, 'console', 'style.css'));
  const style = `style-${hash(css)}.css`;
  writeFileSync(path.join(assets, style), css);
  const script = files['.js'];
  if (!script) throw new Error('esbuild wrote no script');
  const html = readFileSync(path.join(root, 'console', 'index.html'), 'utf8').replace('{{style}}', style).replace('{{script}}', script);
  writeFileSync(path.join(outdir, 'index.html'), html);
  return { outdir, script, style };
}

const hash = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 12);

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildConsole(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`console built: ${path.relative(process.cwd(), out.outdir)}/ (${out.script}, ${out.style})`);
}
