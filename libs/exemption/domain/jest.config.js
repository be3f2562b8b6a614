module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'exemption-domain',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
