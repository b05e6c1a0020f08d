// @ts-check
// Lint: typescript-eslint's type-checked recommended rules, minus the ones that only restate
// style or that this code base breaks on purpose. `npm run lint`; `npm run format:check` is prettier.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'dist.*/',
      'coverage/',
      'grade-report/',
      'bench/results/',
      // Submissions as students wrote them (some do not even parse) and deliberately hostile code.
      'submissions/',
      'tests/fixtures/hostile/',
      // Fixtures written out from their patches by the tests (git-ignored).
      'tests/.materialised/',
      // The students' own project, with its own tsconfig.json.
      'handout/template/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Submission answers and JSON reach the grader as `unknown`/`any` and are checked by hand at
      // the boundary (checks/numeric, grader/reports); flagging every access there is noise.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // The protocol and the sandbox capture built-ins (`Map.prototype.get`, …) before submission
      // code can patch them, and call them with Reflect.apply: unbound on purpose.
      '@typescript-eslint/unbound-method': 'off',
      // Async methods without await implement async interfaces (executors, data sources).
      '@typescript-eslint/require-await': 'off',
      // Sanitisers match control characters on purpose (names, messages and logs from submissions).
      'no-control-regex': 'off',
      // Values from parsers and from captured built-ins (called through Reflect.apply) are asserted at
      // the boundary; the assertion documents the type where inference would pick a wrong overload.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Messages quote what a submission returned, whatever it is; String() of an object is the point.
      '@typescript-eslint/no-base-to-string': 'off',
      // Rethrowing a caught value (fast-check's, a child's) keeps it as it was thrown.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true, allowThrowingAny: true }],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // `_name` marks a value left out on purpose (e.g. `const { diagnosis: _d, ...rest } = check`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  // Tests load a module after planting a hostile global, or load a sample by path: require on purpose.
  { files: ['tests/**/*.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
