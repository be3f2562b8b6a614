module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'intake-domain',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
