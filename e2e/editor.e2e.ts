/**
 * The package in n8n's editor, in a real browser: Debian's `chromium`, headless, driven by playwright-core.
 * n8n 2.41.1 runs with the package installed from its `npm pack` tarball, as users get it. A person's path:
 * sign in, open a new workflow, "Add first step", search "Sora" and find the Sora Video entry with its
 * trigger events, add the trigger; then add the action from the "+" panel the same way and see the operations
 * in its parameter panel. Every step leaves a screenshot in .cache/e2e/artifacts/editor/ (git-ignored), next
 * to console.log, every console message and failed request the editor produced, classified as below.
 *
 * What fails the test (decided from what n8n 2.41.1 logs during this walk, see console.log):
 * - any uncaught exception in the page;
 * - any console error that names this package, its node types or its credential types (in the message or in
 *   the URL it is about: an icon, a node type, a credential that did not load),
 * except two requests n8n makes for every installed community package, which are not errors of the package:
 * - requests to any host other than n8n's: the test blocks them, so nothing leaves this machine (the editor
 *   looks the package up on registry.npmjs.org to show its npm details), and Chromium logs each as failed;
 * - a 404 for /schemas/<node type>/<version>[/<resource>/<operation>].json: the editor asks whether the node ships an optional output
 *   schema preview (`__schema__` next to the node); this package ships none.
 * Other console errors are n8n's own (e.g. the 401 of its session check before signing in): they are kept in
 * console.log and printed, but do not fail the test.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { BrowserContext, Locator, Page } from 'playwright-core';
import { chromium, selectors } from 'playwright-core';

import type { N8nInstance } from '../scripts/harness/n8n';
import { freePort, stopAll, waitFor } from '../scripts/harness/processes';
import { ensureRuntime, REPO_ROOT } from '../scripts/harness/runtime';
import { prepareInstance } from '../scripts/harness/scenario';
import { providerOptions } from '../nodes/shared/descriptions';
import { ProviderSimulator } from '../simulator/simulator';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO_ROOT, '.cache', 'e2e', 'artifacts', 'editor');
const OWNER = { email: 'editor-e2e@example.com', password: 'SoraEditor-2026' };
/** The trigger's description: n8n shows it on the merged "Sora Video" entry (see test/codex.test.ts). */
const ENTRY_DESCRIPTION = 'Create, check and download AI video tasks through OpenAI/Sora-compatible gateways, or start a workflow when one completes or fails';
const ACTIONS = [
	'Create a character',
	'Create a video',
	'Delete a video',
	'Download the file of a video task',
	'Edit a video',
	'Extend a video',
	'Generate a video',
	'Get a character',
	'Get the status of a video task',
	'List video tasks',
	'Remix a video',
];
const TRIGGER_EVENTS = ['On video completed', 'On video failed'];
const OPERATIONS = ['Create', 'Create Character', 'Delete', 'Download Content', 'Edit', 'Extend', 'Generate', 'Get Character', 'Get Status', 'List', 'Remix'];

const OURS = /n8n-nodes-sora-video|soraVideo|SoraVideo|opeAiApi|wisdomGateApi|ezModelApi|voidAiApi|openAiCompatibleVideoApi/;
const SCHEMA_PROBE = /^\/schemas\/n8n-nodes-sora-video\.[A-Za-z]+\/[\d.]+(?:\/[A-Za-z]+\/[A-Za-z]+)?\.json$/;

type Verdict = 'ours' | 'uncaught exception' | 'blocked off-machine request' | 'optional schema probe' | "n8n's own";
interface Logged {
	step: string;
	type: string;
	text: string;
	url: string;
	verdict: Verdict;
}

let n8n: N8nInstance;
let context: BrowserContext;
let page: Page;
let profile: string;
let step = 'starting';
const logged: Logged[] = [];
const blocked = new Set<string>();

function isLocal(url: string): boolean {
	try {
		return new URL(url).host === new URL(n8n.baseUrl).host;
	} catch {
		return true; // data:, blob: and the like never leave the machine
	}
}

