module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'declaration-intake',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
