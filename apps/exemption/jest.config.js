module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'exemption',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
