/** Builds and packs this package, and installs the tarball the way n8n installs community packages. */
import { mkdirSync, readdirSync, renameSync, rmSync } from 'fs';
import { join } from 'path';

import { run } from './processes';
import { REPO_ROOT } from './runtime';

export const PACKAGE_NAME = 'n8n-nodes-sora-video';

/** `npm run build` + `npm pack`; returns the tarball's path. */
export async function buildAndPack(outDir: string): Promise<string> {
	const build = await run('npm', ['run', 'build'], { cwd: REPO_ROOT });
	if (build.code !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
	mkdirSync(outDir, { recursive: true });
	for (const old of readdirSync(outDir)) if (old.endsWith('.tgz')) rmSync(join(outDir, old));
	const pack = await run('npm', ['pack', '--pack-destination', outDir], { cwd: REPO_ROOT });
	if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
	const tarball = readdirSync(outDir).find((file) => file.endsWith('.tgz'));
	if (!tarball) throw new Error('npm pack produced no tarball');
	return join(outDir, tarball);
}

/** Extracts the tarball to <userFolder>/.n8n/nodes/node_modules/<package>, where n8n looks for community packages. */
export async function installIntoUserFolder(tarball: string, userFolder: string): Promise<string> {
	const modules = join(userFolder, '.n8n', 'nodes', 'node_modules');
	const target = join(modules, PACKAGE_NAME);
	rmSync(target, { recursive: true, force: true });
	mkdirSync(modules, { recursive: true });
	const unpack = join(modules, '.unpack');
	rmSync(unpack, { recursive: true, force: true });
	mkdirSync(unpack);
	const tar = await run('tar', ['xzf', tarball, '-C', unpack]);
	if (tar.code !== 0) throw new Error(`tar failed: ${tar.stderr}`);
	renameSync(join(unpack, 'package'), target);
	rmSync(unpack, { recursive: true, force: true });
	return target;
}
