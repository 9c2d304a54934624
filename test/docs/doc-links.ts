/**
 * Checks that the repository documents itself: no file points at notes outside it, and every
 * relative link in the docs (and every docs/… path named in a source comment) resolves to a file
 * and, when it has one, a heading anchor inside the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface Problem {
  file: string;
  line: number;
  text: string;
  why: string;
}

/** References to the team's notes beside the repository, which a reader of the repo cannot open. */
const OUTSIDE: ReadonlyArray<[RegExp, string]> = [
  [/\bshared\/(?:docs|DESIGN)|\/work\/shared\b/, 'the team notes in shared/ beside the repository'],
  [/\bvendors(?:-2)?\.md\b/, 'the team vendor notes: link docs/vendors/<vendor>.md instead'],
  [/\bfcm-apns\.md\b/, 'the team FCM/APNs notes: link docs/vendors/fcm.md or apns.md instead'],
  [/\bDESIGN\.md\b/, 'the team design notes: point at the README or docs/ instead'],
  [/(?<!RFC \d+ )§/, 'a "§N" section of notes outside the repository (only "RFC nnnn §n" is allowed)'],
];

/** GitHub's heading anchor: lowercase, punctuation dropped, spaces to hyphens; repeats get -1, -2… */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of stripCode(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Fenced blocks and inline code hold examples, not links. */
function stripCode(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '));
}

export function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Problems with one relative target (`path`, `path#anchor` or `#anchor`) seen from `fromFile`. */
export function checkTarget(root: string, fromFile: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? join(root, fromFile) : resolve(dirname(join(root, fromFile)), decodeURI(path));
  const rel = relative(root, file);
  if (rel.startsWith('..') || rel.split(sep).includes('node_modules')) return `${target} points outside the repository`;
  if (!existsSync(file)) return `${target}: no such file (${rel})`;
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return `${target}: an anchor on a file that is not markdown`;
  return anchorsOf(readFileSync(file, 'utf8')).has(anchor) ? undefined : `${target}: ${rel} has no heading #${anchor}`;
}

/** Markdown links `[text](target)` that are not absolute URLs. */
export function markdownLinkProblems(root: string, file: string, markdown: string): Problem[] {
  const problems: Problem[] = [];
  const text = stripCode(markdown).replace(/`[^`\n]*`/g, (c) => ' '.repeat(c.length));
  for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const why = checkTarget(root, file, target);
    if (why) problems.push({ file, line: lineOf(markdown, m.index), text: m[0], why });
  }
  return problems;
}

/** `docs/….md#anchor` paths named in source comments, resolved from the repository root. */
export function sourceDocPathProblems(root: string, file: string, source: string): Problem[] {
  const problems: Problem[] = [];
  for (const m of source.matchAll(/(?<![\w./-])(docs\/[\w./-]*\.md(?:#[\w-]+)?)/g)) {
    const why = checkTarget(root, 'README.md', m[1]!);
    if (why) problems.push({ file, line: lineOf(source, m.index), text: m[1]!, why });
  }
  return problems;
}

export function outsideReferenceProblems(file: string, text: string): Problem[] {
  const problems: Problem[] = [];
  text.split('\n').forEach((line, i) => {
    for (const [re, why] of OUTSIDE) if (re.test(line)) problems.push({ file, line: i + 1, text: line.trim(), why });
  });
  return problems;
}

export function trackedFiles(root: string): string[] {
  return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '' && existsSync(join(root, f)));
}
