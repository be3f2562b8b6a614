// Shared Jest settings. @swc/jest keeps decorator metadata (NestJS DI) and is fast on 2 cores.
const { pathsToModuleNameMapper } = require('./scripts/jest/paths');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
    // ESM-only packages (Node 24 loads them with require(); Jest's module system needs them compiled).
    '^.+/node_modules/@nestjs/terminus/.+\\.js$': [
      '@swc/jest',
      { jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/terminus/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(),
  clearMocks: true,
};
