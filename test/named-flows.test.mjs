// Named user flows of the built DnsFilter node, run through the real n8n engine against the local
// stand-in server, with exact assertions on what went over the wire and what came out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { loadDnsFilterNode, runNode, visibleText } from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { buildParameters, loadOperations } from './support/node-params.mjs';
import { json, startStandIn } from './support/standin-server.mjs';

const apiKey = makeApiKey({ sub: 'named-flows-user' });
const secretParts = [apiKey, apiKey.split('.')[2]];
const RUN_TIMEOUT_MS = 30_000;
const TEST_TIMEOUT_MS = 45_000;
// Every run: no retries (a stand-in error must surface at once) and a bounded total wait.
const REQUEST_OPTIONS = { requestOptions: { maxRetries: 0, maxWaitSeconds: 0 } };

let server;
let nodeType;
let operations;
const everythingSeen = [];

before(async () => {
	server = await startStandIn();
	nodeType = loadDnsFilterNode();
	operations = loadOperations();
});
after(async () => {
	await server.close();
});

/** The table row for an HTTP method and path template (the operation as the API names it). */
function row(method, path) {
	const found = operations.filter((r) => r.method === method && r.path === path);
	assert.equal(found.length, 1, `exactly one operation for ${method} ${path}`);
	return found[0];
}

async function run(
	spec,
	values = {},
	{ items, continueOnFail, handler, parameters: override = {} } = {},
) {
	server.requests.length = 0;
	if (handler) server.setHandler(handler);
	const parameters = {
		...buildParameters(spec, { ...values, extra: { ...REQUEST_OPTIONS, ...(values.extra ?? {}) } }),
		...override,
	};
	const result = await runNode({
		nodeType,
		parameters,
		items,
		continueOnFail,
		credentials: { apiKey, baseUrl: server.url },
		timeoutMs: RUN_TIMEOUT_MS,
	});
	everythingSeen.push(...visibleText(result));
	return { ...result, parameters };
}

const only = (method, path, respond) => (req, res, record) => {
	if (record.method !== method || record.path !== path)
		return json(res, 404, { error: `unexpected ${record.method} ${record.path}` });
	return respond(req, res, record);
};

describe('API keys', () => {
	test(
		'Delete API Key: DELETE /v1/api_keys/{id}, 204 → {success: true, id}',
		{ timeout: TEST_TIMEOUT_MS },
		async () => {
			const spec = row('DELETE', '/v1/api_keys/{id}');
			assert.equal(spec.displayName, 'Delete API Key');
			const { items, error } = await run(
				spec,
				{ path: { id: 4711 } },
				{
					handler: only('DELETE', '/v1/api_keys/4711', (req, res) => {
						res.writeHead(204);
						res.end();
					}),
				},
			);
			assert.equal(error, undefined, error?.message);
			assert.equal(server.requests.length, 1);
			const [request] = server.requests;
			assert.equal(request.method, 'DELETE');
			assert.equal(request.path, '/v1/api_keys/4711');
			assert.equal(request.search, '');
			assert.equal(request.rawBody, '');
			assert.equal(request.headers.authorization, apiKey);
			assert.equal(items.length, 1);
			assert.equal(items[0].json.success, true);
			assert.equal(String(items[0].json.id), '4711');
			assert.deepEqual(items[0].pairedItem, { item: 0 });
		},
	);

	test(
		'Revoke API Key: POST /v1/api_keys/{id}/revoke, no body, the record out',
		{ timeout: TEST_TIMEOUT_MS },
		async () => {
			const spec = row('POST', '/v1/api_keys/{id}/revoke');
			assert.equal(spec.displayName, 'Revoke API Key');
			const { items, error } = await run(
				spec,
				{ path: { id: 12 } },
				{
					handler: only('POST', '/v1/api_keys/12/revoke', (req, res) =>
						json(res, 200, {
							data: {
								id: '12',
								type: 'api_keys',
								attributes: { name: 'CI', revoked_at: '2026-11-25T12:00:00Z' },
							},
						}),
					),
				},
			);
			assert.equal(error, undefined, error?.message);
			assert.equal(server.requests.length, 1);
			const [request] = server.requests;
			assert.equal(request.method, 'POST');
			assert.equal(request.path, '/v1/api_keys/12/revoke');
			assert.equal(request.search, '');
			assert.ok(
				request.rawBody === '' || request.rawBody === '{}',
				`unexpected body ${request.rawBody}`,
			);
			assert.equal(items.length, 1);
			assert.equal(items[0].json.id, '12');
			assert.equal(items[0].json.revoked_at, '2026-11-25T12:00:00Z');
		},
	);
});

