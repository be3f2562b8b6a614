module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'origin-certificate:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.int-spec.ts'],
  testTimeout: 180000,
};
