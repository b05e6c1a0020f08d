/** @jest-config-loader-options {"transpileOnly": true} */
import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  // The summary at the end: points per function, what is wrong, the likely mistake.
  reporters: ['default', '<rootDir>/tests/summary-reporter.js'],
};
export default config;
