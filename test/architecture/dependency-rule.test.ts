/**
 * The dependency rule in eslint.config.js (run by `npm test` through `npm run lint`) bites: a file
 * in each guarded place that imports across the line fails the lint, and the imports the layers
 * are meant to use pass. The probes are linted in memory at paths where such files would live.
 */
import { ESLint } from 'eslint';

const root = new URL('../../', import.meta.url).pathname;
const eslint = new ESLint({ cwd: root });

async function ruleErrors(filePath: string, importFrom: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import type * as probe from '${importFrom}';\nexport type Probe = typeof probe;\n`, { filePath: root + filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

describe('the dependency rule', () => {
  it.each([
    ['src/core/probe.ts', '../http/errors.js', 'The core knows no HTTP'],
    ['src/store/probe.ts', '../../providers/types.js', 'The store knows no vendor'],
    ['providers/huawei/probe.ts', '../../src/core/errors.js', 'A provider never imports src/'],
    ['providers/shared/probe.ts', '../../src/logger.js', 'A provider never imports src/'],
    ['providers/huawei/simulator.probe.ts', './huawei.wire.js', "A simulator checks the vendor's rules with its own code"],
    ['providers/vivo/simulator.probe.ts', './vivo.request.js', "A simulator checks the vendor's rules with its own code"],
    ['providers/xiaomi/sim/probe.ts', '../xiaomi.wire.js', "A simulator checks the vendor's rules with its own code"],
    ['clients/typescript/src/probe.ts', '../../../src/core/webhooks.js', 'The client is published on its own'],
    ['clients/typescript/src/probe.ts', '../../../providers/types.js', 'The client is published on its own'],
  ])('fails %s importing %s', async (file, from, why) => {
    const errors = await ruleErrors(file, from);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(why);
  });

  it.each([
    ['src/http/probe.ts', '../core/errors.js'],
    ['src/core/probe.ts', '../../providers/types.js'],
    ['src/store/probe.ts', '../privacy/token-cipher.js'],
    ['providers/huawei/probe.ts', '../shared/http.js'],
    ['providers/huawei/simulator.probe.ts', '../shared/sim-server.js'],
    ['providers/huawei/simulator.probe.ts', '../types.js'],
    ['providers/huawei/simulator.probe.ts', './simulator.js'],
    ['providers/huawei/simulator.test.ts', './huawei.wire.js'],
    ['clients/typescript/src/probe.ts', './schema.js'],
    ['clients/typescript/test/probe.test.ts', '../../../src/core/webhooks.js'],
  ])('lets %s import %s', async (file, from) => {
    expect(await ruleErrors(file, from)).toEqual([]);
  });
});
