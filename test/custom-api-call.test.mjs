// The node's own Custom API Call through the real n8n-core engine, over HTTP to a stand-in: the
// path is checked before anything is sent, the request goes through the transport (429 retries,
// the API's errors, paging), query objects are Rails-encoded, and it is offered in every resource.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { loadDnsFilterNode, runNode } from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { json, startStandIn } from './support/standin-server.mjs';

const apiKey = makeApiKey({ sub: 'custom-api-call' });
let server;
before(async () => {
	server = await startStandIn();
});
after(async () => {
	await server.close();
});

const call = (parameters, extra = {}) =>
	runNode({
		nodeType: loadDnsFilterNode(),
		parameters: { resource: 'customApiCall', operation: 'customApiCall', ...parameters },
		credentials: { apiKey, baseUrl: server.url },
		items: extra.items,
		continueOnFail: extra.continueOnFail,
	});

describe('Custom API Call: the path is checked before anything is sent', () => {
	for (const [path, fragment] of [
		// Left empty, n8n itself refuses to run the node (the field is required); an expression that
		// resolves to nothing reaches the node.
		['={{ "" }}', 'required'],
		['https://evil.example/v1/networks', 'not a URL'],
		['//evil.example/v1/networks', 'not a URL'],
		['/v3/networks', '/v1/ or /v2/'],
		['v1/networks', '/v1/ or /v2/'],
		['/v1/networks/../../admin', '. or .. segments'],
		['/v1/networks/%2e%2e/admin', '. or .. segments'],
		['/v1/networks?page=2', 'Query Parameters'],
		['/v1/net works', 'spaces'],
	]) {
		test(JSON.stringify(path), async () => {
			server.requests.length = 0;
			server.setHandler((req, res) => json(res, 200, { data: [] }));
			const { error } = await call({ requestPath: path });
			assert.ok(error, 'the node fails');
			assert.ok(error.message.includes(fragment), error.message);
			assert.ok(error.message.includes('"Path"'), 'the message names the field');
			assert.equal(server.requests.length, 0, 'nothing was sent');
		});
	}
});

describe('Custom API Call: through the transport', () => {
	test('GET with Rails-encoded query objects, one item per record, after two 429s', async () => {
		server.requests.length = 0;
		let tries = 0;
		server.setHandler((req, res, record) => {
			if (record.path !== '/v1/networks') return json(res, 404, {});
			if (++tries <= 2) return json(res, 429, { error: 'slow down' }, { 'retry-after': '0' });
			return json(res, 200, {
				data: [
					{ id: '1', type: 'networks', attributes: { name: 'a' } },
					{ id: '2', type: 'networks', attributes: { name: 'b' } },
				],
			});
		});
		const { items, error } = await call({
			requestPath: '/v1/networks',
			requestQuery: JSON.stringify({ filter: { name: 'x', ids: [1, 2] }, sort: 'name' }),
		});
		assert.equal(error, undefined, error?.message);
		assert.equal(server.requests.length, 3, 'two 429s absorbed, then the answer');
		const last = server.requests.at(-1);
		assert.equal(last.method, 'GET');
		assert.equal(last.query.get('filter[name]'), 'x');
		assert.deepEqual(last.query.getAll('filter[ids][]'), ['1', '2']);
		assert.equal(last.query.get('sort'), 'name');
		assert.match(last.headers.authorization ?? '', /Bearer|Token|^ey/i);
		assert.deepEqual(
			items.map((item) => item.json.id),
			['1', '2'],
		);
	});

	test('POST sends the JSON body; an API error comes back with its message', async () => {
		server.requests.length = 0;
		server.setHandler((req, res, record) =>
			record.method === 'POST'
				? json(res, 422, { errors: [{ detail: 'Name has already been taken' }] })
				: json(res, 404, {}),
		);
		const { error } = await call({
			requestMethod: 'POST',
			requestPath: '/v1/networks',
			requestBody: JSON.stringify({ network: { name: 'dup' } }),
		});
		assert.ok(error);
		assert.equal(server.requests.length, 1, 'a POST is not retried');
		assert.deepEqual(server.requests[0].body, { network: { name: 'dup' } });
		assert.match(`${error.message} ${error.description ?? ''}`, /already been taken/);
	});

	test('Return All Pages walks page[number] / page[size] until a short page', async () => {
		server.requests.length = 0;
		server.setHandler((req, res, record) => {
			const page = Number(record.query.get('page[number]'));
			const size = Number(record.query.get('page[size]'));
			const total = 230;
			const start = (page - 1) * size;
			const data = Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => ({
				id: String(start + i + 1),
			}));
			return json(res, 200, { data });
		});
		const { items, error } = await call({ requestPath: '/v2/things', requestReturnAll: true });
		assert.equal(error, undefined, error?.message);
		assert.equal(items.length, 230);
		assert.deepEqual(
			server.requests.map((r) => r.query.get('page[number]')),
			['1', '2', '3'],
		);
	});

	test('offered in every resource: Custom API Call under Network runs the same request', async () => {
		server.requests.length = 0;
		server.setHandler((req, res) => json(res, 204, undefined));
		const { items, error } = await call({
			resource: 'network',
			requestMethod: 'DELETE',
			requestPath: '/v1/networks/7/secret_key',
		});
		assert.equal(error, undefined, error?.message);
		assert.equal(server.requests[0].method, 'DELETE');
		assert.equal(server.requests[0].path, '/v1/networks/7/secret_key');
		assert.deepEqual(
			items.map((item) => item.json),
			[{ success: true }],
		);
	});
});
