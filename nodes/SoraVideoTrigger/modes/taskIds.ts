/**
 * Watch mode "Task IDs": the tasks listed in the node. Carried completions are delivered first, then one
 * status check per watched task not yet handled, resuming where the last poll stopped.
 */
import { isTerminal } from '../../shared/dialect';
import type { PollRun } from '../pollRun';
import { rotate } from '../pollRun';
import { pruneForWatchList } from '../state';
import type { WatchModeRoom } from './room';

async function pollTaskIds(run: PollRun): Promise<void> {
	const { settings, stored, changes } = run;
	const due = settings.taskIds.filter((id) => id in stored.due);
	const rest = rotate(
		settings.taskIds.filter((id) => !(id in stored.done) && !(id in stored.due)),
		stored.next,
	);
	if (!(settings.download && !run.mayDownload)) await run.deliverDue(due);
	await run.lookupAll(rest, (taskId, lookup) => {
		if (!lookup.ok) return run.noteFailure(taskId, lookup);
		if (isTerminal(lookup.task.status)) run.consider({ ...lookup.task, id: taskId }, true);
	});
	changes.next = run.firstUnanswered(rest);
	await run.deliverFound();
	run.waiting = rest.filter((id) => !run.answered.has(id)).length + Object.keys(changes.due).length;
}

export const taskIdsMode: WatchModeRoom = {
	run: pollTaskIds,
	waiting: (state, settings) => settings.taskIds.filter((id) => !(id in state.done)).length,
	prune: (state, settings) => pruneForWatchList(state, settings.taskIds),
};
