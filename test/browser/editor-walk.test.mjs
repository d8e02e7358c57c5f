// The editor experience, proven in a real browser: n8n 2.41.1 (`n8n start`, every outbound call
// disabled) with this package installed from its packed tarball, driven in headless Debian
// Chromium by playwright-core. Each test is one thing a user does; it asserts on what the page
// shows and on what the DNSFilter stand-in on 127.0.0.1 received. Screenshots of every step go
// to test/.tmp/browser-shots/ (printed at the start).
//
// Run with `npm run test:browser` (builds, installs n8n and Chromium when missing).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchChromium } from '../../scripts/browser/chromium.mjs';
import { OWNER, startEditorInstance } from '../../scripts/browser/instance.mjs';
import { log, makeFakeJwt, repoRoot } from '../../scripts/e2e/harness.mjs';
import {
	nodeProperty,
	operationByDisplayName,
	operationByOperationId,
	operationOptions,
	pathFields,
	resourceOption,
} from '../support/operation-lookup.mjs';
import {
	assertKeyNotOnPage,
	chooseOption,
	openDnsFilterInNodePanel,
	recordPicker,
	screenshotter,
	selectedText,
	signIn,
	visibleOptions,
} from './editor-actions.mjs';
import { SITE_COUNT, startDnsFilterStandIn } from './standin.mjs';

const GOOD_KEY = makeFakeJwt({ jti: `browser-good-${process.pid}-${Date.now()}` });
const REVOKED_KEY = makeFakeJwt({
	sub: '4243',
	jti: `browser-revoked-${process.pid}-${Date.now()}`,
});
const CREDENTIAL_401_MESSAGE =
	'DNSFilter rejected the API key (HTTP 401): it is invalid, expired or revoked. Create a new key under Account Settings → Security → API Keys.';
const SHOTS = path.join(repoRoot, 'test', '.tmp', 'browser-shots');
const README_SHOT = path.join(repoRoot, 'docs', 'images', 'editor-node.png');

const DELETE_API_KEY = operationByOperationId('V1_Api_Keys-destroy');
const REVOKE_NETWORK_SECRET = operationByOperationId('V1_Networks-revoke_secret_key');
const GET_NETWORK = operationByOperationId('V1_Networks-show');
const operationLabel = (row) =>
	operationOptions(row.resource).find((o) => o.value === row.operation).name;

let standIn;
let editor;
let browser;
let page;
let shots;
/** The open node details view (NDV) of the action node, shared by the action-node steps. */
let ndv;
let triggerEntryText;
/** How often the editor asked n8n for the community node types (the call that fetches the catalogue). */
let catalogueRequests = 0;
const t0 = Date.now();
const timings = [];

async function timed(name, fn) {
	const started = Date.now();
	try {
		return await fn();
	} finally {
		timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
	}
}

/** Clicks the NDV's execute button and waits for n8n to accept the run. */
async function executeStep() {
	const run = page.waitForResponse(
		(r) => /\/rest\/workflows\/[^/]+\/run/.test(r.url()) && r.request().method() === 'POST',
	);
	await ndv.getByTestId('node-execute-button').click();
	return run;
}

