// End-to-end in a real n8n: the packed package installed as a community node, the example
// workflows imported and run by the n8n CLI against a local DNSFilter stand-in.
// Needs `npm run build` and `node scripts/e2e/install-n8n.mjs` first (`npm run test:e2e` does both).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
	CREDENTIAL_NAME,
	CREDENTIAL_TYPE,
	NODE_TYPE,
	PACKAGE_NAME,
	createInstance,
	loadExample,
	log,
	makeFakeJwt,
	nodeOutput,
	packPackage,
	runStatus,
} from '../../scripts/e2e/harness.mjs';
import { operationFor } from '../support/node-params.mjs';
import {
	NOT_FOUND_NETWORK,
	UNPROCESSABLE_MESSAGE,
	UNPROCESSABLE_NETWORK,
	startStandIn,
} from './standin.mjs';

const API_KEY = makeFakeJwt();
const CREDENTIAL_ID = 'dnsfE2eCredent01';
const IDS = {
	hygiene: 'dnsfE2eHygiene01',
	hygiene14: 'dnsfE2eHygiene14',
	hygieneScheduled: 'dnsfE2eHygieneSch',
	siemScheduled: 'dnsfE2eSiemSched',
	webhook: 'dnsfE2eWebhook01',
	siem: 'dnsfE2eSiemLogs1',
	storm: 'dnsfE2eStorm0001',
	error422: 'dnsfE2eError4221',
	error404: 'dnsfE2eError4041',
	plainId: 'dnsfE2ePlainId01',
	pickedId: 'dnsfE2ePicked001',
	typedId: 'dnsfE2eTypedId01',
};
const WEBHOOK_PATH = 'dnsfilter/network-secret-key/revoke';

let standIn;
let instance;
let packDir;

function errorWorkflow(id, networkId) {
	return networkWorkflow(id, String(networkId), `e2e: failing DNSFilter call (${networkId})`);
}

/**
 * One Create Network Secret Key call with `value` in Network ID: a plain ID as workflows saved
 * before record pickers hold it, or a picker value.
 */
