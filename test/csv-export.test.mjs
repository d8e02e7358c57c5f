// CSV exports are asynchronous: create returns a job, "Wait for Completion" polls its status
// operation until the file URL is there, the job reports an error, or the time is up.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { loadDnsFilterNode, runNode } from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { operationFor } from './support/node-params.mjs';
import { json, startStandIn } from './support/standin-server.mjs';

let server;
before(async () => {
	server = await startStandIn();
});
after(async () => {
	await server.close();
});

/** The create call answers a pending job; the status call answers `states` in turn, the last repeating. */
function exportJob(states) {
	let polls = 0;
	return (req, res, record) => {
		if (record.method === 'POST' && record.path === '/v2/networks_csv_export') {
			return json(res, 201, {
				data: { id: 77, type: 'networks_csv_exports', url: null, error: null },
			});
		}
		if (record.method === 'GET' && record.path === '/v2/networks_csv_export/77') {
			return json(res, 200, {
				data: {
					id: 77,
					type: 'networks_csv_exports',
					...states[Math.min(polls++, states.length - 1)],
				},
			});
		}
		return json(res, 404, { error: 'unexpected request' });
	};
}

async function createExport(extra, states) {
	server.requests.length = 0;
	server.setHandler(exportJob(states));
	return await runNode({
		nodeType: loadDnsFilterNode(),
		parameters: {
			...operationFor('V2_Networks_CSV_Exports-create'),
			additionalFields: { organizationIds: '11,12' },
			pollInterval: 1,
			...extra,
		},
		credentials: { apiKey: makeApiKey(), baseUrl: server.url },
		timeoutMs: 30_000,
	});
}

test('without Wait for Completion the job is returned as created, with its root key sent', async () => {
	const { items, error } = await createExport({}, [{ url: null }]);
	assert.equal(error, undefined);
	assert.equal(server.requests.length, 1);
	assert.deepEqual(server.requests[0].body, {
		networks_csv_export: { organization_ids: [11, 12] },
	});
	assert.equal(items.length, 1);
	assert.equal(items[0].json.id, 77);
	assert.equal(items[0].json.url, null);
});

test('Wait for Completion polls the status operation until the URL is ready', async () => {
	const url = 'https://exports.example/networks-77.csv';
	const { items, error } = await createExport({ waitForCompletion: true, completionTimeout: 20 }, [
		{ url: null },
		{ url: null },
		{ url },
	]);
	assert.equal(error, undefined);
	assert.deepEqual(
		server.requests.map((r) => `${r.method} ${r.path}`),
		[
			'POST /v2/networks_csv_export',
			'GET /v2/networks_csv_export/77',
			'GET /v2/networks_csv_export/77',
			'GET /v2/networks_csv_export/77',
		],
	);
	const gaps = server.requests.slice(1).map((r, i) => r.at - server.requests[i].at);
	assert.ok(
		gaps.every((gap) => gap >= 950),
		`polls came faster than the 1 s interval: ${gaps}`,
	);
	assert.equal(items.length, 1);
	assert.equal(items[0].json.url, url);
});

test('a job that reports an error fails the item with that error', async () => {
	const { error } = await createExport({ waitForCompletion: true, completionTimeout: 20 }, [
		{ url: null, error: 'Export failed: too many rows' },
	]);
	assert.match(error.message, /DNSFilter export 77 failed: Export failed: too many rows/);
});

test('a job that never finishes stops at the timeout with an error saying how to fetch it later', async () => {
	const started = Date.now();
	const { error } = await createExport({ waitForCompletion: true, completionTimeout: 2 }, [
		{ url: null },
	]);
	const elapsed = Date.now() - started;
	assert.match(error.message, /DNSFilter export 77 was not ready after 2 seconds/);
	assert.match(error.description, /ID 77/);
	assert.ok(elapsed < 6000, `gave up after ${elapsed} ms`);
	assert.ok(
		server.requests.length >= 2 && server.requests.length <= 4,
		`${server.requests.length} requests`,
	);
});
