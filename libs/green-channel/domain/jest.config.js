module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'green-channel-domain',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
