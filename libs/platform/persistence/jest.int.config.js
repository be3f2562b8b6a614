module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'platform-persistence:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.int-spec.ts'],
  testTimeout: 120000,
};
