// A run of several items that stops on a failure says what happened to the other items: n8n
// passes no output on from a failed node, so an unattended clean-up (delete a list of API keys)
// would otherwise not know which deletions went through. The summary must match what the server
// actually did, whatever the order the answers came back in.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { loadBuilt } from './support/engine.mjs';
import { runOperation, standInForFile } from './support/hostile-servers.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { loadOperations, operationById } from './support/node-params.mjs';
import { json } from './support/standin-server.mjs';

const { describeIndexes } = loadBuilt('nodes/DnsFilter/actions/boundedConcurrency.js');

const apiKey = makeApiKey({ sub: 'summary-user' });
let api;
standInForFile((server) => {
	api = server;
});
const credentials = () => ({ apiKey, baseUrl: api.url });
const keyIds = (count) => Array.from({ length: count }, (_, i) => ({ keyId: 100 + i }));

/** DELETE /v1/api_keys/:id: `failing` answers 422 at once, the others 204 after `delayOf(id)` ms. */
function deletingServer({ failing, delayOf = () => 0 }) {
	const deleted = new Set();
	api.setHandler(async (req, res, record) => {
		const id = Number(record.path.split('/').pop());
		if (id === failing) return json(res, 422, ['Api key is in use by an active integration']);
		await new Promise((resolve) => setTimeout(resolve, delayOf(id)));
		deleted.add(id);
		res.writeHead(204);
		res.end();
	});
	return deleted;
}

/** Item indexes (0-based, as n8n numbers them) of the key ids in `ids`. */
const indexesOf = (ids) => [...ids].map((id) => id - 100).sort((a, b) => a - b);

async function deleteKeys({ count, concurrency, continueOnFail }) {
	const row = operationById(loadOperations(), 'V1_Api_Keys-destroy');
	const idField = row.fields.find((field) => field.in === 'path' && field.wireName === 'id').field;
	return await runOperation('V1_Api_Keys-destroy', {
		extra: { [idField]: '={{ $json.keyId }}', requestOptions: { concurrency, maxRetries: 0 } },
		items: keyIds(count),
		credentials: credentials(),
		continueOnFail,
	});
}

describe('what a stopped run reports about its other items', () => {
	test('one at a time: the items before the failure succeeded, the ones after were not sent', async () => {
		const deleted = deletingServer({ failing: 103 });
		const { error } = await deleteKeys({ count: 10 });
		assert.match(error.message, /Api key is in use/);
		assert.deepEqual(indexesOf(deleted), [0, 1, 2]);
		assert.equal(api.requests.length, 4);
		assert.match(
			error.description,
			/This run of 10 items stopped at item 3: items 0–2 succeeded \(their requests were made; a failed node passes no output on\); items 4–9 were not sent\./,
		);
		assert.match(error.description, /"On Error"/);
	});

	test('three in parallel, later items answering first: the summary names exactly the deletions the server made', async () => {
		// Item 4 fails at once; items 5 and 6, already on the wire, are deleted after it failed.
		const deleted = deletingServer({ failing: 104, delayOf: (id) => (id < 104 ? 5 : 150) });
		const { error } = await deleteKeys({ count: 12, concurrency: 3 });
		assert.match(error.message, /Api key is in use/);
		const sent = new Set(api.requests.map((r) => Number(r.path.split('/').pop())));
		const succeeded = indexesOf(deleted);
		assert.ok(
			succeeded.some((index) => index > 4),
			`an item after the failure was deleted too: ${succeeded}`,
		);
		const notSent = Array.from({ length: 12 }, (_, i) => i).filter((i) => !sent.has(100 + i));
		assert.ok(notSent.length > 0, 'the run stopped before the end');
		assert.ok(
			error.description.includes(`items ${describeIndexes(succeeded)} succeeded`),
			`the summary names the deleted items ${describeIndexes(succeeded)}: ${error.description}`,
		);
		assert.ok(
			error.description.includes(`${describeIndexes(notSent)} were not sent`),
			error.description,
		);
	});

	test('two failures in flight: the first is thrown, the other named as failed too', async () => {
		const deleted = new Set();
		api.setHandler(async (req, res, record) => {
			const id = Number(record.path.split('/').pop());
			await new Promise((resolve) => setTimeout(resolve, id === 101 ? 150 : 5));
			if (id === 101 || id === 102) return json(res, 404, { error: `Api key ${id} not found` });
			deleted.add(id);
			res.writeHead(204);
			res.end();
		});
		const { error } = await deleteKeys({ count: 8, concurrency: 3 });
		assert.match(
			`${error.message} ${error.description}`,
			/101/,
			'the lowest failing item is the one thrown',
		);
		assert.doesNotMatch(error.message, /102/);
		const succeeded = indexesOf(deleted);
		assert.ok(
			succeeded.length >= 2,
			`items after the slow failure went through meanwhile: ${succeeded}`,
		);
		assert.ok(
			error.description.includes(
				`stopped at item 1: items ${describeIndexes(succeeded)} succeeded`,
			),
			error.description,
		);
		assert.match(error.description, /; item 2 failed too;/);
	});

	test('a single item gets no summary, and Continue keeps one output per item instead', async () => {
		deletingServer({ failing: 100 });
		const single = await deleteKeys({ count: 1 });
		assert.doesNotMatch(String(single.error.description), /This run of/);
		deletingServer({ failing: 102 });
		const kept = await deleteKeys({ count: 4, concurrency: 2, continueOnFail: true });
		assert.equal(kept.error, undefined);
		assert.deepEqual(
			kept.items.map((item) => item.pairedItem.item),
			[0, 1, 2, 3],
		);
		assert.match(String(kept.items[2].json.error), /Api key is in use/);
		assert.doesNotMatch(JSON.stringify(kept.items), /This run of/);
	});

	test('indexes read as runs', () => {
		assert.equal(describeIndexes([]), '');
		assert.equal(describeIndexes([4]), '4');
		assert.equal(describeIndexes([4, 5]), '4–5');
		assert.equal(describeIndexes([0, 1, 2, 3, 4, 6, 9]), '0–4, 6 and 9');
		assert.equal(describeIndexes([1, 3, 5]), '1, 3 and 5');
		assert.equal(describeIndexes([0, 1, 2, 7, 8]), '0–2 and 7–8');
	});
});
