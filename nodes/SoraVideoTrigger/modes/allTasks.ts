/**
 * Watch mode "All Tasks": every task the account lists. The list (`GET /videos`) is walked whole on the
 * first poll (the baseline: what finished before activation does not fire unless asked), then from its
 * top while it comes newest first, with a walk of the whole list every SWEEP_INTERVAL_MS; a list in any
 * other order is walked whole every poll, across polls when long. Running tasks not on the pages read get
 * a status check each.
 */
import { NodeApiError } from 'n8n-workflow';

import type { NormalizedTask } from '../../shared/dialect';
import { isTerminal, normalizeTask } from '../../shared/dialect';
import { assertListSupported, listPage } from '../../shared/taskReads';
import type { WalkResult } from '../pollRun';
import { createdMs, httpCodeOf, MAX_PAGES_PER_POLL, nodeError, PAGE_SIZE, PollRun, rotate, SWEEP_INTERVAL_MS } from '../pollRun';
import type { StateChanges } from '../state';
import { pruneForAllMode, taskFingerprint } from '../state';
import type { WatchModeRoom } from './room';

/** Pages of `GET /videos`; `head` stops at the first page that holds nothing new below the newest task seen before. */
async function walkList(run: PollRun, from: string | null, mode: 'head' | 'full', seen: Set<string>, inverted: boolean): Promise<WalkResult> {
	let after = from;
	let previous = 0;
	const walked = new Set<string>();
	for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
		if (run.halted) return { complete: false, lastId: after, inverted };
		const before = run.client.lastRateLimit;
		let result;
		try {
			result = await listPage(run.client, { limit: PAGE_SIZE, after: after ?? undefined, order: 'desc' });
		} catch (error) {
			if (run.env.budget.expired) return { complete: false, lastId: after, inverted };
			if (run.client.lastRateLimit !== before) {
				run.noteRateLimit();
				return { complete: false, lastId: after, inverted };
			}
			const code = httpCodeOf(error);
			// No list endpoint, a bad key, no access: the poll cannot work at all.
			if (!(error instanceof NodeApiError) || code === '401' || code === '403') throw nodeError(run.env.fn, error);
			run.errors.push(error);
			// A walk resumed after a task that is gone may never get past it: the next walk starts at the top.
			return { complete: false, lastId: from !== null && page === 0 ? null : after, inverted };
		}
		if (from !== null && page === 0 && result.tasks.length === 0) return { complete: false, lastId: null, inverted };
		run.listPagesAnswered++;
		const listed = result.tasks.map((raw) => normalizeTask(raw, { provider: run.client.provider.id })).filter((task) => task.id);
		// A page of nothing but tasks this walk has read: the gateway ignores `after` (or pages in a loop),
		// so this is all it will show; reading on would repeat the same page up to the page cap.
		if (page > 0 && listed.length > 0 && listed.every((task) => walked.has(task.id))) return { complete: true, lastId: null, inverted };
		let allKnown = true;
		let last = 0;
		for (const task of listed) {
			walked.add(task.id);
			const created = createdMs(task);
			if (previous > 0 && created > previous) inverted = true;
			if (created > 0) previous = created;
			last = created;
			run.newestSeen = Math.max(run.newestSeen, created);
			seen.add(task.id);
			if (!classifyListed(run, task, created)) allKnown = false;
		}
		if (!result.hasMore || result.tasks.length === 0 || !result.lastId) return { complete: true, lastId: null, inverted };
		after = result.lastId;
		// Newest first: everything created after the last poll is above this page, and this page held nothing new.
		if (mode === 'head' && allKnown && last > 0 && last < run.stored.head) return { complete: false, lastId: after, inverted };
	}
	return { complete: false, lastId: after, inverted };
}

/** Sorts a listed task; true when it was known before this poll (so paging may stop). */
function classifyListed(run: PollRun, task: NormalizedTask, created: number): boolean {
	const id = task.id;
	const { stored } = run;
	if (run.touched.has(id) || run.isDone(id) || id in stored.due || run.env.session.heldByOther(id)) return true;
	const wasPending = id in stored.pending;
	if (isTerminal(task.status)) {
		if (!stored.initialized && !wasPending) {
			run.consider(task, run.settings.includeFinishedBeforeActivation);
			return false;
		}
		// Handled long ago and forgotten (only the newest handled tasks are remembered).
		if (!wasPending && created > 0 && created <= stored.horizon) return true;
		if (!wasPending && created === 0 && run.forgotten.has(taskFingerprint(id))) return true;
		run.consider(task, true);
		return wasPending;
	}
	if (wasPending) return true;
	run.changes.pending[id] = created;
	return false;
}

async function pollAllTasks(run: PollRun): Promise<void> {
	const { stored, changes, settings } = run;
	assertListSupported(run.client);
	if (!(settings.download && !run.mayDownload)) await run.deliverDue(Object.keys(stored.due));

	const seen = new Set<string>();
	const list: NonNullable<StateChanges['list']> = {};
	const finishWalk = (walk: WalkResult) => {
		if (walk.complete) {
			Object.assign(list, { walk: null, sweptAt: Date.now(), ordered: !walk.inverted, initialized: true });
		} else {
			list.walk = { after: walk.lastId, inverted: walk.inverted };
			if (walk.inverted) list.ordered = false;
		}
	};
	if (!stored.initialized || stored.ordered !== true) {
		// The first poll, or a list that does not come newest first (or not known yet): the whole list, continued across polls.
		const from = stored.walk?.after ?? null;
		finishWalk(await walkList(run, from, 'full', seen, stored.walk?.inverted ?? false));
	} else {
		// Newest first: the top of the list until a page holds nothing new, plus an occasional whole walk.
		const head = await walkList(run, null, 'head', seen, false);
		if (head.complete) finishWalk(head);
		else if (!run.halted && (stored.walk !== null || Date.now() - stored.sweptAt >= SWEEP_INTERVAL_MS)) {
			const from = stored.walk?.after ?? head.lastId;
			finishWalk(await walkList(run, from, 'full', seen, (stored.walk?.inverted ?? false) || head.inverted));
		} else if (head.inverted) list.ordered = false;
	}
	if (run.newestSeen > 0) list.head = run.newestSeen;
	changes.list = list;

	// Running tasks not on the pages read: one status request each, resuming where the last poll stopped.
	const toCheck = rotate(
		Object.entries(stored.pending)
			.filter(([id]) => !seen.has(id) && !run.isDone(id) && !(id in changes.due) && !run.env.session.heldByOther(id))
			.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
			.map(([id]) => id),
		stored.next,
	);
	await run.lookupAll(toCheck, (taskId, lookup) => {
		if (!lookup.ok) {
			// A task deleted at the provider will never finish: forget it.
			if (lookup.kind === 'notFound') changes.forget.add(taskId);
			else run.noteFailure(taskId, lookup);
			return;
		}
		if (isTerminal(lookup.task.status)) run.consider({ ...lookup.task, id: taskId }, true);
	});
	changes.next = run.firstUnanswered(toCheck);
	await run.deliverFound();
	run.waiting = toCheck.filter((id) => !run.answered.has(id)).length + Object.keys(changes.due).length;
}

export const allTasksMode: WatchModeRoom = {
	run: pollAllTasks,
	waiting: (state) => Object.keys(state.pending).length + Object.keys(state.due).length,
	prune: (state) => pruneForAllMode(state),
};
