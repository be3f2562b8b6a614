module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'green-channel',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
