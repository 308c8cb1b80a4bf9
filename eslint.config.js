// @ts-check
import appsync from '@aws-appsync/eslint-plugin';
import tseslint from 'typescript-eslint';

/** The APPSYNC_JS resolvers: AppSync's runtime restrictions, checked with type information. */
const RESOLVER_FILES = ['src/graphql/resolvers/**/*.js'];

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', 'dist/', 'web/vendor/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    ...appsync.configs.recommended,
    files: RESOLVER_FILES,
    languageOptions: {
      ...appsync.configs.recommended.languageOptions,
      parserOptions: {
        project: './src/graphql/resolvers/tsconfig.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
);