function judge(type: string, text: string, url: string): Verdict {
	if (type === 'pageerror') return 'uncaught exception';
	if (url && blocked.has(url)) return 'blocked off-machine request';
	let path = '';
	try {
		path = new URL(url).pathname;
	} catch {
		// not a URL
	}
	if (SCHEMA_PROBE.test(path) && text.includes('404')) return 'optional schema probe';
	return OURS.test(`${text} ${url}`) ? 'ours' : "n8n's own";
}

function record(type: string, text: string, url: string): void {
	logged.push({ step, type, text, url, verdict: judge(type, text, url) });
}

function ourErrors(): Logged[] {
	return logged.filter((entry) => (entry.verdict === 'ours' && entry.type === 'error') || entry.verdict === 'uncaught exception');
}

async function shot(name: string): Promise<void> {
	await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

function nodePanel(): Locator {
	return page.getByTestId('node-creator');
}

/** The node panel's search, and the Sora Video entry it finds, with the merged entry's description. */
async function searchSora(): Promise<Locator> {
	await nodePanel().getByTestId('node-creator-search-bar').fill('Sora');
	const entry = nodePanel().getByTestId('item-iterator-item').filter({ hasText: 'Sora Video' });
	await entry.first().waitFor();
	expect(await entry.count()).toBe(1);
	expect(await entry.innerText()).toContain(ENTRY_DESCRIPTION);
	return entry;
}

/** The entry's details: its actions and trigger events, each visible by name. */
async function expectListed(names: string[]): Promise<void> {
	for (const name of names) await nodePanel().getByText(name, { exact: true }).waitFor();
}

/** The node's Provider field, its choice's input, and the credential box's label ("Credential for <type>"). */
function providerField(): Locator {
	return page.getByTestId('ndv').getByTestId('parameter-input-provider');
}

async function providerShown(): Promise<string> {
	return await providerField().locator('input').first().inputValue();
}

function credentialLabel(): Locator {
	return page.getByTestId('ndv').getByTestId('credentials-label');
}

/** The credential box's label, its first line (the box's button or select follows it). */
async function credentialLabelText(): Promise<string> {
	return (await credentialLabel().innerText()).split('\n')[0].trim();
}

/** The top of an element on the page, to compare where fields sit. */
async function topOf(locator: Locator): Promise<number> {
	const box = await locator.first().boundingBox();
	if (!box) throw new Error('not on screen');
	return box.y;
}

/** n8n's credential dialog is a modal; the corner switch between providers was its CredentialModeSelector. */
function credentialDialog(): Locator {
	return page.getByTestId('editCredential-modal');
}

async function signedIn(): Promise<void> {
	await page.goto('/home/credentials');
	await page.waitForURL(/\/(signin|home\/credentials)/);
	if (page.url().includes('/signin')) {
		await page.getByTestId('emailOrLdapLoginId').locator('input').fill(OWNER.email);
		await page.getByTestId('password').locator('input').fill(OWNER.password);
		await page.getByTestId('form-submit-button').click();
		await page.waitForURL(/\/home\//);
	}
}

beforeAll(async () => {
	if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium), as .ci/run does.`);
	rmSync(ARTIFACTS, { recursive: true, force: true });
	mkdirSync(ARTIFACTS, { recursive: true });
	const runtime = await ensureRuntime();
	n8n = await prepareInstance(runtime, join(REPO_ROOT, '.cache', 'e2e', 'n8n-editor-user'), await freePort());
	await n8n.startServer();
	expect(await n8n.setupOwner(OWNER.email, OWNER.password)).toBe(true);

	profile = mkdtempSync(join(tmpdir(), 'sora-editor-chromium-'));
	context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		// Without the background-networking flags Chromium calls Google's hosts on its own.
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		viewport: { width: 1440, height: 900 },
		baseURL: n8n.baseUrl,
	});
	// n8n's elements carry data-test-id.
	selectors.setTestIdAttribute('data-test-id');
	await context.route(
		(url) => !isLocal(url.href),
		async (route) => {
			blocked.add(route.request().url());
			await route.abort('blockedbyclient');
		},
	);
	page = context.pages()[0] ?? (await context.newPage());
	page.setDefaultTimeout(30_000);
	page.on('console', (message) => record(message.type(), message.text(), message.location().url));
	page.on('pageerror', (error) => record('pageerror', `${error.message}\n${error.stack ?? ''}`, ''));
}, 900_000);

afterAll(async () => {
	writeFileSync(
		join(ARTIFACTS, 'console.log'),
		[...logged.map((entry) => `[${entry.step}] ${entry.verdict}: ${entry.type} ${entry.text}${entry.url ? ` (${entry.url})` : ''}`), ...[...blocked].map((url) => `blocked: ${url}`)].join('\n') + '\n',
	);
	await context?.close();
	if (profile) rmSync(profile, { recursive: true, force: true });
	await n8n?.stopServer();
	await stopAll();
});

it('a user finds Sora Video and its trigger by searching "Sora", adds both, and sees the operations', async () => {
	try {
		step = 'sign in';
		await page.goto('/signin');
		await page.getByTestId('emailOrLdapLoginId').locator('input').fill(OWNER.email);
		await page.getByTestId('password').locator('input').fill(OWNER.password);
		await shot('01-sign-in');
		await page.getByTestId('form-submit-button').click();
		await page.waitForURL(/\/home\//);

		step = 'first step: search';
		await page.goto('/workflow/new');
		await page.getByTestId('canvas-add-button').click();
		await page.getByText('What triggers this workflow?').waitFor();
		const triggerEntry = await searchSora();
		await shot('02-first-step-search-sora');

		step = 'first step: the entry';
		await triggerEntry.click();
		await expectListed(['Triggers (2)', ...TRIGGER_EVENTS, `Actions (${ACTIONS.length})`]);
		await shot('03-first-step-sora-video-triggers');

		step = 'first step: add the trigger';
		await nodePanel().getByText('On video completed', { exact: true }).click();
		const ndv = page.getByTestId('ndv');
		await ndv.getByTestId('parameter-input-events').getByText('Completed', { exact: true }).waitFor();
		expect((await ndv.getByTestId('node-title-container').innerText()).trim()).toBe('Sora Video Trigger');
		// Provider is in view (after n8n's own Poll Times), its credential box below it.
		expect(await providerShown()).toBe('Any OpenAI-Compatible Gateway');
		expect(await credentialLabelText()).toBe('Credential for OpenAI-Compatible Video API');
		expect(await topOf(providerField())).toBeLessThan(await topOf(credentialLabel()));
		await shot('04-trigger-parameters');
		await page.getByTestId('ndv-close-button').click();
		await ndv.waitFor({ state: 'hidden' });
		await page.getByTestId('canvas-trigger-node').waitFor();

		step = 'next step: search';
		await page.getByTestId('node-creator-plus-button').click();
		await page.getByText('What happens next?').waitFor();
		const actionEntry = await searchSora();
		await shot('05-next-step-search-sora');

		step = 'next step: the entry';
		await actionEntry.click();
		await expectListed([`Actions (${ACTIONS.length})`, ...ACTIONS, 'Triggers (2)']);
		await shot('06-next-step-sora-video-actions');

		step = 'next step: add the action';
		await nodePanel().getByText('Get the status of a video task', { exact: true }).click();
		const operation = ndv.getByTestId('parameter-input-operation');
		await operation.locator('input').first().waitFor();
		// With a resource level, n8n names a node after the action it was added through.
		expect((await ndv.getByTestId('node-title-container').innerText()).trim()).toBe('Get the status of a video task');
		expect(await operation.locator('input').first().inputValue()).toBe('Get Status');
		// A new node is version 3: Wait for Completion is a switch in view (since 2), not an option to add first.
		await ndv.getByTestId('parameter-input-waitForCompletion').waitFor();
		// Provider is the first field, set to the gateway that serves every action; its credential box is right below it.
		const items = ndv.getByTestId('parameter-item');
		expect(await items.first().getByTestId('parameter-input-provider').count()).toBe(1);
		expect(await providerShown()).toBe('Any OpenAI-Compatible Gateway');
		expect(await credentialLabelText()).toBe('Credential for OpenAI-Compatible Video API');
		expect(await ndv.getByTestId('node-credentials-slot').count()).toBe(1);
		expect(await topOf(providerField())).toBeLessThan(await topOf(credentialLabel()));
		expect(await topOf(credentialLabel())).toBeLessThan(await topOf(operation));
		await shot('07-action-parameters');

		step = 'provider: the choices';
		await providerField().click();
		const choices = page.locator('.el-select-dropdown__item:visible');
		await choices.first().waitFor();
		// Each choice shows its name, then its one-line description: the compatible gateway first, then by name.
		const shownChoices = (await choices.allInnerTexts()).map((text) => text.split('\n').map((line) => line.trim()).filter(Boolean));
		expect(shownChoices.map(([name]) => name)).toEqual(['Any OpenAI-Compatible Gateway', 'EzModel', 'OpeAI', 'VoidAI', 'Wisdom Gate']);
		expect(shownChoices.map(([, ...description]) => description.join(' '))).toEqual(providerOptions.map((option) => option.description));
		expect(shownChoices[2].join(' ')).toContain('not a misspelling of OpenAI');
		await shot('07a-provider-choices');

		step = 'provider: VoidAI';
		await choices.filter({ has: page.getByText('VoidAI', { exact: true }) }).click();
		await waitFor(async () => ((await providerShown()) === 'VoidAI' ? true : undefined), 'Provider set to VoidAI', 10_000);
		// The credential box now asks for VoidAI's credential, and only for it.
		await waitFor(async () => ((await credentialLabelText()) === 'Credential for VoidAI API' ? true : undefined), 'the credential box for VoidAI API', 10_000);
		expect(await ndv.getByTestId('node-credentials-slot').count()).toBe(1);
		await page.locator('.el-select-dropdown__item').filter({ visible: true }).first().waitFor({ state: 'hidden' });
		await shot('07b-provider-voidai-credential');

		step = 'provider: the credential dialog from the node';
		await ndv.getByTestId('node-credentials-slot').locator('button, input').first().click();
		const newItem = page.getByTestId('node-credentials-select-item-new').filter({ visible: true });
		if (await newItem.count()) await newItem.first().click();
		await credentialDialog().waitFor();
		const dialogText = await credentialDialog().innerText();
		expect(dialogText).toContain('VoidAI API');
		expect(dialogText).toContain('VoidAI (voidai.app) is a hosted AI API gateway');
		// No switch between providers in the dialog's corner: the provider was chosen on the node.
		expect(await credentialDialog().getByTestId('credential-mode-dropdown-trigger').count()).toBe(0);
		await shot('07c-credential-dialog-from-the-node');
		// Its close button (Escape would close the node's panel too).
		await credentialDialog().locator('[data-test-id="dialog-close-button"], .el-dialog__headerbtn, button[aria-label="Close"]').first().click();
		await credentialDialog().waitFor({ state: 'hidden' });
		expect(await providerShown()).toBe('VoidAI');

		step = 'next step: the operations';
		await operation.click();
		// The options list is attached to the page's body, outside the panel.
		const options = page.locator('.el-select-dropdown__item:visible');
		for (const name of OPERATIONS) await options.filter({ has: page.getByText(name, { exact: true }) }).waitFor();
		// Each option shows its name, then its description. (n8n adds "Custom API Call" to nodes with such credentials.)
		const names = (await options.allInnerTexts()).map((text) => text.split('\n')[0].trim());
		expect(names).toEqual(expect.arrayContaining(OPERATIONS));
		await shot('08-operations');

		step = 'the action picked is the operation you get';
		await page.keyboard.press('Escape');
		await page.getByTestId('ndv-close-button').click();
		await ndv.waitFor({ state: 'hidden' });
		await page.getByTestId('node-creator-plus-button').click();
		await (await searchSora()).click();
		await nodePanel().getByText('List video tasks', { exact: true }).click();
		await operation.locator('input').first().waitFor();
		// The new node's provider (the compatible gateway) serves List: no notice.
		expect((await ndv.getByTestId('node-title-container').innerText()).trim()).toBe('List video tasks');
		expect(await operation.locator('input').first().inputValue()).toBe('List');
		expect(await providerShown()).toBe('Any OpenAI-Compatible Gateway');
		expect(await ndv.getByText(/no endpoint that lists video tasks/).count()).toBe(0);
		await shot('09-list-picked');

		step = 'a provider that cannot list';
		// OpeAI cannot list: the node says so, names the providers that can, and stays on List.
		await providerField().click();
		await page.locator('.el-select-dropdown__item:visible').filter({ has: page.getByText('OpeAI', { exact: true }) }).click();
		await ndv.getByText(/no endpoint that lists video tasks/).first().waitFor();
		expect(await ndv.getByText(/choose VoidAI or Any OpenAI-Compatible Gateway as the Provider/).count()).toBeGreaterThan(0);
		expect(await operation.locator('input').first().inputValue()).toBe('List');
		expect(await credentialLabelText()).toBe('Credential for OpeAI API');
		await page.locator('.el-select-dropdown__item').filter({ visible: true }).first().waitFor({ state: 'hidden' });
		await shot('09a-list-with-a-provider-that-cannot');
	} catch (error) {
		await shot(`failed-at-${step.replace(/[^a-z]+/g, '-')}`).catch(() => undefined);
		throw error;
	}

	const others = logged.filter((entry) => entry.type === 'error' && !ourErrors().includes(entry));
	if (others.length > 0) console.log(`Console errors that are not this package's (see ${join(ARTIFACTS, 'console.log')}):\n${others.map((entry) => `  ${entry.verdict}: ${entry.text} ${entry.url}`).join('\n')}`);
	expect(ourErrors().map((entry) => `[${entry.step}] ${entry.type}: ${entry.text} ${entry.url}`)).toEqual([]);
});

/**
 * The credential dialog as a user meets it, against the provider simulator on 127.0.0.1: what the provider
 * is, what the test says for a wrong key, a wrong Base URL and an unreachable host, and OpeAI's key field
 * label following its Authentication choice. n8n shows the test's answer under "More details" of its
 * "Couldn't connect with these settings" banner.
 */
describe('the credential dialog', () => {
	const SIM_KEY = 'sk-editor-e2e-credential-4242';
	let sim: ProviderSimulator;

	beforeAll(async () => {
		sim = new ProviderSimulator({ apiKey: SIM_KEY });
		await sim.start();
	});

	afterAll(async () => {
		await sim?.stop();
	});

	function dialog(): Locator {
		return page.getByTestId('editCredential-modal');
	}

	/** Credentials > Create credential > the type, by its display name. */
	async function newCredential(typeName: string): Promise<void> {
		await page.goto('/home/credentials/create');
		const picker = page.getByTestId('selectCredential-modal');
		await picker.waitFor();
		await picker.getByTestId('new-credential-type-select').locator('input').fill(typeName);
		await page.getByTestId('new-credential-type-select-option').filter({ hasText: typeName }).first().click();
		await picker.getByTestId('new-credential-type-button').click();
		await dialog().waitFor();
	}

	async function fill(name: string, value: string): Promise<void> {
		await dialog().getByTestId(`parameter-input-${name}`).locator('input').first().fill(value);
	}

	/** Saves (n8n then tests the credential) and returns what the banner says, its details opened. */
	async function saveAndRead(): Promise<string> {
		const tested = page.waitForResponse((response) => response.url().endsWith('/rest/credentials/test'));
		await dialog().getByTestId('credential-save-button').click();
		await tested;
		// n8n writes it with a typographic apostrophe.
		const failed = dialog().getByText(/Couldn.t connect with these settings/);
		const passed = dialog().getByText('Connection tested successfully');
		await failed.or(passed).filter({ visible: true }).first().waitFor();
		const more = dialog().getByText('More details', { exact: true });
		if (await more.isVisible()) await more.click();
		return await dialog().innerText();
	}

	function labels(): Promise<string[]> {
		return dialog().getByTestId('credential-connection-parameter').allInnerTexts();
	}

	it('VoidAI: says what VoidAI is; a wrong key, a wrong Base URL and an unreachable host each get the node\'s advice', async () => {
		try {
			step = 'credential: sign in';
			await signedIn();

			step = 'credential: new VoidAI';
			await newCredential('VoidAI API');
			expect(await dialog().innerText()).toContain('VoidAI (voidai.app) is a hosted AI API gateway');
			await shot('10-credential-voidai-new');

			step = 'credential: wrong key';
			await fill('apiKey', 'sk-wrong-key-1234');
			await fill('baseUrl', sim.baseUrl('voidai'));
			let shown = await saveAndRead();
			expect(shown).toMatch(/Couldn.t connect with these settings/);
			expect(shown).toContain('VoidAI rejected the API key (HTTP 401).');
			expect(shown).not.toContain('sk-wrong-key-1234');
			await shot('11-credential-test-wrong-key');

			step = 'credential: Base URL without /v1';
			await fill('apiKey', SIM_KEY);
			await fill('baseUrl', sim.baseUrl('voidai').replace(/\/v1$/, ''));
			shown = await saveAndRead();
			expect(shown).toContain('VoidAI does not serve this address (HTTP 404): the Base URL is probably wrong.');
			expect(shown).toContain('A missing or extra "/v1" is the usual cause.');
			await shot('12-credential-test-wrong-base-url');

			step = 'credential: unreachable host';
			const closed = new ProviderSimulator({ apiKey: SIM_KEY });
			await closed.start();
			const unreachable = closed.baseUrl('voidai');
			await closed.stop();
			await fill('baseUrl', unreachable);
			shown = await saveAndRead();
			expect(shown).toContain('ECONNREFUSED');
			// n8n shows a network failure as its bare code; the hint under the Base URL says what it means.
			const baseUrlField = dialog().getByTestId('credential-connection-parameter').filter({ hasText: 'Base URL' });
			expect(await baseUrlField.innerText()).toContain('If the test answers ENOTFOUND, ECONNREFUSED or ETIMEDOUT, n8n could not reach this address');
			await shot('13-credential-test-unreachable-host');

			step = 'credential: the right settings';
			await fill('baseUrl', sim.baseUrl('voidai'));
			shown = await saveAndRead();
			expect(shown).toContain('Connection tested successfully');
			await shot('14-credential-test-passes');
			await page.keyboard.press('Escape');
		} catch (error) {
			await shot(`failed-at-${step.replace(/[^a-z]+/g, '-')}`).catch(() => undefined);
			throw error;
		}
		expect(ourErrors().map((entry) => `[${entry.step}] ${entry.type}: ${entry.text} ${entry.url}`)).toEqual([]);
	});

	it('OpeAI: says what OpeAI is with its docs link, and the key field is labelled by the Authentication choice', async () => {
		try {
			step = 'credential: new OpeAI';
			await signedIn();
			await newCredential('OpeAI API');
			const about = dialog().getByRole('link', { name: 'api-platform.ope.ai' });
			expect(await about.getAttribute('href')).toBe('https://api-platform.ope.ai');
			expect(await dialog().innerText()).toContain('not a misspelling of OpenAI');
			let fields = (await labels()).join('\n');
			expect(fields).toMatch(/^API Key/m);
			expect(fields).not.toMatch(/^Frontend Token/m);
			await shot('15-credential-opeai-api-key');

			step = 'credential: OpeAI frontend token';
			await fill('apiKey', 'typed-before-switching');
			await dialog().getByTestId('parameter-input-authMode').click();
			await page.locator('.el-select-dropdown__item:visible').filter({ hasText: 'Frontend Token' }).first().click();
			await page.locator('.el-select-dropdown__item').filter({ visible: true }).first().waitFor({ state: 'hidden' });
			// The key field's label is the first line of its block: "API Key", then "Frontend Token".
			const keyLabel = async () => (await labels()).map((text) => text.split('\n')[0].replace(/[*\s]+$/, '')).find((label) => label === 'API Key' || label === 'Frontend Token');
			await waitFor(async () => ((await keyLabel()) === 'Frontend Token' ? true : undefined), 'the key field labelled Frontend Token', 10_000);
			fields = (await labels()).join('\n');
			expect(fields).not.toMatch(/^API Key/m);
			await shot('16-credential-opeai-frontend-token');

			step = 'credential: OpeAI wrong token';
			await fill('apiKey', 'not-a-valid-jwt');
			await fill('baseUrl', sim.baseUrl('opeai'));
			const shown = await saveAndRead();
			expect(shown).toContain('OpeAI rejected the API key or frontend token (HTTP 401).');
			await shot('17-credential-test-opeai-wrong-token');
			await page.keyboard.press('Escape');
		} catch (error) {
			await shot(`failed-at-${step.replace(/[^a-z]+/g, '-')}`).catch(() => undefined);
			throw error;
		}
		expect(ourErrors().map((entry) => `[${entry.step}] ${entry.type}: ${entry.text} ${entry.url}`)).toEqual([]);
	});
});

/**
 * Workflows saved before Provider was a field of its own: Sora Video version 1 and 2 nodes and a version 1 trigger,
 * as n8n saved them (no `provider` key where it was OpeAI, the default then). Each opens on its provider, with its
 * credential selected in the box below it.
 */
describe('a workflow saved with older versions', () => {
	const WORKFLOW_ID = 'soraE2eSavedOld1';
	const OPEAI = { id: 'soraE2eOpeAiCred', name: 'Saved OpeAI account', type: 'opeAiApi' };
	const VOIDAI = { id: 'soraE2eVoidAiCred', name: 'Saved VoidAI account', type: 'voidAiApi' };
	const nodes = [
		{
			id: '5d0b4d2e-7f1a-4c55-9e21-000000000001',
			name: 'Saved v1 Get Status',
			type: 'n8n-nodes-sora-video.soraVideo',
			typeVersion: 1,
			position: [0, 0],
			parameters: { operation: 'getStatus', taskId: 'video_saved_1' },
			credentials: { opeAiApi: { id: OPEAI.id, name: OPEAI.name } },
		},
		{
			id: '5d0b4d2e-7f1a-4c55-9e21-000000000002',
			name: 'Saved v2 List',
			type: 'n8n-nodes-sora-video.soraVideo',
			typeVersion: 2,
			position: [300, 0],
			parameters: { provider: 'voidAi', operation: 'list' },
			credentials: { voidAiApi: { id: VOIDAI.id, name: VOIDAI.name } },
		},
		{
			id: '5d0b4d2e-7f1a-4c55-9e21-000000000003',
			name: 'Saved v1 Trigger',
			type: 'n8n-nodes-sora-video.soraVideoTrigger',
			typeVersion: 1,
			position: [0, 300],
			parameters: { provider: 'voidAi', watch: 'all', events: ['completed'] },
			credentials: { voidAiApi: { id: VOIDAI.id, name: VOIDAI.name } },
		},
	];

	beforeAll(async () => {
		const data = { apiKey: 'sk-saved-workflow-e2e', baseUrl: 'http://127.0.0.1:9/v1' };
		await n8n.importCredentials([
			{ ...OPEAI, data: { ...data, authMode: 'apiKey' } },
			{ ...VOIDAI, data },
		]);
		await n8n.importWorkflow({ id: WORKFLOW_ID, name: 'Saved with Sora Video v1, v2 and trigger v1', nodes, connections: {}, settings: { executionOrder: 'v1' }, pinData: {} });
	});

	it.each([
		['18-saved-v1-opeai-by-default', 0, 'OpeAI', 'OpeAI API', OPEAI.name],
		['19-saved-v2-voidai', 1, 'VoidAI', 'VoidAI API', VOIDAI.name],
		['20-saved-trigger-v1-voidai', 2, 'VoidAI', 'VoidAI API', VOIDAI.name],
	] as const)('%s: opens on its provider and credential', async (name, index, provider, credentialType, credentialName) => {
		try {
			step = `saved: ${name}`;
			await signedIn();
			await page.goto(`/workflow/${WORKFLOW_ID}/${nodes[index].id}`);
			const ndv = page.getByTestId('ndv');
			await providerField().locator('input').first().waitFor();
			expect((await ndv.getByTestId('node-title-container').innerText()).trim()).toBe(nodes[index].name);
			expect(await providerShown()).toBe(provider);
			expect(await credentialLabelText()).toBe(`Credential for ${credentialType}`);
			expect(await ndv.getByTestId('node-credentials-slot').count()).toBe(1);
			await waitFor(
				async () => ((await ndv.getByTestId('node-credentials-select').locator('input').first().inputValue()) === credentialName ? true : undefined),
				`the credential ${credentialName} selected`,
				10_000,
			);
			await shot(name);
		} catch (error) {
			await shot(`failed-at-${step.replace(/[^a-z0-9]+/g, '-')}`).catch(() => undefined);
			throw error;
		}
		expect(ourErrors().map((entry) => `[${entry.step}] ${entry.type}: ${entry.text} ${entry.url}`)).toEqual([]);
	});
});
