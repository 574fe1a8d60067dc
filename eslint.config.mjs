import { config } from '@n8n/node-cli/eslint';

/**
 * n8n's own configuration for community nodes (`@n8n/node-cli`, the one `n8n-node lint` and n8n's
 * verification apply), including the n8n Cloud rules. It covers what is published: nodes, credentials
 * and package.json. The tests, the simulator and the scripts are development tools that need Node's
 * fs/http/process; they are type-checked, not linted as node code.
 * The package is not n8n Cloud eligible (streamed downloads need `stream` and timers), so `n8n.strict`
 * is false in package.json; each such use carries its own `eslint-disable-next-line ... -- why`.
 */
export default [{ ignores: ['test/**', 'e2e/**', 'simulator/**', 'scripts/**', '.build/**', '.tmp/**', 'coverage/**', '.cache/**'] }, ...config];
