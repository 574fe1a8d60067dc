import { config } from '@n8n/node-cli/eslint';
import regexp from 'eslint-plugin-regexp';

/**
 * n8n's own configuration for community nodes (`@n8n/node-cli`, the one `n8n-node lint` and n8n's
 * verification apply), including the n8n Cloud rules. It covers what is published: nodes, credentials
 * and package.json. The tests, the simulator and the scripts are development tools that need Node's
 * fs/http/process; they are type-checked, not linted as node code.
 * The package is not n8n Cloud eligible (streamed downloads need `stream` and timers), so `n8n.strict`
 * is false in package.json; each such use carries its own `eslint-disable-next-line ... -- why`.
 *
 * Every regular expression in node code runs on answers from the network (error pages, headers, bodies):
 * none may backtrack super-linearly, or one hostile answer could block the n8n process.
 */
export default [
	{ ignores: ['test/**', 'e2e/**', 'simulator/**', 'scripts/**', '.build/**', '.tmp/**', 'coverage/**', '.cache/**'] },
	...config,
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		plugins: { regexp },
		rules: {
			'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
			'regexp/no-super-linear-move': ['error', { report: 'potential', ignoreSticky: false, ignorePartial: false }],
		},
	},
];
