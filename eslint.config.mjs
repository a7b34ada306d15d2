// @ts-check
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default tseslint.config(
  // bench/ is its own package with its own lint run (bench/eslint.config.mjs extends this one).
  { ignores: ['dist/**', 'node_modules/**', 'bench/**', '.temporal/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-empty-object-type': 'off',
    },
  },
  {
    // The workflow sandbox: deterministic code only. No Node built-ins, and zod only through `import type`
    // (contract files, which the sandbox never loads, are the exception).
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.contract.ts', 'workflows/contract.ts', 'workflows/contracts.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'Workflow code runs in the deterministic sandbox: no Node built-ins.',
            })),
            {
              name: 'zod',
              message: 'Keep zod out of the workflow bundle: import contract types with `import type`.',
              allowTypeImports: true,
            },
            {
              name: '@temporalio/workflow',
              importNames: ['defineSignal', 'defineQuery', 'defineUpdate'],
              message:
                "Define messages with workflows/contract-messages.ts (contractSignal etc.): types from the contract's schemas.",
            },
          ],
          patterns: [
            {
              group: ['**/*.contract', '**/api', '**/api/**', '**/activities', '**/activities/**'],
              message: 'Workflow code imports contracts and activities as types only.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // Data flows one way: nothing below the API imports from it.
    files: ['workflows/**/*.ts', 'activities/**/*.ts', 'worker/**/*.ts', 'common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/api/**', '../api', '../../api'], message: 'Nothing outside api/ imports from it.' }],
        },
      ],
    },
  },
  {
    // Layers import one way (api/app.ts draws them): a value-import cycle means two concepts share one file.
    // Type-only imports are erased at build time and may point back up (a context type, a router type).
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true, allowUnsafeDynamicCyclicDependency: false }] },
  },
  {
    // One gateway to Temporal: only api/temporal/ touches the client (the tenant's IDs, the start stamp and the
    // deadlines are applied there, so an operation cannot forget them). Elsewhere the client is only handed on.
    files: ['api/**/*.ts'],
    ignores: ['api/temporal/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='client'], MemberExpression[object.property.name='client']",
          message: 'Reach Temporal through the gateway (api/temporal/gateway.ts), not the client.',
        },
      ],
    },
  },
  {
    // Only config.ts reads the environment.
    files: ['**/*.ts'],
    ignores: ['common/config.ts', 'test/helpers/test-env.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through common/config.ts (loadConfig).' },
      ],
    },
  },
);
