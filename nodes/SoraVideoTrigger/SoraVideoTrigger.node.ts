import type { INode, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { RequestOptionValues } from '../shared/descriptions';
import {
	binaryPropertyNameProperty,
	credentialsPlacement,
	offeredPerProvider,
	offersListing,
	providerCredentials,
	providerProperties,
	requestOptions,
	retryOptionsFrom,
	variantProperties,
} from '../shared/descriptions';
import type { ProviderCredentialData, ContentVariant } from '../shared/providers';
import { getProvider } from '../shared/providers';
import { VideoApiClient } from '../shared/transport';
import { invalidTaskIdError, noTriggerEventError, unknownProviderError } from '../shared/problems';
import { invalidTaskIdReason } from '../shared/taskReads';
import { assertVariantSupported } from '../shared/content';
import { PollBudget, pollBudgetMs } from './budget';
import { isActivationPoll, PollSession, scopeKey } from './coordination';
import type { TriggerEvent, TriggerSettings } from './poller';
import { fetchTestEvent, parseTaskIds, poll } from './poller';
import type { WatchMode } from './state';

/** Status requests in flight at once: hides most of the network latency of a 1,000-task watch list. */
const DEFAULT_CONCURRENCY = 20;
/** Well under the 45 s after which n8n's durable scheduler abandons a poll (N8N_SCHEDULER_POLL_TIMEOUT), and under a minute, the shortest poll interval. */
const DEFAULT_POLL_BUDGET_SECONDS = 30;
/** The activation poll, which n8n awaits while the user clicks "Activate" (and at start-up): short, and it downloads nothing. */
const ACTIVATION_BUDGET_MS = 15_000;

interface TriggerOptionValues extends RequestOptionValues {
	includeFinishedBeforeActivation?: boolean;
	maxConcurrentRequests?: number;
	pollTimeBudget?: number;
}

/** Refuses, before any request, watched IDs that no provider could have issued (they would change the URL). */
function checkedTaskIds(node: INode, taskIds: string[]): string[] {
	for (const taskId of taskIds) {
		const reason = invalidTaskIdReason(taskId);
		if (reason) throw invalidTaskIdError(node, taskId, undefined, reason);
	}
	return taskIds;
}

export class SoraVideoTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sora Video Trigger',
		name: 'soraVideoTrigger',
		icon: { light: 'file:soraVideoTrigger.svg', dark: 'file:soraVideoTrigger.dark.svg' },
		group: ['trigger'],
		// 2: Provider defaults to any OpenAI-compatible gateway (1 keeps OpeAI: its saved nodes without the key mean it).
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ "On " + ($parameter["events"] || []).join(" or ") }}',
		// n8n's node panel shows this node and Sora Video as one entry, "Sora Video" with this description,
		// so it describes both: what the actions do and what the trigger does.
		description: 'Create, check and download AI video tasks through OpenAI/Sora-compatible gateways, or start a workflow when one completes or fails',
		defaults: { name: 'Sora Video Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: providerCredentials,
		properties: [
			...providerProperties(2),
			credentialsPlacement,
			// All Tasks only for providers that can list tasks: a choice is not offered where it cannot work.
			...offeredPerProvider(
				{
					displayName: 'Watch',
					name: 'watch',
					type: 'options',
					noDataExpression: true,
					options: [
						{ name: 'Task IDs', value: 'taskIds', description: 'The tasks listed below' },
						{ name: 'All Tasks', value: 'all', description: 'Every task the account lists' },
					],
					default: 'taskIds',
				},
				offersListing('all'),
			),
			{
				displayName: 'Task IDs',
				name: 'taskIds',
				type: 'string',
				typeOptions: { rows: 4 },
				default: '',
				required: true,
				placeholder: 'video_68e688d4950481918ec389280c2f7814\nvideo_690d9b52e2b081908a05ded32cbfc629',
				description: 'One per line or comma-separated. Expressions are allowed.',
				displayOptions: { show: { watch: ['taskIds'] } },
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [
					{ name: 'Completed', value: 'completed', action: 'On video completed', description: 'The video is ready' },
					{ name: 'Failed', value: 'failed', action: 'On video failed', description: 'Generation failed (the item carries the reason)' },
				],
				default: ['completed'],
				required: true,
			},
			{
				displayName: 'Download File',
				name: 'download',
				type: 'boolean',
				default: false,
				description: 'Whether to attach the finished file to each completed event, so the next node can upload it',
			},
			...variantProperties({ show: { download: [true] } }),
			{ ...binaryPropertyNameProperty, displayOptions: { show: { download: [true] } } },
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Include Tasks Finished Before Activation',
						name: 'includeFinishedBeforeActivation',
						type: 'boolean',
						default: false,
						description: 'Whether the first poll fires for tasks that had already finished (for archiving everything)',
						displayOptions: { show: { '/watch': ['all'] } },
					},
					{
						displayName: 'Max Concurrent Requests',
						name: 'maxConcurrentRequests',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 50 },
						default: DEFAULT_CONCURRENCY,
						description: 'How many status requests run at once while checking watched tasks',
					},
					{
						displayName: 'Poll Time Budget (Seconds)',
						name: 'pollTimeBudget',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 3600 },
						default: DEFAULT_POLL_BUDGET_SECONDS,
						description:
							'How long one poll may run. Status checks and downloads that do not fit wait for the next poll, which fires them once. Raise it for large videos (n8n\'s durable scheduler also caps it, see N8N_SCHEDULER_POLL_TIMEOUT).',
					},
					...requestOptions,
				],
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const node = this.getNode();
		const providerId = this.getNodeParameter('provider') as string;
		const provider = getProvider(providerId);
		if (!provider) throw unknownProviderError(node, providerId);
		const watch = this.getNodeParameter('watch', 'taskIds') as WatchMode;
		const download = this.getNodeParameter('download', false) as boolean;
		const options = this.getNodeParameter('options', {}) as TriggerOptionValues;
		const events = this.getNodeParameter('events', ['completed']) as TriggerEvent[];
		if (events.length === 0) {
			throw noTriggerEventError(node);
		}
		const settings: TriggerSettings = {
			watch,
			taskIds: watch === 'taskIds' ? checkedTaskIds(node, parseTaskIds(this.getNodeParameter('taskIds', ''))) : [],
			events,
			download,
			variant: download ? (this.getNodeParameter('variant', 'video') as ContentVariant) : 'video',
			binaryPropertyName: download ? (this.getNodeParameter('binaryPropertyName', 'data') as string).trim() || 'data' : 'data',
			includeFinishedBeforeActivation: options.includeFinishedBeforeActivation ?? false,
			concurrency: options.maxConcurrentRequests ?? DEFAULT_CONCURRENCY,
		};
		const credentials = (await this.getCredentials(provider.credentialName)) as unknown as ProviderCredentialData;

		if (this.getMode() === 'manual') {
			// Testing never touches what is remembered, so it cannot swallow a real event.
			const client = new VideoApiClient(this, provider, credentials, retryOptionsFrom(options));
			if (download) assertVariantSupported(client, settings.variant);
			return [await fetchTestEvent(this, client, settings)];
		}

		const key = scopeKey(this.getWorkflow().id, node.id, node.name);
		// n8n 2.41 tells a poll how long it may run before its engine abandons it (the durable scheduler's
		// N8N_SCHEDULER_POLL_TIMEOUT less a margin; 5 min otherwise); older n8n versions do not.
		const engineMs = typeof this.getPollBudgetMs === 'function' ? this.getPollBudgetMs() : Number.POSITIVE_INFINITY;
		const activation = isActivationPoll(key, this);
		const budgetMs = Math.min(pollBudgetMs((options.pollTimeBudget ?? DEFAULT_POLL_BUDGET_SECONDS) * 1000, engineMs), activation ? ACTIVATION_BUDGET_MS : Number.POSITIVE_INFINITY);
		const budget = new PollBudget(budgetMs);
		const session = new PollSession(key, budget.deadline, activation);
		try {
			// A 429 is not retried inside a poll: the poll stops and the next one continues after Retry-After.
			// The client reads `signal` as each request starts: each gets its own, aborted at the deadline (budget.ts).
			const behaviour = {
				get signal(): AbortSignal {
					return budget.requestSignal();
				},
				retryRateLimited: false,
			};
			const client = new VideoApiClient(this, provider, credentials, retryOptionsFrom(options), behaviour);
			if (download) assertVariantSupported(client, settings.variant);
			const items = await poll({ fn: this, client, settings, staticData: this.getWorkflowStaticData('node'), budget, session, acceptedWithinMs: engineMs });
			return items.length > 0 ? [items] : null;
		} finally {
			// A poll that failed before merging lets its leases go (one that merged has closed already).
			session.close();
			budget.dispose();
		}
	}
}
