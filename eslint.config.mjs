import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const constraints = (testing) => [
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'] },
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', ...testing] },
  {
    sourceTag: 'type:testing',
    onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:testing'],
  },
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:domain', 'type:platform', 'type:contracts', ...testing],
  },
  {
    sourceTag: 'type:bench',
    onlyDependOnLibsWithTags: ['type:domain', 'type:platform', 'type:contracts', ...testing],
  },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:intake', onlyDependOnLibsWithTags: ['scope:intake', 'scope:shared'] },
  { sourceTag: 'scope:green-channel', onlyDependOnLibsWithTags: ['scope:green-channel', 'scope:shared'] },
  { sourceTag: 'scope:exemption', onlyDependOnLibsWithTags: ['scope:exemption', 'scope:shared'] },
  { sourceTag: 'scope:origin', onlyDependOnLibsWithTags: ['scope:origin', 'scope:shared'] },
  { sourceTag: 'scope:ops', onlyDependOnLibsWithTags: ['scope:ops', 'scope:shared'] },
];
const boundaries = (testing) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints: constraints(testing) },
];

export default [
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/tmp/**',
      '**/coverage/**',
      '.nx/**',
      '.infra/**',
      'docs/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // No consistent-type-imports: a type-only import erases the decorator metadata Nest injects by.
      // Boundaries from shared/STYLE.md: domain depends on contracts only, platform never on a service,
      // apps never on apps, and a service's scope stays its own.
      '@nx/enforce-module-boundaries': boundaries([]),
      // Only the messaging library talks to Kafka, so the client can be swapped in one place.
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'kafkajs', message: 'Kafka lives in @cic/platform-messaging only.' }] },
      ],
    },
  },
  {
    files: ['libs/platform/messaging/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Tests, test harnesses and benchmarks may use the test helpers; production code may not.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/testing/**/*.ts', '**/bench/**/*.ts', '**/e2e/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(['type:testing']) },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
];
