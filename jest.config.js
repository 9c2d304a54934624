// Jest runs the TypeScript sources as ES modules (p-queue 9 is ESM-only):
// ts-jest's ESM preset under `node --experimental-vm-modules` (see the "jest" npm script).
// Type errors are caught by `tsc --noEmit` in `npm test`, so ts-jest only transpiles.
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/providers', '<rootDir>/test', '<rootDir>/clients/typescript'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  testTimeout: 60000,
};
