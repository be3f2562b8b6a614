module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'platform-queue:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.int-spec.ts'],
  testTimeout: 60000,
};
