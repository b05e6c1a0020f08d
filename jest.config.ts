/** @jest-config-loader-options {"transpileOnly": true} */
import type { Config } from 'jest';

// Type checking runs once in `npm test` (tsc --noEmit) instead of in every worker:
// ts-jest only transpiles (isolatedModules is set in tsconfig.json).
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  maxWorkers: 2,
  // The samples stored as edits (submissions/*.patch) are written out once, before the workers start.
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
};
export default config;
