/** End-to-end tests: a real n8n 2.41.1 process (see scripts/harness). Slow; run with `npm run test:e2e`. */
/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/e2e'],
	testMatch: ['**/*.e2e.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
	testTimeout: 600000,
	maxWorkers: 1,
};
