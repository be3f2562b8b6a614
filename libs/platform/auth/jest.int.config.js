module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'platform-auth:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.int-spec.ts'],
  testTimeout: 120000,
};
