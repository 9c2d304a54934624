/**
 * src/schema.ts is generated from the gateway's OpenAPI document and committed. When the API
 * changes, this fails until the file is regenerated, so the published client never drifts from
 * the gateway it ships with.
 */
import { readFileSync } from 'node:fs';
import { providers } from '../../../providers/registry.js';
import { openApiDocument } from '../../../src/http/openapi.js';
import { REGENERATE, SCHEMA_FILE, renderSchema } from '../scripts/generate-schema.mjs';

describe('the generated types (src/schema.ts)', () => {
  it('are what the current /openapi.json generates', async () => {
    const expected = await renderSchema(openApiDocument(providers));
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (committed !== expected) throw new Error(`clients/typescript/src/schema.ts is out of date with the gateway's OpenAPI document: run \`${REGENERATE}\` and commit it (never edit it by hand).`);
    expect(committed).toContain('export interface paths');
  });
});
