// Record pickers: From List searches run through n8n-core's own LoadOptionsContext and the node's
// one transport, over HTTP to a stand-in on 127.0.0.1 (search, paging, a 429 in the middle, the
// client-side filter's page bound, key redaction); the run path sends the same request for a
// picked record, a typed ID and a plain ID saved before pickers existed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';

import {
	listSearchCall,
	loadBuilt,
	loadDnsFilterNode,
	runNode,
	visibleText,
} from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { loadOperations, operationById } from './support/node-params.mjs';
import { json, startStandIn } from './support/standin-server.mjs';

const apiKey = makeApiKey({ sub: 'picker-user' });
const operations = loadOperations();
const { LIST_SEARCHES } = loadBuilt('nodes/DnsFilter/generated/listSearch.js');
const { CLIENT_FILTER_MAX_PAGES, PICKER_PAGE_SIZE } = loadBuilt(
	'nodes/DnsFilter/records/recordLists.js',
);

const NETWORKS = Array.from({ length: 120 }, (_, index) => ({
	id: index + 1,
	type: 'networks',
	attributes: { name: `Branch Office ${String(index + 1).padStart(3, '0')}` },
}));
const POLICIES = Array.from({ length: 1000 }, (_, index) => ({
	id: 5000 + index,
	type: 'policies',
	attributes: { name: index === 742 ? 'Strict Kiosk' : `Default ${index}` },
}));

/** A V1 page of `records` as the API answers one: data, links.next while more follow. */
function page(res, records, query, base) {
	const number = Number(query.get('page[number]') ?? 1);
	const size = Number(query.get('page[size]') ?? 20);
	const data = records.slice((number - 1) * size, number * size);
	const more = number * size < records.length;
	json(res, 200, {
		data,
		links: {
			self: `${base}?page[number]=${number}`,
			next: more ? `${base}?page[number]=${number + 1}` : null,
		},
	});
}

const CLIENT_UUID = '3f2b8c1e-0a6d-4e7f-9b21-5c4d3e2f1a0b';
const ROAMING_CLIENTS = [
	{
		id: '17',
		uuid: CLIENT_UUID,
		type: 'user_agents',
		attributes: { friendly_name: 'Front desk laptop', hostname: 'fd-01' },
	},
];

let server;
let nodeType;
/** Set per test: answers a request before the normal handler, or returns false to fall through. */
let intercept;

before(async () => {
	server = await startStandIn((req, res, record) => {
		if (intercept?.(req, res, record)) return;
		if (record.path === '/v1/networks') {
			const search = record.query.get('search');
			const list = search
				? NETWORKS.filter((entry) =>
						entry.attributes.name.toLowerCase().includes(search.toLowerCase()),
					)
				: NETWORKS;
			return page(res, list, record.query, '/v1/networks');
		}
		if (record.path === '/v1/policies') return page(res, POLICIES, record.query, '/v1/policies');
		if (record.path === '/v1/user_agents')
			return page(res, ROAMING_CLIENTS, record.query, '/v1/user_agents');
		if (/^\/v1\/networks\/\d+$/.test(record.path))
			return json(res, 200, {
				data: {
					id: Number(record.path.split('/').pop()),
					type: 'networks',
					attributes: { name: 'x' },
				},
			});
		return json(res, 404, { error: 'Not found', type: 'not_found' });
	});
	nodeType = loadDnsFilterNode();
});
after(async () => {
	await server.close();
});
beforeEach(() => {
	server.requests.length = 0;
	intercept = undefined;
});

const search = (method, filter, paginationToken, credentials = {}) =>
	listSearchCall({
		nodeType,
		method,
		filter,
		paginationToken,
		credentials: { apiKey, baseUrl: server.url, ...credentials },
		parameters: { resource: 'network', operation: 'getNetwork' },
	});

