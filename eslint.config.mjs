// Lint = n8n's rules for community packages, set up as n8n's own `@n8n/node-cli` lint config
// does: eslint-plugin-n8n-nodes-base (package.json, credentials, nodes) and
// @n8n/eslint-plugin-community-nodes (the rules of n8n's package scanner: no restricted globals
// or imports, no runtime dependencies, pairedItem, NodeApiError, usableAsTool, icons, ...).
import communityNodes from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	// everything git ignores (build output, npm run dev's n8n folder) is not ours to lint
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'docs/**', '.dev/**', '.cache/**'] },
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
		extends: [communityNodes.configs.recommended],
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// off in n8n's node-cli config too: a community credential links the vendor's docs, and
			// this rule takes the "key" in "keywords" for a secret
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// off in n8n's node-cli config too: the scanner asks for NodeConnectionTypes instead
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{
		files: ['package.json'],
		extends: [communityNodes.configs.recommended],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.community.rules,
			// the homepage and repository are placeholders until the package is published
			'n8n-nodes-base/community-package-json-repository-url-still-default': 'off',
		},
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
	{
		files: ['scripts/**/*.js', 'simulator/**/*.js', 'gulpfile.js', 'index.js', 'jest.config.js'],
		languageOptions: {
			sourceType: 'commonjs',
			globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', URLSearchParams: 'readonly' },
		},
	},
);
