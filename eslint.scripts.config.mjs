// Lint for the JavaScript around the node: tests, scripts, the generator and the bench. The
// node's TypeScript has its own config (n8n-node lint); this one is plain ESLint recommended.
import js from '@eslint/js';
import globals from 'globals';

const rules = {
	// `const { dropped, ...kept } = value` is how these scripts leave fields out.
	'no-unused-vars': ['error', { ignoreRestSiblings: true }],
	// Clean-up code ignores failures on purpose (a server already closed, a file already gone).
	'no-empty': ['error', { allowEmptyCatch: true }],
};

export default [
	{ ignores: ['dist/**', 'node_modules/**', '.cache/**', 'test/.tmp/**', 'bench/.tmp/**'] },
	{
		files: ['test/**/*.mjs', 'scripts/**/*.mjs', 'bench/**/*.mjs', 'eslint.scripts.config.mjs'],
		...js.configs.recommended,
		languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.node } },
		rules,
	},
	{
		// Functions passed to page.evaluate run in the browser.
		files: ['test/browser/**/*.mjs', 'scripts/browser/**/*.mjs'],
		languageOptions: { globals: { ...globals.browser } },
	},
	{
		files: ['bench/**/*.cjs', 'scripts/**/*.cjs', 'test/**/*.cjs', 'gulpfile.js'],
		...js.configs.recommended,
		languageOptions: { ecmaVersion: 2024, sourceType: 'commonjs', globals: { ...globals.node } },
		rules,
	},
];