describe('network secret key', () => {
	const cases = [
		['POST', 'Create Network Secret Key', { secret_key: 'sk-created' }],
		['PATCH', 'Rotate Network Secret Key', { secret_key: 'sk-rotated' }],
		['DELETE', 'Revoke Network Secret Key', { secret_key: null }],
	];
	for (const [method, label, attributes] of cases) {
		test(
			`${label}: ${method} /v1/networks/{id}/secret_key`,
			{ timeout: TEST_TIMEOUT_MS },
			async () => {
				const spec = row(method, '/v1/networks/{id}/secret_key');
				assert.equal(spec.displayName, label);
				const { items, error } = await run(
					spec,
					{ path: { id: 77 } },
					{
						handler: only(method, '/v1/networks/77/secret_key', (req, res) =>
							json(res, 200, {
								data: { id: '77', type: 'networks', attributes: { name: 'HQ', ...attributes } },
							}),
						),
					},
				);
				assert.equal(error, undefined, error?.message);
				assert.equal(server.requests.length, 1);
				const [request] = server.requests;
				assert.equal(request.method, method);
				assert.equal(request.path, '/v1/networks/77/secret_key');
				assert.equal(request.search, '');
				assert.ok(
					request.rawBody === '' || request.rawBody === '{}',
					`unexpected body ${request.rawBody}`,
				);
				assert.deepEqual(
					items.map((i) => i.json),
					[{ id: '77', type: 'networks', name: 'HQ', ...attributes }],
				);
			},
		);
	}
});

describe('Update Network', () => {
	test(
		'PATCH /v1/networks/{id} with the fields wrapped in the "network" root key',
		{ timeout: TEST_TIMEOUT_MS },
		async () => {
			const spec = row('PATCH', '/v1/networks/{id}');
			assert.equal(spec.displayName, 'Update Network');
			assert.equal(spec.body.rootKey, 'network');
			const body = {
				network: {
					name: 'Head Office',
					organization_id: 31,
					policy_ids: [5, 6],
					physical_address: '1 Main St',
				},
			};
			const { items, error, parameters } = await run(
				spec,
				{ path: { id: 9 }, body },
				{
					handler: only('PATCH', '/v1/networks/9', (req, res, record) =>
						json(res, 200, {
							data: { id: '9', type: 'networks', attributes: record.body.network },
						}),
					),
				},
			);
			// The fields are the node's own: top-level required ones, optional ones in Additional Fields.
			assert.equal(parameters.name, 'Head Office');
			assert.equal(parameters.organizationId, 31);
			assert.deepEqual(parameters.additionalFields, {
				policyIds: '5,6',
				physicalAddress: '1 Main St',
			});
			assert.equal(error, undefined, error?.message);
			const [request] = server.requests;
			assert.equal(request.method, 'PATCH');
			assert.equal(request.path, '/v1/networks/9');
			assert.equal(request.headers['content-type']?.split(';')[0], 'application/json');
			assert.deepEqual(request.body, body);
			assert.equal(items[0].json.name, 'Head Office');
		},
	);

	test(
		'the same body entered as JSON (without the root key) is wrapped too',
		{ timeout: TEST_TIMEOUT_MS },
		async () => {
			const spec = row('PATCH', '/v1/networks/{id}');
			const { error } = await run(
				spec,
				{ path: { id: 9 } },
				{
					parameters: { useJsonBody: true, jsonBody: '{"name":"HQ","organization_id":31}' },
					handler: only('PATCH', '/v1/networks/9', (req, res) =>
						json(res, 200, { data: { id: '9', type: 'networks', attributes: {} } }),
					),
				},
			);
			assert.equal(error, undefined, error?.message);
			assert.deepEqual(server.requests[0].body, { network: { name: 'HQ', organization_id: 31 } });
		},
	);
});

