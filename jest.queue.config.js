/** Queue mode (PostgreSQL, Redis, a main and workers, all real): `npm run test:queue`. Slow; see README "Running at scale". */
const e2e = require('./jest.e2e.config.js');

/** @type {import('jest').Config} */
module.exports = { ...e2e, testMatch: ['**/*.queue.ts'], testTimeout: 900000 };