function networkWorkflow(id, value, name) {
	return {
		id,
		name,
		nodes: [
			{
				id: 'e2e-manual',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'e2e-dnsfilter',
				name: 'Create new secret key',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				parameters: { ...operationFor('V1_Networks-generate_secret_key'), id: value },
				credentials: { [CREDENTIAL_TYPE]: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } },
			},
		],
		connections: { Start: { main: [[{ node: 'Create new secret key', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		active: false,
	};
}

/** The hygiene example with another "expiring within N days" threshold in its Settings node. */
function withThreshold(wf, days) {
	const settings = wf.nodes.find((n) => n.name === 'Settings');
	settings.parameters.assignments.assignments.find((a) => a.name === 'expiringWithinDays').value =
		days;
	wf.name = `${wf.name} (${days} days)`;
	return wf;
}

/** The example with its Schedule Trigger firing every 5 seconds instead of daily/hourly. */
function everyFewSeconds(wf) {
	const schedule = wf.nodes.find((n) => n.type === 'n8n-nodes-base.scheduleTrigger');
	schedule.parameters.rule = { interval: [{ field: 'seconds', secondsInterval: 5 }] };
	wf.name = `${wf.name} (every 5 s)`;
	return wf;
}

async function waitFor(predicate, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

function assertSucceeded(result, what) {
	const tail = `${result.stdout.slice(-3000)}\n--- stderr ---\n${result.stderr.slice(-3000)}`;
	assert.equal(result.timedOut, false, `${what}: n8n execute timed out\n${tail}`);
	assert.equal(result.code, 0, `${what}: n8n execute exited ${result.code}\n${tail}`);
	assert.ok(result.run, `${what}: no run data in the output\n${tail}`);
	assert.equal(runStatus(result.run), 'success', `${what}: status ${result.run.status}\n${tail}`);
}

/**
 * n8n answers /healthz/readiness before it has registered the published workflows' webhooks,
 * so POST until the webhook stops answering "not registered" (bounded: 60 s).
 */
async function postWhenRegistered(url, body) {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const res = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		if (res.status !== 404 || Date.now() > deadline) return res;
		const text = await res.text();
		if (!text.includes('is not registered')) return new Response(text, { status: res.status });
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

function served(method, pathPattern) {
	return standIn.served().filter((r) => r.method === method && pathPattern.test(r.path));
}

describe('real n8n: packed community node and example workflows', { timeout: 20 * 60_000 }, () => {
	before(async () => {
		packDir = mkdtempSync(path.join(os.tmpdir(), 'dnsfilter-e2e-pack-'));
		const tarball = await packPackage(packDir);
		log(`packed ${path.basename(tarball)}`);
		standIn = await startStandIn({ apiKey: API_KEY });
		instance = await createInstance({ tarball });
		log(`n8n user folder ${instance.userFolder}`);
		await instance.importCredentials([
			{
				id: CREDENTIAL_ID,
				name: CREDENTIAL_NAME,
				type: CREDENTIAL_TYPE,
				data: {
					apiKey: API_KEY,
					baseUrl: standIn.url,
					throttleRequests: 2000,
					throttleWindowSeconds: 300,
				},
			},
		]);
		const examples = [
			loadExample('api-key-hygiene.json', { id: IDS.hygiene, credentialId: CREDENTIAL_ID }),
			loadExample('webhook-network-secret-key-revocation.json', {
				id: IDS.webhook,
				credentialId: CREDENTIAL_ID,
			}),
			loadExample('traffic-report-to-siem.json', { id: IDS.siem, credentialId: CREDENTIAL_ID }),
			loadExample('bulk-rotate-under-rate-limit.json', {
				id: IDS.storm,
				credentialId: CREDENTIAL_ID,
			}),
			withThreshold(
				loadExample('api-key-hygiene.json', { id: IDS.hygiene14, credentialId: CREDENTIAL_ID }),
				14,
			),
			everyFewSeconds(
				loadExample('api-key-hygiene.json', {
					id: IDS.hygieneScheduled,
					credentialId: CREDENTIAL_ID,
				}),
			),
			everyFewSeconds(
				loadExample('traffic-report-to-siem.json', {
					id: IDS.siemScheduled,
					credentialId: CREDENTIAL_ID,
				}),
			),
			errorWorkflow(IDS.error422, UNPROCESSABLE_NETWORK),
			errorWorkflow(IDS.error404, NOT_FOUND_NETWORK),
			networkWorkflow(IDS.plainId, '2001', 'e2e: Network ID saved as a plain ID'),
			networkWorkflow(
				IDS.pickedId,
				{ __rl: true, mode: 'list', value: '2001', cachedResultName: 'Head office (2001)' },
				'e2e: Network ID picked From List',
			),
			networkWorkflow(
				IDS.typedId,
				{ __rl: true, mode: 'id', value: '2001' },
				'e2e: Network ID typed By ID',
			),
		];
		await instance.importWorkflows(examples);
		log('credential and workflows imported');
	});

	after(async () => {
		await instance?.cleanup();
		await standIn?.close();
		if (packDir) rmSync(packDir, { recursive: true, force: true });
	});

	test('the tarball is installed under .n8n/nodes like a community package, without its own n8n-workflow', () => {
		const pkg = path.join(instance.nodesDir, 'node_modules', PACKAGE_NAME, 'package.json');
		assert.ok(existsSync(pkg), `${pkg} missing`);
		const json = JSON.parse(readFileSync(pkg, 'utf8'));
		assert.ok(json.n8n.nodes.length >= 1);
		assert.ok(
			existsSync(path.join(instance.nodesDir, 'node_modules', PACKAGE_NAME, json.n8n.nodes[0])),
		);
		assert.equal(existsSync(path.join(instance.nodesDir, 'node_modules', 'n8n-workflow')), false);
	});

	test('example 1, API key hygiene: revokes keys expiring soon, deletes revoked and expired ones, touches nothing valid', async () => {
		standIn.reset();
		const result = await instance.execute(IDS.hygiene);
		assertSucceeded(result, 'api-key-hygiene');

		// The API documents no paging for this list: one call returns every key.
		const listed = served('GET', /^\/v1\/api_keys$/);
		assert.equal(listed.length, 1, 'listed the API keys once');

		const revoked = served('POST', /^\/v1\/api_keys\/[^/]+\/revoke$/).map(
			(r) => r.path.split('/')[3],
		);
		const deleted = served('DELETE', /^\/v1\/api_keys\/[^/]+$/).map((r) => r.path.split('/')[3]);
		assert.deepEqual(revoked.sort(), ['105']);
		assert.deepEqual(deleted.sort(), ['103', '104']);
		const touched = standIn.requests.filter((r) => r.method !== 'GET').map((r) => r.path);
		for (const valid of ['101', '102', '106', '107', '110', '111', '112', '113', '114']) {
			assert.ok(
				!touched.some((p) => p.includes(`/api_keys/${valid}`)),
				`valid key ${valid} left alone`,
			);
		}
		assert.ok(
			standIn.requests.every((r) => r.authorized),
			'every request carried the raw API key',
		);

		const [summary] = nodeOutput(result.run, 'Summary');
		assert.equal(summary.checked, 12);
		assert.equal(summary.kept, 9);
		assert.deepEqual(summary.revoked, ['psa-sync (expires in 3 days)']);
		assert.deepEqual([...summary.deleted].sort(), [
			'intern-2024 (expired)',
			'old-laptop (revoked)',
		]);
		assert.equal(summary.revokeCalls, 1);
		assert.equal(summary.expiringWithinDays, 7);
	});

	test('example 1 honours the threshold set in its Settings node', async () => {
		standIn.reset();
		const result = await instance.execute(IDS.hygiene14);
		assertSucceeded(result, 'api-key-hygiene (14 days)');
		const revoked = served('POST', /^\/v1\/api_keys\/[^/]+\/revoke$/).map(
			(r) => r.path.split('/')[3],
		);
		assert.deepEqual(revoked.sort(), ['105', '106']);
		const [summary] = nodeOutput(result.run, 'Summary');
		assert.equal(summary.expiringWithinDays, 14);
		assert.equal(summary.kept, 8);
	});

	test('example 3, traffic report to SIEM: Return All walks every page of the last hour, items shaped for Splunk HEC and S3', async () => {
		standIn.reset({ queryLogCount: 230 });
		const result = await instance.execute(IDS.siem);
		assertSucceeded(result, 'traffic-report-to-siem');

		const pages = served('GET', /^\/v1\/traffic_reports\/query_logs$/);
		assert.deepEqual(
			pages.map((r) => Number(r.query['page[number]'])),
			[1, 2, 3],
		);
		for (const page of pages) {
			assert.match(page.query.from, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
			assert.match(page.query.to, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
			assert.equal(Date.parse(page.query.to) - Date.parse(page.query.from), 3600_000);
		}

		const splunk = nodeOutput(result.run, 'Shape for Splunk HEC');
		assert.equal(splunk.length, 230);
		for (const event of splunk) {
			assert.equal(typeof event.time, 'number');
			assert.equal(event.sourcetype, 'dnsfilter:querylog');
			assert.equal(typeof event.event.fqdn, 'string');
		}
		const s3 = nodeOutput(result.run, 'Shape for S3');
		assert.equal(s3.length, 230);
		assert.match(s3[0].s3Key, /^dnsfilter\/query_logs\/\d{4}\/\d\d\/\d\d\/\d\d\.json$/);
		const fileRuns = result.run.data.resultData.runData['One JSON file per hour'];
		const fileItems = fileRuns.at(-1).data.main[0];
		assert.equal(fileItems.length, 1, 'one file for the hour');
		assert.ok(fileItems[0].binary?.data, 'the file is in binary property "data"');
	});

	test('example 4, 429 storm: half the calls are rate limited, every item is still processed', async () => {
		standIn.reset({ rateLimitHalf: true });
		const started = Date.now();
		const result = await instance.execute(IDS.storm);
		assertSucceeded(result, 'bulk-rotate-under-rate-limit');

		const rotations = served('PATCH', /^\/v1\/networks\/\d+\/secret_key$/);
		assert.deepEqual(
			rotations.map((r) => Number(r.path.split('/')[3])).sort(),
			[2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008],
		);
		assert.ok(
			standIn.state.rateLimited >= 8,
			`the stand-in rate limited ${standIn.state.rateLimited} calls`,
		);
		// Retry-After: 1 was honoured: each retry came at least ~1 s after the 429 it answers.
		const all = standIn.requests;
		for (let i = 1; i < all.length; i++) {
			if (all[i - 1].status === 429)
				assert.ok(
					all[i].at - all[i - 1].at >= 900,
					`retry ${i} waited ${all[i].at - all[i - 1].at} ms`,
				);
		}
		const [summary] = nodeOutput(result.run, 'Summary');
		assert.equal(summary.requested, 8);
		assert.equal(summary.rotated, 8);
		log(
			`429 storm finished in ${Math.round((Date.now() - started) / 1000)} s with ${standIn.state.rateLimited} rate-limited calls`,
		);
	});

	test("a node error fails `n8n execute` and shows the API's own message", async () => {
		standIn.reset();
		// At n8n's default log level, as a user runs it.
		const r422 = await instance.execute(IDS.error422, { extraEnv: { N8N_LOG_LEVEL: 'info' } });
		assert.equal(r422.timedOut, false);
		assert.notEqual(r422.code, 0, 'n8n execute exits non-zero');
		assert.ok(
			`${r422.stdout}\n${r422.stderr}`.includes(UNPROCESSABLE_MESSAGE),
			`the 422 message is shown:\n${r422.stdout.slice(-3000)}\n${r422.stderr.slice(-2000)}`,
		);

		const r404 = await instance.execute(IDS.error404, { extraEnv: { N8N_LOG_LEVEL: 'info' } });
		assert.notEqual(r404.code, 0);
		assert.ok(
			`${r404.stdout}\n${r404.stderr}`.includes(`Network ${NOT_FOUND_NETWORK} not found`),
			'the 404 message is shown',
		);
	});

	test('a Network ID saved as a plain ID (before record pickers), picked From List or typed By ID sends the same request', async () => {
		const sentBy = {};
		for (const [form, id] of [
			['plain', IDS.plainId],
			['list', IDS.pickedId],
			['id', IDS.typedId],
		]) {
			standIn.reset();
			const result = await instance.execute(id);
			assert.equal(
				result.code,
				0,
				`${form}: ${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`,
			);
			assert.equal(runStatus(result.run), 'success', form);
			sentBy[form] = standIn.served().map((r) => `${r.method} ${r.path}`);
		}
		assert.deepEqual(sentBy.plain, ['POST /v1/networks/2001/secret_key']);
		assert.deepEqual(sentBy.list, sentBy.plain);
		assert.deepEqual(sentBy.id, sentBy.plain);
	});

	test('example 2, webhook: a published workflow in `n8n start` revokes and reissues the key and never returns the secret', async () => {
		standIn.reset();
		await instance.publish(IDS.webhook);
		const server = await instance.startServer();
		try {
			const oldSecret = standIn.state.networks.get(2001).secret_key;
			const res = await postWhenRegistered(`${server.base}/webhook/${WEBHOOK_PATH}`, {
				network_id: 2001,
			});
			const text = await res.text();
			assert.equal(
				res.status,
				200,
				`${text}\n--- n8n start output ---\n${server.output().slice(-8000)}`,
			);
			const body = JSON.parse(text);
			assert.equal(body.networkId, 2001);
			assert.equal(body.networkName, 'Head office');
			assert.equal(body.secretKeyRevoked, true);
			assert.equal(body.newSecretKeyIssued, true);
			const newSecret = standIn.state.networks.get(2001).secret_key;
			assert.ok(newSecret && newSecret !== oldSecret, 'a new key was issued');
			assert.ok(!text.includes(newSecret), 'the new secret is not in the response');
			assert.ok(!text.includes(oldSecret), 'the old secret is not in the response');
			assert.deepEqual(
				standIn.served().map((r) => `${r.method} ${r.path}`),
				['DELETE /v1/networks/2001/secret_key', 'POST /v1/networks/2001/secret_key'],
			);

			const bad = await fetch(`${server.base}/webhook/${WEBHOOK_PATH}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ network: 'nope' }),
				signal: AbortSignal.timeout(60_000),
			});
			assert.equal(bad.status, 400, await bad.text());
			assert.equal(standIn.served().length, 2, 'a bad request calls nothing');
		} finally {
			await server.stop();
		}
	});

	test('examples 1 and 3 run from their Schedule Trigger in a published workflow under `n8n start`', async () => {
		standIn.reset();
		await instance.publish(IDS.hygieneScheduled);
		await instance.publish(IDS.siemScheduled);
		const server = await instance.startServer();
		try {
			await waitFor(
				() =>
					served('POST', /^\/v1\/api_keys\/105\/revoke$/).length >= 1 &&
					served('DELETE', /^\/v1\/api_keys\/10[34]$/).length === 2 &&
					served('GET', /^\/v1\/traffic_reports\/query_logs$/).some(
						(r) => r.query['page[number]'] === '3',
					),
				// Generous: on a loaded machine each run of these examples takes 15-40 s.
				180_000,
				'the scheduled runs to reach the stand-in',
			).catch(async (error) => {
				const executions = await instance
					.queryDb('SELECT workflowId, mode, status FROM execution_entity')
					.catch((e) => e.message);
				const seen = standIn.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
				throw new Error(
					`${error.message}\nstand-in saw: ${JSON.stringify(seen.slice(-40))}\nexecutions: ${JSON.stringify(executions)}\n${server.output().slice(-4000)}`,
				);
			});
			// Let a run of each finish and be saved before n8n stops: on a loaded machine a run takes
			// 15-40 s, longer than n8n's shutdown waits for it (n8n 1.x then leaves it 'running').
			const deadline = Date.now() + 120_000;
			for (;;) {
				const rows = await instance
					.queryDb(
						`SELECT workflowId FROM execution_entity WHERE mode = 'trigger' AND status = 'success' AND workflowId IN ('${IDS.hygieneScheduled}', '${IDS.siemScheduled}')`,
					)
					.catch(() => []);
				if (new Set(rows.map((r) => r.workflowId)).size === 2 || Date.now() > deadline) break;
				await new Promise((resolve) => setTimeout(resolve, 2000));
			}
		} finally {
			await server.stop();
		}
		await instance.unpublish(IDS.hygieneScheduled);
		await instance.unpublish(IDS.siemScheduled);

		// Across however many runs fired: valid keys were never touched.
		const touched = standIn.requests.filter((r) => r.method !== 'GET').map((r) => r.path);
		for (const valid of ['101', '102', '106', '107', '110', '111', '112', '113', '114']) {
			assert.ok(
				!touched.some((p) => p.includes(`/api_keys/${valid}`)),
				`valid key ${valid} left alone`,
			);
		}
		const executions = await instance.queryDb(
			`SELECT workflowId, mode, status FROM execution_entity WHERE workflowId IN ('${IDS.hygieneScheduled}', '${IDS.siemScheduled}')`,
		);
		for (const id of [IDS.hygieneScheduled, IDS.siemScheduled]) {
			const runs = executions.filter((e) => e.workflowId === id);
			assert.ok(
				runs.some((e) => e.mode === 'trigger' && e.status === 'success'),
				`${id}: a successful scheduled run (${JSON.stringify(runs)})`,
			);
			assert.ok(
				!runs.some((e) => e.status === 'error' || e.status === 'crashed'),
				`${id}: no failed run (${JSON.stringify(runs)})`,
			);
		}
	});

	test('the API key never appears in any n8n output, log or file of the instance', () => {
		const [, payload, signature] = API_KEY.split('.');
		const haystack = instance.transcript.join('\n');
		assert.ok(haystack.length > 1000, 'there is output to scan');
		assert.ok(!haystack.includes(API_KEY), 'full key in n8n output');
		assert.ok(!haystack.includes(signature), 'key signature in n8n output');
		assert.ok(!haystack.includes(payload), 'key payload in n8n output');
		// Files n8n wrote: database, event logs, config. The credential is stored encrypted.
		const root = path.join(instance.userFolder, '.n8n');
		const walk = (dir) =>
			readdirSync(dir).flatMap((name) => {
				const full = path.join(dir, name);
				if (full === instance.nodesDir) return [];
				return statSync(full).isDirectory() ? walk(full) : [full];
			});
		const files = walk(root);
		assert.ok(
			files.some((f) => f.endsWith('database.sqlite')),
			'the sqlite database was scanned',
		);
		for (const file of files) {
			const content = readFileSync(file);
			assert.equal(content.includes(API_KEY), false, `key in ${file}`);
			assert.equal(content.includes(signature), false, `key signature in ${file}`);
		}
	});
});
