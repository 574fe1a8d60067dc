import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';

// Streaming downloads need Node's `stream` module and timers, which only n8n Cloud's
// stricter config forbids; everything else of the community-node rules applies.
const communityNodes = n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport;

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.cache/**'] },
	{
		...communityNodes,
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
	},
	{
		...communityNodes,
		files: ['package.json'],
		languageOptions: { parser: tsParser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
];
