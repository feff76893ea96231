// Lint = n8n's rules for community packages: eslint-plugin-n8n-nodes-base (package.json,
// credentials, nodes) and @n8n/eslint-plugin-community-nodes (the rules of n8n's package
// scanner, e.g. no restricted globals or imports, pairedItem, NodeApiError, usableAsTool).
import communityNodes from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import jsoncParser from 'jsonc-eslint-parser';
import tseslint from 'typescript-eslint';

const n8nRules = (name) => n8nNodesBase.configs[name].rules;

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.cache/**', 'docs/**'] },
	{
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nRules('community'),
			// the homepage and repository are placeholders until the package is published
			'n8n-nodes-base/community-package-json-repository-url-still-default': 'off',
		},
	},
	{
		files: ['**/*.ts', '**/*.js', '**/*.mjs'],
		extends: [tseslint.configs.recommended],
		rules: {
			'@typescript-eslint/no-require-imports': 'off',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
		},
	},
	{
		files: ['credentials/**/*.ts', 'nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nRules('credentials'),
			...n8nRules('nodes'),
		},
	},
	{
		files: ['credentials/**/*.ts', 'nodes/**/*.ts', 'package.json'],
		...communityNodes.configs.recommended,
	},
	{
		files: ['scripts/**/*.js', 'simulator/**/*.js', 'gulpfile.js', 'index.js', 'jest.config.js'],
		languageOptions: {
			sourceType: 'commonjs',
			globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', URLSearchParams: 'readonly' },
		},
	},
);