describe('From List', () => {
	test('the network picker lists names with ids, a page at a time, and pages on to the third page', async () => {
		const first = await search('searchNetworks');
		assert.equal(first.results.length, PICKER_PAGE_SIZE);
		assert.deepEqual(first.results[0], { name: 'Branch Office 001 (1)', value: '1' });
		assert.equal(first.paginationToken, '2');
		const second = await search('searchNetworks', undefined, first.paginationToken);
		assert.equal(second.results[0].value, String(PICKER_PAGE_SIZE + 1));
		const third = await search('searchNetworks', undefined, second.paginationToken);
		assert.deepEqual(
			third.results.map((entry) => entry.value),
			NETWORKS.slice(2 * PICKER_PAGE_SIZE).map((entry) => String(entry.id)),
		);
		assert.equal(third.paginationToken, undefined, 'the last page ends the list');
		assert.deepEqual(
			server.requests.map((entry) => [
				entry.query.get('page[number]'),
				entry.query.get('page[size]'),
			]),
			[
				['1', '50'],
				['2', '50'],
				['3', '50'],
			],
		);
		assert.ok(
			server.requests.every((entry) => entry.headers.authorization === apiKey),
			'through the credential',
		);
	});

	test("a search goes to the API's own search parameter when the list has one", async () => {
		const found = await search('searchNetworks', 'office 07');
		assert.deepEqual(
			found.results.map((entry) => entry.value),
			['70', '71', '72', '73', '74', '75', '76', '77', '78', '79'],
		);
		assert.equal(server.requests.length, 1);
		assert.equal(server.requests[0].query.get('search'), 'office 07');
		assert.equal(LIST_SEARCHES.searchNetworks.searchParam, 'search');
	});

	test('a 429 in the middle of paging is waited out as the server asks, then the page comes', async () => {
		let refused = 0;
		intercept = (req, res, record) => {
			if (
				record.path === '/v1/networks' &&
				record.query.get('page[number]') === '2' &&
				refused === 0
			) {
				refused++;
				json(
					res,
					429,
					{ error: 'Too many requests', type: 'rate_limited' },
					{ 'retry-after': '1' },
				);
				return true;
			}
			return false;
		};
		const first = await search('searchNetworks');
		const started = Date.now();
		const second = await search('searchNetworks', undefined, first.paginationToken);
		const waited = Date.now() - started;
		assert.equal(refused, 1);
		assert.equal(second.results[0].value, '51');
		assert.ok(waited >= 900, `waited ${waited} ms for Retry-After: 1`);
		assert.ok(waited < 10_000, `waited ${waited} ms`);
		assert.equal(
			server.requests.filter((entry) => entry.query.get('page[number]') === '2').length,
			2,
			'page 2 asked again once',
		);
	});

	test('a list without a search parameter is filtered here, reading at most a bounded number of pages per call', async () => {
		assert.equal(
			LIST_SEARCHES.searchPolicies.searchParam,
			undefined,
			'the policy list has no search parameter',
		);
		const first = await search('searchPolicies', 'kiosk');
		assert.deepEqual(first.results, [], 'not within the first pages');
		assert.equal(server.requests.length, CLIENT_FILTER_MAX_PAGES);
		assert.equal(
			first.paginationToken,
			String(CLIENT_FILTER_MAX_PAGES + 1),
			'the next call carries on where this one stopped',
		);
		server.requests.length = 0;
		let token = first.paginationToken;
		let found = [];
		for (let calls = 0; calls < 10 && token && found.length === 0; calls++) {
			const next = await search('searchPolicies', 'kiosk', token);
			found = next.results;
			token = next.paginationToken;
		}
		assert.deepEqual(found, [{ name: 'Strict Kiosk (5742)', value: '5742' }]);
		assert.ok(
			server.requests.every((entry) => !entry.query.has('search') && !entry.query.has('name')),
			'no made-up filter parameter is sent',
		);
	});

	test("an API error reaches the picker with the API's message and without the key", async () => {
		intercept = (req, res) => {
			json(res, 401, { error: `Invalid token ${apiKey}`, type: 'unauthorized' });
			return true;
		};
		await assert.rejects(search('searchNetworks'), (error) => {
			const text = `${error.message} ${error.description ?? ''} ${JSON.stringify(error)}`;
			assert.match(text, /Invalid token/);
			assert.ok(!text.includes(apiKey), 'the key is redacted');
			return true;
		});
	});

	test("a picker whose operations take a UUID hands over the record's uuid, not its numeric id", async () => {
		assert.equal(LIST_SEARCHES.searchRoamingClients.valueKey, 'uuid');
		const found = await search('searchRoamingClients');
		assert.deepEqual(found.results, [
			{ name: `Front desk laptop (${CLIENT_UUID})`, value: CLIENT_UUID },
		]);
	});

	test('every picker names a listSearch method the node has', () => {
		const pickers = nodeType.description.properties.filter(
			(property) => property.type === 'resourceLocator',
		);
		assert.ok(pickers.length >= 20, `${pickers.length} pickers`);
		for (const property of pickers) {
			const method = property.modes.find((mode) => mode.name === 'list').typeOptions
				.searchListMethod;
			assert.equal(
				typeof nodeType.methods.listSearch[method],
				'function',
				`${property.displayName}: ${method}`,
			);
		}
	});
});

