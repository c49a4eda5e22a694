// ESLint for the whole TypeScript tree (src, test, bench, scripts, emulator): the recommended rules plus
// type-aware ones that catch what hurts a long-running Node service most (a promise nobody awaits, an async
// function handed to a callback that ignores its result), and a few habits of the code base made explicit.
// Formatting is Prettier's job: eslint-config-prettier comes last and switches off every stylistic rule.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Build output, local state and installed packages; .gitignore holds the same list.
    ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'test-results/', '.emulator/', '.azurite/', 'appPackage/build/'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // One TypeScript program for the tree, from tsconfig.json (it includes every folder linted here).
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A dropped promise is a crash or a lost write that no test sees; say `void` where fire-and-forget is meant.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Type-only imports vanish from the emitted JavaScript, so the dependency rule sees only real edges.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // The tree has no loose equality today; keep it that way (including `== null`).
      eqeqeq: ['error', 'always'],
      // An `async` method with no `await` still turns a throw into a rejection, which callers of a port rely on;
      // the rule's fix (drop `async`) would make such throws synchronous, so it does not fit here.
      '@typescript-eslint/require-await': 'off',
      // The service logs through pino (src/log); stray console output bypasses levels and redaction.
      'no-console': 'error',
    },
  },
  {
    // Tests read untyped JSON (HTTP bodies, rendered cards, emulator state) and poke at objects on purpose;
    // typing every probe would add casts, not safety. Production code and the emulator keep the full set.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Saving and restoring a method (console.error, a stubbed port method) is what a test does.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Command-line tools talk to a person on a terminal: console is their user interface.
    files: ['scripts/**/*.ts', 'bench/**/*.ts', 'emulator/cli.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tool configuration at the root (this file, .dependency-cruiser.cjs): plain JavaScript, no type information.
    files: ['**/*.mjs', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: {
      globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly' },
    },
  },
  prettier,
);
