module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'origin-domain',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