/** Polls `check` (every 100 ms, at most 15 s): for what only the stand-in's log shows. */
async function waitUntil(check, what, timeoutMs = 15_000) {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline)
			throw new Error(`timed out waiting until ${what}:\n${standIn.summary().join('\n')}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

function requestsTo(method, pathname) {
	return standIn.requests.filter((r) => r.method === method && r.path === pathname);
}

describe(
	'real browser: the DNSFilter node in the n8n 2.41.1 editor',
	{ timeout: 10 * 60_000 },
	() => {
		before(async () => {
			standIn = await startDnsFilterStandIn({ apiKey: GOOD_KEY, revokedApiKeys: [REVOKED_KEY] });
			editor = await startEditorInstance();
			browser = await launchChromium();
			page = browser.context.pages()[0] ?? (await browser.context.newPage());
			page.setDefaultTimeout(30_000);
			page.on('request', (request) => {
				if (new URL(request.url()).pathname === '/rest/community-node-types') catalogueRequests++;
			});
			shots = screenshotter(SHOTS, { key: GOOD_KEY });
			log(`screenshots: ${SHOTS}`);
		});

		after(async () => {
			log(`timings: ${timings.join(', ')}; total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
			log(`screenshots (${shots?.taken.length ?? 0}) in ${SHOTS}`);
			try {
				await browser?.close();
			} finally {
				await editor?.stop();
				await standIn?.close();
			}
		});

		test('the owner signs in on the sign-in page', () =>
			timed('sign-in', async () => {
				await signIn(page, editor.base, OWNER);
				await shots.shot(page, 'signed-in');
			}));

		test("credential modal: a revoked key fails the test with the credential's 401 message", () =>
			timed('credential 401', async () => {
				standIn.reset();
				await page.goto(`${editor.base}/home/credentials`);
				await page.getByTestId('add-resource-credential').click();
				await page.getByTestId('new-credential-type-select').click();
				await page.keyboard.type('DNSFilter');
				await visibleOptions(page)
					.filter({ hasText: /^DNSFilter API$/ })
					.click();
				await page.getByTestId('new-credential-type-button').click();
				const modal = page.getByTestId('editCredential-modal');
				await modal.getByTestId('parameter-input-apiKey').locator('input').fill(REVOKED_KEY);
				await modal.getByTestId('parameter-input-baseUrl').locator('input').fill(standIn.url);
				const tested = page.waitForResponse((r) => r.url().endsWith('/rest/credentials/test'));
				await modal.getByTestId('credential-save-button').click();
				const answer = await (await tested).json();
				assert.equal(answer.data?.status, 'Error', JSON.stringify(answer));

				await modal.getByText('Couldn’t connect with these settings').waitFor();
				await modal.getByText('More details').click();
				await page.getByText(CREDENTIAL_401_MESSAGE).first().waitFor();
				await shots.shot(page, 'credential-401', { scanKey: false });

				const calls = requestsTo('GET', '/v1/current_user');
				assert.ok(calls.length >= 1 && calls.length <= 2, standIn.summary().join('\n'));
				for (const call of calls) assert.equal(call.status, 401);
			}));

		test('credential modal: the right key passes the test (GET /v1/current_user with the raw key)', () =>
			timed('credential OK', async () => {
				standIn.reset();
				const modal = page.getByTestId('editCredential-modal');
				await modal.getByTestId('parameter-input-apiKey').locator('input').fill(GOOD_KEY);
				// Positive control: while the key sits in the input it was typed into, the scan finds it.
				await assert.rejects(
					assertKeyNotOnPage(page, GOOD_KEY, 'typing'),
					/API key's key is on the page/,
				);
				const tested = page.waitForResponse((r) => r.url().endsWith('/rest/credentials/test'));
				await modal.getByTestId('credential-save-button').click();
				const answer = await (await tested).json();
				assert.equal(answer.data?.status, 'OK', JSON.stringify(answer));
				await modal.getByText('Connection tested successfully').waitFor();
				// The key is still in the (password) input the user typed it into: masked on screen.
				assert.equal(
					await modal.getByTestId('parameter-input-apiKey').locator('input').getAttribute('type'),
					'password',
				);
				await shots.shot(page, 'credential-ok', { scanKey: false });

				const calls = requestsTo('GET', '/v1/current_user');
				assert.equal(calls.length, 1, standIn.summary().join('\n'));
				assert.equal(calls[0].status, 200);
				assert.equal(calls[0].authorized, true, 'Authorization was exactly the raw key');
				assert.equal(calls[0].bearer, false, 'no "Bearer " prefix');
			}));

		test('after saving, the key is nowhere on the page, also when the credential is opened again', () =>
			timed('key hidden', async () => {
				await page.keyboard.press('Escape');
				await page.getByTestId('editCredential-modal').waitFor({ state: 'hidden' });
				await page.reload();
				await page.getByText('DNSFilter account').first().click();
				const modal = page.getByTestId('editCredential-modal');
				const input = modal.getByTestId('parameter-input-apiKey').locator('input');
				await input.waitFor();
				assert.notEqual(await input.inputValue(), GOOD_KEY);
				await assertKeyNotOnPage(page, GOOD_KEY, 'credential reopened');
				await shots.shot(page, 'credential-reopened');
				await page.keyboard.press('Escape');
				await modal.waitFor({ state: 'hidden' });
			}));

		test('node panel: DNSFilter → API Key actions → Delete API Key opens the node with the credential', () =>
			timed('node panel', async () => {
				await page.goto(`${editor.base}/workflow/new`);
				const panel = await openDnsFilterInNodePanel(page);
				await panel
					.getByTestId('node-creator-category-item')
					.filter({ hasText: /^Actions/ })
					.click();
				await shots.shot(page, 'node-panel');
				// n8n writes the action in sentence case in the panel ("Delete API key").
				await panel
					.getByTestId('item-iterator-item')
					.filter({ hasText: new RegExp(`^${operationLabel(DELETE_API_KEY)}$`, 'i') })
					.click();
				ndv = page.getByTestId('ndv');
				await ndv.waitFor();
				assert.equal(
					await selectedText(ndv, 'resource'),
					resourceOption(DELETE_API_KEY.resource).name,
				);
				assert.equal(await selectedText(ndv, 'operation'), operationLabel(DELETE_API_KEY));
				assert.equal(
					await ndv.getByTestId('node-credentials-select').locator('input').first().inputValue(),
					'DNSFilter account',
				);
				await shots.shot(page, 'delete-api-key-added');
			}));

		test('Delete API Key: the required ID starts empty and is flagged; running it sends nothing', () =>
			timed('empty ID', async () => {
				standIn.reset();
				const [idField] = pathFields(DELETE_API_KEY);
				const property = nodeProperty(DELETE_API_KEY, idField.field);
				const picker = recordPicker(page, ndv, idField.field);
				try {
					assert.equal(property.type, 'resourceLocator');
					// By ID: typing an ID, not opening the list (which would ask DNSFilter for the keys).
					await picker.mode('By ID');
					const input = picker.input;
					assert.equal(await input.inputValue(), '', 'the required ID starts empty (not 0)');
					// n8n shows a parameter's issues once the input was left.
					await input.click();
					await input.blur();
					await picker.issues.waitFor({ timeout: 10_000 });
					await picker.issues.hover();
					await page
						.getByText(`Parameter "${property.displayName}" is required.`)
						.first()
						.waitFor();
					await shots.shot(page, 'empty-id-flagged');
					await executeStep();
					const refused = page.getByText('Workflow execution cannot start').first();
					await refused.waitFor();
					// A trial click waits until the notification has stopped sliding in.
					await refused.click({ trial: true });
					assert.match(
						await page.locator('body').innerText(),
						new RegExp(`Parameter "${property.displayName}" is required`),
					);
					await shots.shot(page, 'empty-id-run-refused');
					assert.deepEqual(standIn.summary(), [], 'nothing reached DNSFilter');
				} catch (error) {
					await shots.shot(page, 'empty-id-failed');
					throw error;
				}
			}));

		test('Delete API Key: with the ID filled, the step runs through two 429s and the output panel shows the result', () =>
			timed('execute with 429s', async () => {
				standIn.reset();
				const [idField] = pathFields(DELETE_API_KEY);
				const picker = recordPicker(page, ndv, idField.field);
				// A malformed ID is flagged while typing, naming the field.
				await picker.input.fill('abc');
				await picker.input.blur();
				await picker.issues.hover();
				await page.getByText('API Key ID: digits only').first().waitFor();
				await shots.shot(page, 'by-id-malformed-flagged');
				await picker.input.fill('101');
				await picker.input.blur();
				await picker.issues.waitFor({ state: 'detached' });
				standIn.rateLimitNext(2);
				await executeStep();
				const output = ndv.getByTestId('output-panel');
				await output.getByTestId('node-run-status-success').waitFor({ timeout: 60_000 });
				const data = output.getByTestId('ndv-data-container').filter({ hasText: '101' });
				await data.waitFor();
				const table = await data.innerText();
				assert.match(table, /success/);
				assert.match(table, /true/);
				assert.match(table, /101/);
				await shots.shot(page, 'delete-api-key-output');

				assert.deepEqual(standIn.summary(), [
					'DELETE /v1/api_keys/101 → 429',
					'DELETE /v1/api_keys/101 → 429',
					'DELETE /v1/api_keys/101 → 204',
				]);
				const [first, , last] = standIn.requests;
				assert.ok(
					last.at - first.at >= 1500,
					`Retry-After: 1 was waited out twice (${last.at - first.at} ms)`,
				);
				assert.ok(standIn.requests.every((r) => r.authorized && !r.bearer));
				assert.equal(
					standIn.state.apiKeys.some((k) => k.id === '101'),
					false,
					'key 101 deleted once',
				);
			}));

		test('the ID fields say whose ID: "API Key ID", "Network ID" (labels shown in the steps above)', () => {
			assert.equal(
				nodeProperty(DELETE_API_KEY, pathFields(DELETE_API_KEY)[0].field).displayName,
				'API Key ID',
			);
			assert.equal(
				nodeProperty(REVOKE_NETWORK_SECRET, pathFields(REVOKE_NETWORK_SECRET)[0].field).displayName,
				'Network ID',
			);
		});

		test('switching Resource to Network leaves no write operation selected', () =>
			timed('switch resource', async () => {
				const network = resourceOption(REVOKE_NETWORK_SECRET.resource).name;
				await chooseOption(page, ndv, 'resource', network);
				const shown = await selectedText(ndv, 'operation');
				await shots.shot(page, 'resource-switched');
				const row = operationByDisplayName(REVOKE_NETWORK_SECRET.resource, shown);
				assert.ok(row, `"${shown}" is a Network operation`);
				assert.ok(!row.custom, `"${shown}" is a generated operation`);
				assert.equal(
					row.method,
					'GET',
					`after the switch the operation is "${shown}" (${row.method} ${row.path}), a write`,
				);
			}));

		test('Revoke Network Secret Key: picked, "Network ID" filled, run; the output shows the network', () =>
			timed('revoke secret', async () => {
				standIn.reset();
				await chooseOption(page, ndv, 'operation', operationLabel(REVOKE_NETWORK_SECRET));
				const [idField] = pathFields(REVOKE_NETWORK_SECRET);
				const picker = recordPicker(page, ndv, idField.field);
				try {
					await picker.mode('By ID');
					await picker.input.fill('2001');
					await picker.input.blur();
					// The value is kept (not only shown): the required-field issue is gone.
					await picker.issues.waitFor({ state: 'detached', timeout: 10_000 });
					await executeStep();
					const output = ndv.getByTestId('output-panel');
					await output.getByText('Head office').first().waitFor({ timeout: 60_000 });
					await shots.shot(page, 'revoke-network-secret-output');
					if (process.env.DNSFILTER_BROWSER_README_SHOT === '1') await readmeShot();
					assert.deepEqual(standIn.summary(), ['DELETE /v1/networks/2001/secret_key → 200']);
					assert.equal(standIn.state.networks[0].secret_key, null);
				} catch (error) {
					await shots.shot(page, 'revoke-network-secret-failed');
					error.message += `\nDNSFilter saw: ${JSON.stringify(standIn.summary())}`;
					throw error;
				}
			}));

		test('Get Network: From List shows names, a search by name pages to the third page through a 429, the pick runs', () =>
			timed('record picker', async () => {
				standIn.reset();
				await chooseOption(page, ndv, 'operation', operationLabel(GET_NETWORK));
				const [idField] = pathFields(GET_NETWORK);
				const picker = recordPicker(page, ndv, idField.field);
				const listCalls = () => requestsTo('GET', '/v1/networks');
				try {
					await picker.mode('From list');
					await picker.input.click();
					await picker.items().filter({ hasText: 'Head office (2001)' }).first().waitFor();
					await shots.shot(page, 'picker-first-page');
					assert.equal(listCalls()[0].query.get('page[number]'), '1');
					// Search by name: the API's own search parameter, from page 1 again.
					// The dropdown opens with its search box focused.
					await page.getByTestId('rlc-search').filter({ visible: true }).first().waitFor();
					await page.keyboard.type('Site');
					const searched = () => listCalls().filter((r) => r.query.get('search') === 'Site');
					await waitUntil(
						() => searched().some((r) => r.status === 200),
						'the search reached DNSFilter',
					);
					await picker
						.items()
						.filter({ hasText: 'Head office' })
						.first()
						.waitFor({ state: 'detached' });
					await picker.items().filter({ hasText: 'Site 001 (3001)' }).first().waitFor();
					// Page 2 meets a 429 (Retry-After: 1): the search waits it out and the list goes on.
					standIn.rateLimitNext(1);
					await picker.scrollToEnd();
					await picker
						.items()
						.filter({ hasText: 'Site 100 (3100)' })
						.first()
						.waitFor({ timeout: 30_000 });
					await picker.scrollToEnd();
					const last = `Site ${String(SITE_COUNT).padStart(3, '0')} (${3000 + SITE_COUNT})`;
					await picker.items().filter({ hasText: last }).first().waitFor({ timeout: 30_000 });
					await picker.items().filter({ hasText: last }).first().scrollIntoViewIfNeeded();
					await shots.shot(page, 'picker-third-page');
					const pages = searched().map((r) => `${r.query.get('page[number]')} → ${r.status}`);
					assert.deepEqual(
						[...new Set(pages)].sort(),
						['1 → 200', '2 → 200', '2 → 429', '3 → 200'],
						standIn.summary().join('\n'),
					);
					await picker.items().filter({ hasText: last }).first().click();
					await picker.dropdown.waitFor({ state: 'hidden' });
					standIn.reset();
					await executeStep();
					const output = ndv.getByTestId('output-panel');
					await output
						.getByText(`Site ${String(SITE_COUNT).padStart(3, '0')}`)
						.first()
						.waitFor({ timeout: 60_000 });
					await shots.shot(page, 'picker-run-output');
					assert.deepEqual(standIn.summary(), [`GET /v1/networks/${3000 + SITE_COUNT} → 200`]);
				} catch (error) {
					await shots.shot(page, 'picker-failed');
					throw error;
				}
			}));

		test('the canvas subtitle shows the action, not internal values', () =>
			timed('subtitle', async () => {
				await ndv.getByTestId('ndv-close-button').click();
				await ndv.waitFor({ state: 'hidden' });
				const node = page.getByTestId('canvas-node').filter({ hasNotText: /When clicking/ });
				await shots.shot(page, 'canvas');
				const text = await node.innerText();
				assert.ok(!text.includes(`${GET_NETWORK.operation}: ${GET_NETWORK.resource}`), text);
				assert.ok(text.includes(operationLabel(GET_NETWORK)), text);
			}));

		test('DNSFilter Trigger: picked from the node panel, Fetch Test Event shows a sample key', () =>
			timed('trigger', async () => {
				standIn.reset();
				await page.goto(`${editor.base}/workflow/new`);
				const panel = await openDnsFilterInNodePanel(page);
				// n8n shows the event's `action` text when it has one, else "On <event name>" in lower case.
				const entry = panel
					.getByTestId('item-iterator-item')
					.filter({ hasText: /^(On )?api key expiring soon$/i });
				const entryText = await entry.innerText();
				await entry.click();
				const trigger = page.getByTestId('ndv');
				await trigger.waitFor();
				const button = trigger.getByTestId('node-execute-button');
				assert.match(await button.innerText(), /Fetch Test Event/);
				const run = page.waitForResponse((r) => /\/rest\/workflows\/[^/]+\/run/.test(r.url()));
				await button.click();
				await run;
				await trigger
					.getByTestId('output-panel')
					.getByText('psa-sync (expires in 3 days)')
					.first()
					.waitFor({ timeout: 60_000 });
				await shots.shot(page, 'trigger-fetch-test-event');
				assert.deepEqual(standIn.summary(), ['GET /v1/api_keys → 200']);
				triggerEntryText = entryText.trim();
			}));

		test('the trigger\'s panel entry keeps DNSFilter\'s capitals ("API key", not "api key")', () => {
			assert.ok(triggerEntryText, 'the trigger step ran');
			assert.match(triggerEntryText, /API [Kk]ey/, `panel entry "${triggerEntryText}"`);
		});

		test("nothing left the machine: n8n made no outbound call; the browser only the editor's npm lookup", () => {
			// The editor asked for the community node types, which is when n8n would fetch its catalogue
			// (test/browser/offline.test.mjs shows the sentinel catching that fetch when it is enabled).
			assert.ok(catalogueRequests > 0, 'the editor requested /rest/community-node-types');
			assert.deepEqual(editor.sentinel.attempts, [], 'n8n called out through the proxy');
			// The node panel's community-node details fetch the package's npm metadata from the browser
			// (hard-coded in the 2.41.1 editor, no setting turns it off); it is aborted here.
			const unexpected = browser.outbound.filter(
				(r) => !/^GET https:\/\/registry\.npmjs\.org\/n8n-nodes-dnsfilter$/.test(r),
			);
			assert.deepEqual(unexpected, []);
			log(`browser requests aborted: ${JSON.stringify(browser.outbound)}`);
		});

		test("neither key appears in n8n's stdout/stderr", () => {
			const output = editor.output();
			assert.ok(output.length > 1000, 'there is output to scan');
			for (const key of [GOOD_KEY, REVOKED_KEY]) {
				for (const part of [key, key.split('.')[1], key.split('.')[2]])
					assert.ok(!output.includes(part));
			}
		});
	},
);

/** docs/images/editor-node.png: the parameters and output of the node, cropped, for the README. */
async function readmeShot() {
	const params = await ndv.getByTestId('node-parameters').boundingBox();
	const output = await ndv.getByTestId('output-panel').boundingBox();
	const x = Math.floor(params.x - 16);
	const y = Math.floor(params.y - 56);
	const clip = { x, y, width: Math.ceil(output.x + Math.min(output.width, 460) - x), height: 400 };
	await assertKeyNotOnPage(page, GOOD_KEY, 'README screenshot');
	await page.screenshot({ path: README_SHOT, clip });
	log(`README screenshot written to ${README_SHOT}`);
}
