import js from '@eslint/js'
import {createTypeScriptImportResolver} from 'eslint-import-resolver-typescript'
import {importX} from 'eslint-plugin-import-x'
import {builtinRules} from 'eslint/use-at-your-own-risk'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/', 'coverage/', 'node_modules/', '.stryker-tmp/', 'reports/', 'src/report/html/bundle.ts']},
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // ESLint runs a rule once per configuration, so the hard 140-column limit on every line (long strings
    // included) is max-len again under a second name
    plugins: {house: {rules: {'max-len-hard': builtinRules.get('max-len')}}},
    rules: {'house/max-len-hard': ['error', {code: 140, ignoreUrls: true}]},
  },
  {
    languageOptions: {globals: globals.node},
    linterOptions: {reportUnusedDisableDirectives: 'error'},
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {ignoreRestSiblings: true}],
      // Prettier wraps code at 120 columns; this catches the comments it leaves alone.
      'max-len': [
        'error',
        {code: 120, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true},
      ],
    },
  },
  {
    // no module imports itself through others: a cycle makes load order matter and hides which layer owns a concept
    // (type-only imports are erased when compiled, so they may cross)
    files: ['src/**/*.ts'],
    plugins: {'import-x': importX},
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver()],
    },
    rules: {'import-x/no-cycle': ['error', {ignoreExternal: true, allowUnsafeDynamicCyclicDependency: false}]},
  },
  {
    // commands stay thin: flags in, a library call, a report out (what is longer belongs below them)
    files: ['src/commands/**/*.ts'],
    rules: {'max-lines': ['error', {max: 100}]},
  },
  {
    // data flows one way (docs/architecture.md): below the sources, nothing reads a source or a command
    files: ['src/{tar,model,image,analysis,check,flatten,report,template}/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {patterns: [{group: ['**/sources/*', '**/commands/*', '**/base-command.js'], message: 'an upward import'}]},
      ],
    },
  },
  {
    // the layers below the image contract know nothing of images, analyses or reports
    files: ['src/{tar,model}/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/sources/*',
                '**/commands/*',
                '**/base-command.js',
                '**/image/*',
                '**/analysis/*',
                '**/report/*',
                '**/flatten/*',
                '**/check/*',
              ],
              message: 'an upward import',
            },
          ],
        },
      ],
    },
  },
  {
    // the HTML report's script runs in the browser (scripts/bundle-client.ts bundles it into the page)
    files: ['src/report/html/client/**/*.ts'],
    languageOptions: {globals: globals.browser},
  },
  {
    // mocha's reporter is loaded with require()
    files: ['**/*.cjs'],
    languageOptions: {sourceType: 'commonjs'},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
  {
    // the tests read the CLI's JSON output, which is untyped until the reports have types of their own
    files: ['test/**/*.ts'],
    rules: {'@typescript-eslint/no-explicit-any': 'off'},
  },
)
