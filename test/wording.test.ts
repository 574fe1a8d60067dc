/**
 * Every user-facing message is worded in nodes/shared/problems.ts. A static scan of the shipped sources counts the
 * errors still built elsewhere with their own words (a string or template literal as the message); the counts are
 * pinned per file so they can only go down. Moving one into problems.ts means lowering its count here.
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';

const ROOT = join(__dirname, '..');
const WORDING_HOME = 'nodes/shared/problems.ts';

/** Errors built with a literal message outside problems.ts, as of the last move (see the header). */
const STILL_OUTSIDE: Record<string, number> = {};

/** A NodeOperationError, NodeApiError or CancelledError given its message as a literal, or createInputError with one. */
const LITERAL_MESSAGE = /\bnew\s+(?:NodeOperationError|NodeApiError|CancelledError)\(\s*[^,()]+(?:\([^()]*\))?,\s*[`'"]|\bcreateInputError\(\s*[^,()]+(?:\([^()]*\))?,\s*[`'"]/g;

function sourcesUnder(folder: string): string[] {
	return readdirSync(folder).flatMap((name) => {
		const path = join(folder, name);
		if (statSync(path).isDirectory()) return sourcesUnder(path);
		return path.endsWith('.ts') ? [path] : [];
	});
}

function literalMessages(): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const path of [...sourcesUnder(join(ROOT, 'nodes')), ...sourcesUnder(join(ROOT, 'credentials'))]) {
		const file = relative(ROOT, path).split('\\').join('/');
		if (file === WORDING_HOME) continue;
		const found = readFileSync(path, 'utf8').match(LITERAL_MESSAGE)?.length ?? 0;
		if (found > 0) counts[file] = found;
	}
	return counts;
}

it('the scan sees a literal message (so a zero below means something)', () => {
	const sample = "throw new NodeOperationError(fn.getNode(), `Unknown ${x}`, {}); throw createInputError(node, 'Empty', 'Fill it.', 0);";
	expect(sample.match(LITERAL_MESSAGE)).toHaveLength(2);
	expect('new NodeOperationError(node, error as Error)'.match(LITERAL_MESSAGE)).toBeNull();
});

it('user-facing messages are built in problems.ts; what remains elsewhere only goes down', () => {
	const counts = literalMessages();
	for (const [file, count] of Object.entries(counts)) expect({ file, count: Math.min(count, STILL_OUTSIDE[file] ?? 0) }).toEqual({ file, count });
	// A file that improved must lower its pin, so the pin never leaves room for a new message.
	expect(counts).toEqual(STILL_OUTSIDE);
});
