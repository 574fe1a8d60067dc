/**
 * Regenerates test/fixtures/openai-videos.openapi.json from a local copy of OpenAI's published OpenAPI document
 * (openapi.json of the openai/openai-openapi repository; see test/fixtures/SOURCE.md). Never run by tests: they
 * are offline and read the committed fixture.
 *
 *   npm run build:tools && node .build/scripts/openapiFixture.js path/to/openapi.json [out.json]
 *
 * Keeps the `/videos*` paths and every schema they reference, transitively; drops prose (`description`,
 * `summary`) and the documentation's code samples (`x-oaiMeta`), so the fixture is data only.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const PROSE = new Set(['description', 'summary', 'x-oaiMeta']);
const SCHEMA_REF = '#/components/schemas/';

function isObject(value: Json | undefined): value is { [key: string]: Json } {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy without prose. `description` is prose everywhere except as a property's name inside `properties`. */
function withoutProse(value: Json, parentKey = ''): Json {
	if (Array.isArray(value)) return value.map((entry) => withoutProse(entry));
	if (!isObject(value)) return value;
	const out: { [key: string]: Json } = {};
	for (const [key, entry] of Object.entries(value)) {
		if (parentKey !== 'properties' && PROSE.has(key)) continue;
		out[key] = withoutProse(entry, key);
	}
	return out;
}

function refsIn(value: Json, found: Set<string>): void {
	if (Array.isArray(value)) value.forEach((entry) => refsIn(entry, found));
	else if (isObject(value)) {
		for (const [key, entry] of Object.entries(value)) {
			if (key === '$ref' && typeof entry === 'string') found.add(entry);
			else refsIn(entry, found);
		}
	}
}

export function extractVideos(document: { [key: string]: Json }): { [key: string]: Json } {
	const paths = document.paths;
	const components = document.components;
	if (!isObject(paths) || !isObject(components) || !isObject(components.schemas)) throw new Error('not an OpenAPI document with paths and components.schemas');
	const allSchemas = components.schemas;
	const videoPaths: { [key: string]: Json } = {};
	for (const path of Object.keys(paths).sort()) if (path === '/videos' || path.startsWith('/videos/')) videoPaths[path] = withoutProse(paths[path]);
	const pending = new Set<string>();
	refsIn(videoPaths, pending);
	const schemas: { [key: string]: Json } = {};
	while (pending.size > 0) {
		const [ref] = pending;
		pending.delete(ref);
		if (!ref.startsWith(SCHEMA_REF)) throw new Error(`unexpected reference ${ref}`);
		const name = ref.slice(SCHEMA_REF.length);
		if (name in schemas) continue;
		const schema = allSchemas[name];
		if (schema === undefined) throw new Error(`missing schema ${name}`);
		schemas[name] = withoutProse(schema);
		refsIn(schemas[name], pending);
	}
	const sortedSchemas = Object.fromEntries(Object.keys(schemas).sort().map((name) => [name, schemas[name]]));
	const info = isObject(document.info) ? document.info : {};
	return {
		openapi: document.openapi,
		info: { title: info.title ?? null, version: info.version ?? null },
		paths: videoPaths,
		components: { schemas: sortedSchemas },
	};
}

if (require.main === module) {
	const [source, target = join(__dirname, '..', '..', 'test', 'fixtures', 'openai-videos.openapi.json')] = process.argv.slice(2);
	if (!source) {
		process.stderr.write('usage: node .build/scripts/openapiFixture.js path/to/openapi.json [out.json]\n');
		process.exit(2);
	}
	const fixture = extractVideos(JSON.parse(readFileSync(source, 'utf8')) as { [key: string]: Json });
	writeFileSync(target, `${JSON.stringify(fixture, null, '\t')}\n`);
	process.stdout.write(`wrote ${target}: ${Object.keys(fixture.paths as object).length} paths\n`);
}
