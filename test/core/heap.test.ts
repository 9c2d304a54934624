/**
 * The V8 heap growing step pushgate sets for its own process (src/heap.ts): 50% unless the operator
 * chose a step with a node flag or NODE_OPTIONS, in either spelling V8 accepts.
 */
import { applyHeapSettings } from '../../src/heap.js';

function flagsSet(execArgv: string[], nodeOptions: string): string[] {
  const set: string[] = [];
  applyHeapSettings(execArgv, nodeOptions, (f) => set.push(f));
  return set;
}

describe('applyHeapSettings', () => {
  it('sets a 50% growing step when the operator chose none', () => {
    expect(flagsSet(['--enable-source-maps'], '--max-old-space-size=512')).toEqual(['--heap-growing-percent=50']);
  });

  it("leaves the operator's own step: node flag or NODE_OPTIONS, dashes or underscores", () => {
    expect(flagsSet(['--heap-growing-percent=20'], '')).toEqual([]);
    expect(flagsSet([], '--heap_growing_percent=30')).toEqual([]);
  });
});
