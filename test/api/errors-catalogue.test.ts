import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../../src/http/errors.js';

describe('docs/errors.md', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Map([...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]));

  it.each(Object.entries(ERROR_CODES))('documents %s with HTTP %i', (code, status) => {
    expect(rows.get(code)).toBe(status);
  });

  it('lists no code that the server cannot produce', () => {
    expect([...rows.keys()].filter((c) => !(c! in ERROR_CODES))).toEqual([]);
  });
});
