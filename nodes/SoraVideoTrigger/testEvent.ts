/**
 * "Fetch Test Event": the most recent finished task matching the events (a completed one preferred when
 * both events are chosen), with its file when asked. Nothing is remembered, so testing swallows no event.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../shared/concurrency';
import { downloadContent } from '../shared/content';
import type { NormalizedTask } from '../shared/dialect';
import { isTerminal, normalizeTask } from '../shared/dialect';
import { isTransient, testEventChoiceNotice, triggerEmptyWatchListError, triggerNoTestEventError, triggerUnknownTaskIdsError } from '../shared/problems';
import { assertListSupported, listPage } from '../shared/taskReads';
import type { VideoApiClient } from '../shared/transport';
import type { TriggerSettings } from './pollRun';
import { finishedMs, lookupWatched, matches, nodeError, PAGE_SIZE } from './pollRun';

/** Pages of the list the test reads at most (All Tasks). */
const MAX_MANUAL_PAGES = 5;

/** "Fetch Test Event": the most recent finished task matching the events; nothing is remembered. */
export async function fetchTestEvent(fn: IPollFunctions, client: VideoApiClient, settings: TriggerSettings): Promise<INodeExecutionData[]> {
	let checked = 0;
	let latest: NormalizedTask | undefined;
	const unknownIds: string[] = [];
	const errors: Array<NodeApiError | NodeOperationError> = [];
	if (settings.watch === 'taskIds') {
		if (settings.taskIds.length === 0) throw triggerEmptyWatchListError(fn.getNode());
		const first = await lookupWatched(client, settings.taskIds[0]);
		if (!first.ok && first.kind === 'unauthorized') throw first.error;
		const rest = await mapWithConcurrency(settings.taskIds.slice(1), settings.concurrency, async (id) => await lookupWatched(client, id));
		const lookups = [first, ...rest];
		const finished: NormalizedTask[] = [];
		lookups.forEach((lookup, index) => {
			const id = settings.taskIds[index];
			if (!lookup.ok) {
				if (lookup.kind === 'unauthorized') throw lookup.error;
				if (lookup.kind === 'notFound') unknownIds.push(id);
				else errors.push(lookup.error);
				return;
			}
			if (isTerminal(lookup.task.status) && matches(settings, lookup.task.status)) finished.push({ ...lookup.task, id });
		});
		checked = settings.taskIds.length;
		latest = preferredTestEvent(finished.sort((a, b) => finishedMs(b) - finishedMs(a)));
	} else {
		assertListSupported(client);
		let after: string | undefined;
		const found: NormalizedTask[] = [];
		// Newest first: stops at the first completed task, or the first match when Completed is not chosen.
		for (let page = 0; page < MAX_MANUAL_PAGES && !found.some((task) => task.status === 'completed' || !settings.events.includes('completed')); page++) {
			const result = await listPage(client, { limit: PAGE_SIZE, after, order: 'desc' });
			checked += result.tasks.length;
			found.push(...result.tasks.map((raw) => normalizeTask(raw, { provider: client.provider.id })).filter((task) => task.id && matches(settings, task.status)));
			if (!result.hasMore || !result.lastId) break;
			after = result.lastId;
		}
		latest = preferredTestEvent(found);
	}
	if (latest) {
		const bothChosen = settings.events.includes('completed') && settings.events.includes('failed');
		// Says which event the test shows and why: with both chosen, a completed task is preferred (it has the file).
		const testEvent = testEventChoiceNotice(latest.status, checked, latest.status === 'completed', bothChosen);
		const json: IDataObject = { ...(latest as unknown as IDataObject), event: latest.status, testEvent };
		if (!settings.download || latest.status !== 'completed') return [{ json }];
		try {
			const { binary } = await downloadContent(fn, client, { taskId: latest.id, variant: settings.variant });
			return [{ json, binary: { [settings.binaryPropertyName]: binary } }];
		} catch (error) {
			if (isTransient(error)) throw nodeError(fn, error);
			json.downloadError = (error as Error).message;
			return [{ json }];
		}
	}
	if (unknownIds.length > 0) throw triggerUnknownTaskIdsError(fn.getNode(), client.provider, unknownIds);
	if (errors[0]) throw errors[0];
	throw triggerNoTestEventError(fn.getNode(), checked, settings.watch === 'all', settings.events);
}

/** The test event among matching tasks (most recent first): a completed one when there is one, as it shows the file. */
function preferredTestEvent(newestFirst: NormalizedTask[]): NormalizedTask | undefined {
	return newestFirst.find((task) => task.status === 'completed') ?? newestFirst[0];
}
