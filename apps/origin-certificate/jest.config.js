module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'origin-certificate',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