describe('Query Logs with Return All', () => {
	test(
		'walks 3 pages with page[number]/page[size], following the traffic-report page.next',
		{ timeout: TEST_TIMEOUT_MS },
		async () => {
			const spec = row('GET', '/v1/traffic_reports/query_logs');
			assert.equal(spec.displayName, 'Get Query Logs');
			assert.equal(spec.pagination, 'trafficReport');
			const pages = {
				1: {
					values: [{ fqdn: 'a.example' }, { fqdn: 'b.example' }, { fqdn: 'c.example' }],
					next: 2,
				},
				2: {
					values: [{ fqdn: 'd.example' }, { fqdn: 'e.example' }, { fqdn: 'f.example' }],
					next: 3,
				},
				3: { values: [{ fqdn: 'g.example' }, { fqdn: 'h.example' }] },
			};
			const { items, error } = await run(
				spec,
				{
					query: { organization_id: 31, from: '2026-11-01T00:00:00Z' },
					extra: { returnAll: true },
				},
				{
					handler: only('GET', '/v1/traffic_reports/query_logs', (req, res, record) => {
						const page = pages[record.query.get('page[number]')];
						if (!page)
							return json(res, 400, { error: `no page ${record.query.get('page[number]')}` });
						return json(res, 200, {
							data: { total: 8, values: page.values, page: page.next ? { next: page.next } : {} },
						});
					}),
				},
			);
			assert.equal(error, undefined, error?.message);
			assert.equal(server.requests.length, 3, 'exactly three pages asked for');
			server.requests.forEach((request, index) => {
				assert.equal(request.method, 'GET');
				assert.equal(request.path, '/v1/traffic_reports/query_logs');
				assert.equal(request.query.get('page[number]'), String(index + 1));
				assert.equal(request.query.get('page[size]'), '100');
				assert.equal(request.query.get('organization_id'), '31');
				assert.equal(request.query.get('from'), '2026-11-01T00:00:00Z');
				assert.equal(
					request.query.has('page'),
					false,
					'page goes as page[number]/page[size], never as one value',
				);
			});
			assert.deepEqual(
				items.map((i) => i.json.fqdn),
				[
					'a.example',
					'b.example',
					'c.example',
					'd.example',
					'e.example',
					'f.example',
					'g.example',
					'h.example',
				],
			);
			assert.ok(items.every((i) => i.pairedItem?.item === 0));
		},
	);

	test('Limit stops early: one page of the right size', { timeout: TEST_TIMEOUT_MS }, async () => {
		const spec = row('GET', '/v1/traffic_reports/query_logs');
		const { items, error } = await run(
			spec,
			{ extra: { returnAll: false, limit: 2 } },
			{
				handler: only('GET', '/v1/traffic_reports/query_logs', (req, res) =>
					json(res, 200, {
						data: { values: [{ fqdn: 'a.example' }, { fqdn: 'b.example' }], page: { next: 2 } },
					}),
				),
			},
		);
		assert.equal(error, undefined, error?.message);
		assert.equal(server.requests.length, 1);
		assert.equal(server.requests[0].query.get('page[number]'), '1');
		assert.equal(server.requests[0].query.get('page[size]'), '2');
		assert.equal(items.length, 2);
	});
});

describe('Bulk Add Blocklist Domains', () => {
	test(
		'POST /v1/policies/bulk/add_blocklist_domains with domains, notes and policy ids',
		{ timeout: TEST_TIMEOUT_MS },
		async () => {
			const spec = row('POST', '/v1/policies/bulk/add_blocklist_domains');
			assert.equal(spec.displayName, 'Bulk Add Blocklist Domains');
			const body = {
				domains: ['bad.example', 'worse.example'],
				notes: { 'bad.example': 'phishing' },
				policy_ids: [3, 4],
			};
			const { items, error, parameters } = await run(
				spec,
				{ body },
				{
					handler: only('POST', '/v1/policies/bulk/add_blocklist_domains', (req, res) =>
						json(res, 200, { data: { status: 'ok' } }),
					),
				},
			);
			assert.deepEqual(parameters.additionalFields, {
				domains: 'bad.example,worse.example',
				notes: '{"bad.example":"phishing"}',
				policyIds: '3,4',
			});
			assert.equal(error, undefined, error?.message);
			assert.equal(server.requests.length, 1);
			const [request] = server.requests;
			assert.equal(request.method, 'POST');
			assert.equal(request.path, '/v1/policies/bulk/add_blocklist_domains');
			assert.equal(request.search, '');
			assert.deepEqual(request.body, body);
			assert.equal(items.length, 1);
			assert.equal(items[0].json.status, 'ok');
		},
	);
});

