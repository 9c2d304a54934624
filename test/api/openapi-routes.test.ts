/**
 * The document and the express app list the same operations, so a new route cannot ship
 * undocumented and a documented route cannot silently disappear.
 */
import type { Express } from 'express';
import { providers } from '../../providers/registry.js';
import { ERROR_CODES } from '../../src/http/errors.js';
import { openApiDocument } from '../../src/http/openapi.js';
import { testGateway, type TestGateway } from '../factories/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await testGateway();
});
afterAll(async () => {
  await t.close();
});

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/** "METHOD /path/{param}" for every route registered on the app (express writes params as :name). */
function expressOperations(app: Express): string[] {
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  return stack.flatMap((l) => {
    if (!l.route) return [];
    const paths = Array.isArray(l.route.path) ? l.route.path : [l.route.path];
    const methods = Object.keys(l.route.methods).filter((m) => l.route!.methods[m]);
    return paths.flatMap((p) => methods.map((m) => `${m.toUpperCase()} ${p.replace(/:(\w+)/g, '{$1}')}`));
  });
}

function documentedOperations(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
}

describe('/openapi.json covers the app', () => {
  it('documents exactly the routes express serves', async () => {
    const served = expressOperations(t.gw.app);
    const doc = (await t.http.get('/openapi.json').expect(200)).body;
    expect(served.length).toBeGreaterThan(10);
    expect(documentedOperations(doc).sort()).toEqual(served.sort());
  });

  it('gives every operation a unique operationId and a tag', () => {
    const doc = openApiDocument(providers);
    const ops = Object.values(doc.paths).flatMap((o) => Object.values(o) as Array<{ operationId: string; tags: string[] }>);
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length);
    const tags = new Set(doc.tags.map((x) => x.name));
    for (const o of ops) expect(o.tags.every((x) => tags.has(x))).toBe(true);
  });

  it('documents every error status of ERROR_CODES on some operation and lists each code under its status', () => {
    const doc = openApiDocument(providers);
    const used = new Set(Object.values(doc.paths).flatMap((o) => Object.values(o).flatMap((op) => Object.keys((op as { responses: object }).responses))));
    for (const [code, status] of Object.entries(ERROR_CODES)) {
      expect([code, used.has(String(status))]).toEqual([code, true]);
      const schema = doc.components.responses[`Error${status}`]!.content['application/json'].schema as { properties: { error: { properties: { code: { enum: string[] } } } } };
      expect(schema.properties.error.properties.code.enum).toContain(code);
    }
  });
});
