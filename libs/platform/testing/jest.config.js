module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'platform-testing',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