describe('errors', () => {
	test(
		'continueOnFail keeps the other items, each with its own pairedItem',
		{ timeout: TEST_TIMEOUT_MS },
		async () => {
			const spec = row('GET', '/v1/networks/{id}');
			const { items, error } = await run(
				spec,
				{},
				{
					items: [{ networkId: 1 }, { networkId: 2 }, { networkId: 3 }],
					continueOnFail: true,
					parameters: { id: '={{ $json.networkId }}' },
					handler: (req, res, record) => {
						const id = record.path.split('/').pop();
						if (id === '2') return json(res, 404, { error: 'Record not found' });
						return json(res, 200, {
							data: { id, type: 'networks', attributes: { name: `Net ${id}` } },
						});
					},
				},
			);
			assert.equal(error, undefined, 'continueOnFail must not fail the node');
			assert.deepEqual(server.requests.map((r) => r.path).sort(), [
				'/v1/networks/1',
				'/v1/networks/2',
				'/v1/networks/3',
			]);
			assert.equal(items.length, 3);
			assert.deepEqual(
				items.map((i) => i.pairedItem),
				[{ item: 0 }, { item: 1 }, { item: 2 }],
			);
			assert.equal(items[0].json.name, 'Net 1');
			assert.equal(items[2].json.name, 'Net 3');
			assert.match(JSON.stringify(items[1].json.error), /Record not found/);
			assert.equal(items[1].json.name, undefined);
		},
	);

	test(
		'continueOnFail with Items in Parallel: output in item order, pairedItem per item, although answers arrive out of order',
		{ timeout: TEST_TIMEOUT_MS },
		async () => {
			const spec = row('DELETE', '/v1/api_keys/{id}');
			const delays = { 1: 300, 2: 0, 3: 150, 4: 0 };
			const { items, error } = await run(
				spec,
				{ extra: { requestOptions: { concurrency: 4 } } },
				{
					items: [{ key: 1 }, { key: 2 }, { key: 3 }, { key: 4 }],
					continueOnFail: true,
					parameters: { id: '={{ $json.key }}' },
					handler: async (req, res, record) => {
						const id = record.path.split('/').pop();
						await new Promise((resolve) => setTimeout(resolve, delays[id] ?? 0));
						if (id === '3') return json(res, 403, { error: 'Forbidden' });
						res.writeHead(204);
						res.end();
					},
				},
			);
			assert.equal(error, undefined);
			assert.equal(server.requests.length, 4);
			// They really ran in parallel: all four were asked for before the slowest answered.
			const spread =
				Math.max(...server.requests.map((r) => r.at)) -
				Math.min(...server.requests.map((r) => r.at));
			assert.ok(spread < 250, `requests spread over ${spread} ms: not in parallel`);
			assert.deepEqual(
				items.map((i) => i.pairedItem),
				[{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }],
			);
			assert.deepEqual(
				items.map((i) => String(i.json.id ?? '')),
				['1', '2', '', '4'],
			);
			assert.equal(items[0].json.success, true);
			assert.match(JSON.stringify(items[2].json.error), /Forbidden/);
		},
	);

	test(
		'without continueOnFail the failing item stops the node with the API message',
		{ timeout: TEST_TIMEOUT_MS },
		async () => {
			const spec = row('GET', '/v1/networks/{id}');
			const { error } = await run(
				spec,
				{ path: { id: 2 } },
				{ handler: (req, res) => json(res, 404, { error: 'Record not found' }) },
			);
			assert.match(error?.message ?? '', /Record not found \[HTTP 404\]/);
		},
	);

	test(
		'a bad JSON field value fails before any request, naming the field',
		{ timeout: TEST_TIMEOUT_MS },
		async () => {
			const spec = row('POST', '/v1/policies/bulk/add_blocklist_domains');
			const { error, items } = await run(
				spec,
				{},
				{
					parameters: {
						useJsonBody: false,
						additionalFields: { notes: '{"bad.example": phishing}' },
					},
					handler: (req, res) => json(res, 200, {}),
				},
			);
			assert.equal(server.requests.length, 0, 'nothing may be sent');
			assert.equal(items.length, 0);
			assert.match(error?.message ?? '', /"Notes" field is not valid JSON/);
			assert.match(error?.description ?? '', /JSON object/);
		},
	);

	test('a bad JSON Body fails naming the JSON Body', { timeout: TEST_TIMEOUT_MS }, async () => {
		const spec = row('PATCH', '/v1/networks/{id}');
		const { error } = await run(
			spec,
			{ path: { id: 9 } },
			{ parameters: { useJsonBody: true, jsonBody: '{"name": "HQ",' } },
		);
		assert.equal(server.requests.length, 0);
		assert.match(error?.message ?? '', /"JSON Body" field is not valid JSON/);
	});

	test(
		"a bad JSON value under continueOnFail becomes that item's error only",
		{ timeout: TEST_TIMEOUT_MS },
		async () => {
			const spec = row('POST', '/v1/policies/bulk/add_blocklist_domains');
			const { items, error } = await run(
				spec,
				{},
				{
					items: [{ notes: '{"a.example":"x"}' }, { notes: '{broken' }],
					continueOnFail: true,
					parameters: { additionalFields: { notes: '={{ $json.notes }}' } },
					handler: (req, res) => json(res, 200, { data: { status: 'ok' } }),
				},
			);
			assert.equal(error, undefined);
			assert.equal(server.requests.length, 1);
			assert.deepEqual(server.requests[0].body, { notes: { 'a.example': 'x' } });
			assert.deepEqual(
				items.map((i) => i.pairedItem),
				[{ item: 0 }, { item: 1 }],
			);
			assert.equal(items[0].json.status, 'ok');
			assert.match(JSON.stringify(items[1].json.error), /Notes.*not valid JSON/);
		},
	);
});

describe('secrets', () => {
	test('the API key never appears in outputs, errors or log lines', () => {
		assert.ok(everythingSeen.length > 20, 'the flows above ran');
		const haystack = everythingSeen.join('\n');
		for (const part of secretParts)
			assert.equal(
				haystack.includes(part),
				false,
				'the API key leaked into output, errors or logs',
			);
	});
});