test('the README states the counts of docs/locators.md (generated) and of the node', () => {
	const report = readFileSync(new URL('../docs/locators.md', import.meta.url), 'utf8');
	const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8').replace(
		/\s+/g,
		' ',
	);
	const [, total, pickers, text] =
		/(\d+) ID parameters across the operations; (\d+) are record pickers \(From List \/ By ID\), (\d+) stay text fields/
			.exec(report)
			.map(Number);
	assert.equal(Number(pickers) + Number(text), total);
	const properties = nodeType.description.properties.filter(
		(property) => property.type === 'resourceLocator',
	);
	const lists = new Set(
		properties.map((property) => property.modes[0].typeOptions.searchListMethod),
	);
	assert.ok(
		readme.includes(
			`Of the ${total} ID parameters of the 280 operations, ${pickers} are pickers (${properties.length} fields reading ${lists.size} list operations); the other ${text} stay text fields`,
		),
		'README counts',
	);
	assert.equal(lists.size, Object.keys(LIST_SEARCHES).length);
});

describe('the run path reads every form of the ID the same way', () => {
	const row = operationById(operations, 'V1_Networks-show');
	const run = (id) =>
		runNode({
			nodeType,
			parameters: { resource: row.resource, operation: row.operation, id },
			credentials: { apiKey, baseUrl: server.url },
		});

	for (const [name, value] of [
		[
			'a pick From List',
			{ __rl: true, mode: 'list', value: '12', cachedResultName: 'Branch Office 012 (12)' },
		],
		['an ID typed By ID', { __rl: true, mode: 'id', value: '12' }],
		['a plain ID saved before pickers', '12'],
		['an expression in By ID', { __rl: true, mode: 'id', value: '={{ 6 * 2 }}' }],
	]) {
		test(`${name} requests /v1/networks/12`, async () => {
			const result = await run(value);
			assert.equal(result.error, undefined, result.error?.message);
			assert.deepEqual(
				server.requests.map((entry) => `${entry.method} ${entry.path}`),
				['GET /v1/networks/12'],
			);
		});
	}

	test('a malformed ID typed By ID is flagged by n8n before the run starts, naming the field', async () => {
		await assert.rejects(run({ __rl: true, mode: 'id', value: 'abc' }), (error) => {
			assert.equal(error.name, 'WorkflowHasIssuesError');
			return true;
		});
		assert.equal(server.requests.length, 0);
	});

	test('a malformed ID from an expression fails before sending, naming the field by its label', async () => {
		const result = await run({ __rl: true, mode: 'id', value: '={{ "abc" }}' });
		assert.match(result.error?.message ?? '', /^The "Network ID" field must be a whole number/);
		assert.equal(server.requests.length, 0);
		assert.ok(!visibleText(result).includes(apiKey));
	});
});
