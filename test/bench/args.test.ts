import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchArgs, PHASES, publish } from '../../bench/args.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pushgate-bench-args-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run bench flags', () => {
  it('writes RESULTS.md by default, every phase', () => {
    expect(benchArgs([])).toEqual({ quick: false, cpuProf: false, write: true, phases: [...PHASES] });
  });

  it('--no-write turns writing off, whatever else is given', () => {
    expect(benchArgs(['--no-write']).write).toBe(false);
    expect(benchArgs(['--quick', '--no-write', '--cpu-prof'])).toEqual({ quick: true, cpuProf: true, write: false, phases: [...PHASES] });
  });

  it('--only runs the named phases in their usual order and never writes (a partial table would replace the full one)', () => {
    expect(benchArgs(['--only', 'cluster,fanout'])).toEqual({ quick: false, cpuProf: false, write: false, phases: ['fanout', 'cluster'] });
  });
});

describe('publish (the one writer of bench/RESULTS.md)', () => {
  it('under --no-write touches nothing: no file is created', () => {
    const file = path.join(dir, 'RESULTS.md');
    expect(publish(file, 'full', '## run 1', benchArgs(['--no-write']).write)).toBe(false);
    expect(existsSync(file)).toBe(false);
  });

  it('under --no-write leaves an existing file byte for byte', () => {
    const file = path.join(dir, 'RESULTS.md');
    writeFileSync(file, '# kept\n\n<!-- bench:full:start -->\nold\n<!-- bench:full:end -->\n');
    const before = readFileSync(file, 'utf8');
    publish(file, 'full', '## new', false);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('otherwise replaces only its own section and keeps the rest of the file', () => {
    const file = path.join(dir, 'RESULTS.md');
    writeFileSync(file, '# Results\n\nnotes\n\n<!-- bench:quick:start -->\nquick\n<!-- bench:quick:end -->\n');
    expect(publish(file, 'full', '## run 1', true)).toBe(true);
    expect(publish(file, 'full', '## run 2', true)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('notes');
    expect(text).toContain('<!-- bench:quick:start -->\nquick\n<!-- bench:quick:end -->');
    expect(text).toContain('<!-- bench:full:start -->\n## run 2\n<!-- bench:full:end -->');
    expect(text).not.toContain('run 1');
  });
});
