/**
 * /openapi.json must pass a real OpenAPI linter (Redocly's recommended-strict ruleset: every
 * warning is an error), so generated clients and doc tools can rely on it.
 */
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { testGateway, type TestGateway } from '../factories/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await testGateway();
});
afterAll(async () => {
  await t.close();
});

describe('/openapi.json', () => {
  it('passes the Redocly recommended-strict lint with no problem at all', async () => {
    const doc = (await t.http.get('/openapi.json').expect(200)).body;
    const config = await createConfig({ extends: ['recommended-strict'] });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
    const readable = problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(', ')}`);
    expect(readable).toEqual([]);
  });
});
