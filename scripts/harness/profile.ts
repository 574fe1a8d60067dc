/**
 * Reads a V8 CPU profile (`node --cpu-prof`) of an n8n process and says where the time of a download went:
 * self time per function and per owner (this package, n8n, its HTTP client, Node.js, V8), counted only
 * between the first and the last sample in which streaming code (DOWNLOAD_CODE) is on the stack.
 */
import { readFileSync } from 'fs';

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
}

interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}

interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

export interface ProfileCost {
	name: string;
	owner: string;
	ms: number;
	share: number;
}

export interface ProfileSummary {
	/** The download window: first to last sample with this package's code on the stack (module loading aside). */
	windowMs: number;
	/** The window less idle time: what the shares are of. */
	busyMs: number;
	functions: ProfileCost[];
	/** Self time by who owns the function that ran. */
	owners: ProfileCost[];
	/**
	 * Time by the nearest package on the stack (walking up from the running function): who made Node.js do the
	 * work. Samples with no package on the stack (socket reads, the garbage collector) count as "Node.js / V8".
	 */
	drivers: ProfileCost[];
}

const OURS = '/n8n-nodes-sora-video/';

/** Who a frame belongs to: this package, an npm package by name, Node.js itself, or V8. */
export function ownerOf(frame: CallFrame): string {
	const { url, functionName } = frame;
	if (url.includes(OURS)) return 'ours (n8n-nodes-sora-video)';
	if (url.startsWith('node:')) return 'Node.js';
	if (!url) return functionName === '(garbage collector)' ? 'V8 garbage collector' : `V8 ${functionName || '(native)'}`;
	const parts = url.split('/node_modules/');
	const last = parts[parts.length - 1];
	const name = last.startsWith('@') ? last.split('/').slice(0, 2).join('/') : last.split('/')[0];
	return parts.length > 1 ? name : url;
}

function shortName(frame: CallFrame): string {
	const file = frame.url.split('/node_modules/').pop()?.replace(/^file:\/\//, '') ?? frame.url;
	return `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
}

/**
 * Code that runs only while a body streams in: our download (nodes/shared/content*.js), n8n's HTTP client (axios)
 * and Node's HTTP client (an `n8n execute` of one download makes no other requests), so the HTTP Request node is
 * profiled the same way.
 */
export const DOWNLOAD_CODE = /\/n8n-nodes-sora-video\/dist\/nodes\/shared\/content[A-Za-z]*\.js$|\/axios\/dist\/node\/axios\.cjs$|^node:_http_client$/;

export function summarizeProfile(file: string, top = 15, marker: RegExp = DOWNLOAD_CODE): ProfileSummary {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const stackOf = (id: number): CallFrame[] => {
		const frames: CallFrame[] = [];
		for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
			const node = byId.get(at);
			if (node) frames.push(node.callFrame);
		}
		return frames;
	};
	const stacks = new Map<number, CallFrame[]>();
	const stack = (id: number): CallFrame[] => {
		let frames = stacks.get(id);
		if (!frames) {
			frames = stackOf(id);
			stacks.set(id, frames);
		}
		return frames;
	};
	// The download: code that streams a body on the stack. Loading modules at start-up does not count.
	const downloading = (id: number) => {
		const frames = stack(id);
		return frames.some((frame) => marker.test(frame.url)) && !frames.some((frame) => frame.url.startsWith('node:internal/modules'));
	};
	const first = profile.samples.findIndex(downloading);
	let last = -1;
	for (let i = profile.samples.length - 1; i >= 0; i--) {
		if (downloading(profile.samples[i])) {
			last = i;
			break;
		}
	}
	const self = new Map<string, ProfileCost>();
	const owners = new Map<string, ProfileCost>();
	const drivers = new Map<string, ProfileCost>();
	const add = (map: Map<string, ProfileCost>, name: string, owner: string, ms: number) => {
		const cost = map.get(name) ?? { name, owner, ms: 0, share: 0 };
		cost.ms += ms;
		map.set(name, cost);
	};
	let windowMs = 0;
	let busyMs = 0;
	for (let i = Math.max(0, first); i <= last; i++) {
		// timeDeltas[i + 1] is the time the sample i stood for.
		const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
		windowMs += ms;
		const frames = stack(profile.samples[i]);
		const leaf = frames[0];
		if (!leaf || leaf.functionName === '(idle)') continue;
		busyMs += ms;
		const owner = ownerOf(leaf);
		add(self, shortName(leaf), owner, ms);
		add(owners, owner, owner, ms);
		const driver = frames.map(ownerOf).find((name) => name !== 'Node.js' && !name.startsWith('V8')) ?? 'Node.js / V8';
		add(drivers, driver, driver, ms);
	}
	const ranked = (costs: Map<string, ProfileCost>) =>
		[...costs.values()].map((cost) => ({ ...cost, share: busyMs > 0 ? cost.ms / busyMs : 0 })).sort((a, b) => b.ms - a.ms);
	return { windowMs, busyMs, functions: ranked(self).slice(0, top), owners: ranked(owners), drivers: ranked(drivers) };
}
