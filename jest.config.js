/** @type {import('jest').Config} */
const transform = { '^.+\\.ts$': 'ts-jest' };
/** The packages' built dist/ (npm run build:packages) holds a package.json of the same name as its source's. */
const modulePathIgnorePatterns = ['<rootDir>/packages/[^/]+/dist/'];

module.exports = {
  testTimeout: 20_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/setup-after-env.ts'],
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
  ],
};
