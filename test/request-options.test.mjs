// The node's "Request Options" reach the request helper: retries and the per-request timeout.
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

// Each run is its own credential: the pacer remembers a credential's budget across runs in the
// process, and a run after "12 of 2,000 left" would rightly wait for it.
let runs = 0;
async function getNetwork(requestOptions, handler) {
	server.requests.length = 0;
	server.setHandler(handler);
	return await runNode({
		nodeType: loadDnsFilterNode(),
		parameters: { ...operationFor('V1_Networks-show'), id: '42', requestOptions },
		credentials: { apiKey: makeApiKey({ sub: `request-options-${++runs}` }), baseUrl: server.url },
		timeoutMs: 30_000,
	});
}

test('Timeout (Seconds) ends a request the server never answers, and a GET is retried once per Max Retries', async () => {
	const hang = () => new Promise(() => {});
	const started = Date.now();
	const { error } = await getNetwork(
		{ timeoutSeconds: 1, maxRetries: 1, maxWaitSeconds: 10 },
		hang,
	);
	const elapsed = Date.now() - started;
	assert.match(
		error.message,
		/Could not reach DNSFilter at http:\/\/127\.0\.0\.1:\d+ \(timed out\)/,
	);
	assert.equal(server.requests.length, 2);
	assert.ok(
		elapsed >= 2000 && elapsed < 10_000,
		`two 1 s timeouts and a short backoff took ${elapsed} ms`,
	);
});

test('Max Retries 0 surfaces the first 429 at once', async () => {
	const { error } = await getNetwork({ maxRetries: 0 }, (req, res) =>
		json(res, 429, { error: 'Rate limit exceeded' }, { 'Retry-After': '1' }),
	);
	assert.equal(server.requests.length, 1);
	assert.match(error.message, /gave up after 1 try and/);
});

test('without Request Options the defaults retry a 429 and succeed', async () => {
	let calls = 0;
	const { error, items } = await getNetwork(undefined, (req, res) =>
		calls++ === 0
			? json(res, 429, {}, { 'Retry-After': '0' })
			: json(res, 200, { data: { id: '42', type: 'networks', attributes: { name: 'HQ' } } }),
	);
	assert.equal(error, undefined);
	assert.equal(server.requests.length, 2);
	assert.deepEqual(
		items.map((item) => item.json),
		[{ id: '42', type: 'networks', name: 'HQ' }],
	);
});

test('a nearly spent organization budget shows as an execution hint', async () => {
	const { hints, error } = await getNetwork(undefined, (req, res) =>
		json(
			res,
			200,
			{ data: { id: '42', type: 'networks', attributes: {} } },
			{ 'RateLimit-Limit': '2000', 'RateLimit-Remaining': '12', 'RateLimit-Reset': '95' },
		),
	);
	assert.equal(error, undefined);
	assert.equal(hints.length, 1);
	assert.match(hints[0].message, /12 of 2,000 requests left, the window resets in 2 min/);
});

test('no hint while plenty of the budget is left', async () => {
	const { hints } = await getNetwork(undefined, (req, res) =>
		json(
			res,
			200,
			{ data: { id: '42', type: 'networks', attributes: {} } },
			{ 'RateLimit-Limit': '2000', 'RateLimit-Remaining': '1500', 'RateLimit-Reset': '95' },
		),
	);
	assert.deepEqual(hints, []);
});
