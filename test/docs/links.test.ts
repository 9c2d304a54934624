import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { anchorsOf, markdownLinkProblems, outsideReferenceProblems, sourceDocPathProblems, trackedFiles, type Problem } from './doc-links.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const files = trackedFiles(root);
const read = (f: string) => readFileSync(root + f, 'utf8');
const show = (ps: Problem[]) => ps.map((p) => `${p.file}:${p.line}: ${p.why}\n    ${p.text}`);

// This folder names the forbidden patterns itself; CHANGELOG.md may say what used to be there.
const SELF = /^test\/docs\/|^CHANGELOG\.md$/;
const SOURCE_OR_DOC = /\.(ts|js|md|ya?ml|json)$|^Dockerfile$/;

describe('the repository documents itself', () => {
  it('no source or doc file points at notes outside the repository', () => {
    const problems = files.filter((f) => SOURCE_OR_DOC.test(f) && !SELF.test(f) && !f.endsWith('package-lock.json')).flatMap((f) => outsideReferenceProblems(f, read(f)));
    expect(show(problems)).toEqual([]);
  });

  it('every relative link in README.md and docs/ resolves to a file and heading in the repository', () => {
    const docs = files.filter((f) => f === 'README.md' || (f.startsWith('docs/') && f.endsWith('.md')));
    expect(docs).toEqual(expect.arrayContaining(['README.md', 'docs/errors.md', 'docs/vendors/README.md']));
    expect(show(docs.flatMap((f) => markdownLinkProblems(root, f, read(f))))).toEqual([]);
  });

  it('every docs/… path named in a source comment resolves, anchor included', () => {
    const sources = files.filter((f) => f.endsWith('.ts') && !SELF.test(f));
    expect(show(sources.flatMap((f) => sourceDocPathProblems(root, f, read(f))))).toEqual([]);
  });

  it('has one vendor page per registered provider', async () => {
    const { providers } = await import('../../providers/registry.js');
    const index = read('docs/vendors/README.md');
    for (const p of providers) {
      expect(files).toContain(`docs/vendors/${p.id}.md`);
      expect(index).toContain(`(${p.id}.md)`);
    }
  });
});

describe('the checker', () => {
  it('finds references to the notes beside the repository', () => {
    const whys = outsideReferenceProblems('x.ts', ['// see shared/docs/vendors.md §3.7', '// docs/fcm-apns.md', '// DESIGN.md "Privacy"', "import '../shared/http.js'", '// RFC 6749 §5.1'].join('\n'));
    expect(whys.map((p) => p.line)).toEqual([1, 1, 1, 2, 3]);
  });

  it('computes GitHub heading anchors, repeats numbered', () => {
    expect([...anchorsOf('# Xiaomi MiPush (`xiaomi`)\n## Error codes and outcomes\n## Receipts\n## Receipts\n```\n# not a heading\n```')]).toEqual([
      'xiaomi-mipush-xiaomi',
      'error-codes-and-outcomes',
      'receipts',
      'receipts-1',
    ]);
  });

  it('reports a missing file, a missing anchor and a path leaving the repository, not URLs or code', () => {
    const md = '[a](docs/nope.md) [b](docs/vendors/vivo.md#nope) [c](../outside.md) [d](https://x.test/y.md) `[e](nope.md)` [f](docs/vendors/vivo.md#receipts)';
    expect(markdownLinkProblems(root, 'README.md', md).map((p) => p.text)).toEqual(['](docs/nope.md)', '](docs/vendors/vivo.md#nope)', '](../outside.md)']);
    expect(sourceDocPathProblems(root, 'x.ts', '// docs/vendors/oppo.md#nope, docs/vendors/oppo.md#receipts').map((p) => p.text)).toEqual(['docs/vendors/oppo.md#nope']);
  });
});
