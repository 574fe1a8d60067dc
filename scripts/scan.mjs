#!/usr/bin/env node
/**
 * n8n's own community-package scanner (@n8n/scan-community-package), run offline: the package is packed as npm
 * would publish it, unpacked, and its `analyzePackage` lints the tarball's compiled code and package.json, inline
 * `eslint-disable` comments ignored — the scan n8n runs before it verifies a package. Its registry and
 * provenance lookups need the network and a published version, so they are not run; the source leg (the attested
 * `.ts` sources) is run on this checkout instead.
 *
 *   node scripts/scan.mjs                    pack `dist/` (build first) and scan tarball + sources
 *   node scripts/scan.mjs --package-dir DIR  scan an unpacked package directory only
 *   --json                                   print one JSON line: { passed, errors, legs: [{ name, errors, violations }] }
 */
import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { fileURLToPath } from 'url';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The tarball leg's patterns, as the scanner's `analyzePackageByName` uses them. */
const TARBALL_PATTERNS = ['**/*.js', 'package.json'];

function run(command, args, cwd) {
	const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
	return result.stdout;
}

/** npm pack into a temp dir, unpacked: exactly the files a user installs. */
function packAndUnpack(workDir) {
	const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', workDir], root));
	const tarball = path.join(workDir, packed[0].filename);
	const packageDir = path.join(workDir, 'package');
	fs.mkdirSync(packageDir);
	run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1'], workDir);
	return packageDir;
}

/** ESLint's stylish text counts its problems on one line: "✖ 5 problems (5 errors, 0 warnings)". */
function countErrors(result) {
	if (result.passed) return 0;
	const match = /\((\d+) errors?,/.exec(result.details ?? '');
	return match ? Number(match[1]) : 1;
}

/** The stylish report as { file, rule, message } rows (file relative to the scanned directory). */
function violations(result, dir) {
	const rows = [];
	let file = '';
	for (const line of (result.details ?? '').split('\n')) {
		if (line.startsWith('/')) file = path.relative(dir, line.trim());
		const match = /^\s+\d+:\d+\s+error\s+(.*?)\s{2,}(\S+)\s*$/.exec(line);
		if (match) rows.push({ file, rule: match[2], message: match[1] });
	}
	return rows;
}

async function scanLeg(name, dir, patterns) {
	const result = await analyzePackage(dir, patterns);
	return { name, passed: result.passed, errors: countErrors(result), violations: violations(result, dir), message: result.message, details: result.details };
}

async function main() {
	// eslint-plugin-n8n-nodes-base switches some rules to its own test fixtures under NODE_ENV=test (as jest sets it).
	delete process.env.NODE_ENV;
	const args = process.argv.slice(2);
	const json = args.includes('--json');
	const dirIndex = args.indexOf('--package-dir');
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sora-scan-'));
	try {
		const legs = [];
		if (dirIndex >= 0) {
			legs.push(await scanLeg('tarball', path.resolve(args[dirIndex + 1]), TARBALL_PATTERNS));
		} else {
			if (!fs.existsSync(path.join(root, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
			legs.push(await scanLeg('tarball', packAndUnpack(workDir), TARBALL_PATTERNS));
			legs.push(await scanLeg('sources', root, SOURCE_FILE_PATTERNS));
		}
		const report = { passed: legs.every((leg) => leg.passed), errors: legs.reduce((sum, leg) => sum + leg.errors, 0), legs };
		if (json) {
			process.stdout.write(`${JSON.stringify(report)}\n`);
		} else {
			for (const leg of legs) {
				process.stdout.write(`${leg.passed ? 'pass' : 'FAIL'} ${leg.name}: ${leg.errors} error(s)${leg.message ? ` (${leg.message})` : ''}\n`);
				if (leg.details) process.stdout.write(`${leg.details}\n`);
			}
		}
		process.exitCode = report.passed ? 0 : 1;
	} finally {
		fs.rmSync(workDir, { recursive: true, force: true });
	}
}

main().catch((error) => {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exitCode = 2;
});
