import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'scripts/**', 'bin/**', 'bench/*.mjs', 'eslint.config.js', '.tmp/**', 'dist/**', 'web/vite.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Domain code reaches adapters only through ports; main.ts wires them.
    files: ['src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/api/**', '**/store/kysely/**', '**/store/dialects*', '**/telephony/sim/**', '**/logging/**', 'kysely', 'better-sqlite3', 'fastify'],
              message: 'services/ depends on ports (store/store.ts, telephony/carrier.ts, shared/) and never on api/; main.ts hands adapters in.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only config/ and the CLI entry read the environment.
    files: ['src/**/*.ts'],
    ignores: ['src/config/**', 'src/cli/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings through loadConfig.' }],
    },
  },
  {
    // The flow interpreter is pure: what it needs comes in as arguments, what it does goes out as commands.
    files: ['src/flows/**/*.ts'],
    // The offline test harness drives the pure engine with the virtual clock and the simulated network.
    ignores: ['src/flows/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/store/**', '**/telephony/**', '**/api/**', '**/services/**', '**/shared/**', '**/logging/**', '**/config/**', 'node:*'],
              message: 'flows/ is pure: take what you need as a parameter or return a command.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the time carried by the event.' },
        { object: 'Math', property: 'random', message: 'Use the seeded generator in the flow state (random.ts).' },
        { object: 'process', property: 'env', message: 'Take settings through FlowContext.' },
      ],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'fetch', 'process'],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use the time carried by the event.' }],
    },
  },
  {
    // The agent console runs in the browser (web/tsconfig.json: DOM lib, bundler resolution).
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
