/**
 * n8n's own community-package scanner (@n8n/scan-community-package 0.32.0, the analysis n8n runs before it verifies
 * a package) on the packed tarball, offline (scripts/scan.mjs): 0 errors, inline eslint-disable comments ignored.
 * And proof that the scan is real: a package with a `stream` require and a timer global is reported.
 */
import { spawnSync } from 'child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const ROOT = join(__dirname, '..');

interface Violation {
	file: string;
	rule: string;
	message: string;
}
interface ScanReport {
	passed: boolean;
	errors: number;
	legs: Array<{ name: string; errors: number; violations: Violation[] }>;
}

function scan(args: string[] = []): ScanReport {
	const result = spawnSync(process.execPath, [join(ROOT, 'scripts/scan.mjs'), '--json', ...args], { cwd: ROOT, encoding: 'utf8' });
	if (result.status === 2) throw new Error(result.stderr);
	return JSON.parse(result.stdout.trim().split('\n').pop() as string) as ScanReport;
}

jest.setTimeout(120_000);

it("the packed package passes n8n's scanner: no error on the tarball or the sources", () => {
	const report = scan();
	expect(report.legs.map((leg) => leg.name)).toEqual(['tarball', 'sources']);
	const errors = report.legs.flatMap((leg) => leg.violations);
	expect(errors).toEqual([]);
	// Every error the scanner counted is one of the rows read above (none was lost in parsing).
	expect(report.legs.reduce((sum, leg) => sum + leg.violations.length, 0)).toBe(report.errors);
});

it('the scan catches a violation: a stream require and a setTimeout in a copy of the package are reported', () => {
	const dir = mkdtempSync(join(tmpdir(), 'sora-scan-violation-'));
	try {
		cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
		mkdirSync(join(dir, 'dist/nodes/shared'), { recursive: true });
		cpSync(join(ROOT, 'dist/nodes/shared/timers.js'), join(dir, 'dist/nodes/shared/timers.js'));
		writeFileSync(
			join(dir, 'dist/nodes/shared/body.js'),
			"'use strict';\n// eslint-disable-next-line -- ignored by the scanner\nconst { Readable } = require('stream');\nsetTimeout(() => Readable.from([]), 1);\n",
		);
		const report = scan(['--package-dir', dir]);
		expect(report.passed).toBe(false);
		const rules = report.legs[0].violations.map((violation) => `${violation.file} ${violation.rule}`);
		expect(rules).toEqual([
			'dist/nodes/shared/body.js @n8n/community-nodes/no-restricted-imports',
			'dist/nodes/shared/body.js @n8n/community-nodes/no-restricted-globals',
		]);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

it('the tarball ships no source maps: a map would name .ts files the package does not ship (stack traces pointed at them)', () => {
	const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
	expect(packed.status).toBe(0);
	const files = (JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((file) => file.path);
	expect(files.some((path) => path.endsWith('SoraVideo.node.js'))).toBe(true);
	expect(files.filter((path) => path.endsWith('.map') || (path.endsWith('.ts') && !path.endsWith('.d.ts')))).toEqual([]);
	const scripts = files.filter((path) => path.endsWith('.js'));
	expect(scripts.filter((path) => readFileSync(join(ROOT, path), 'utf8').includes('sourceMappingURL'))).toEqual([]);
});
