module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'platform-persistence',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
