/** @type {import('jest').Config} */
const transform = { '^.+\\.ts$': 'ts-jest' };

module.exports = {
  testTimeout: 20_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/setup-after-env.ts'],
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
  ],
};
