// The hand-written parts wired into the real DNSFilter node: API key fields on list/get, Check
// Current Key, Items in Parallel and the rate-limit hint — through the real n8n-core engine.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { loadDnsFilterNode, runNode } from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { operationFor } from './support/node-params.mjs';
import { json, startStandIn } from './support/standin-server.mjs';

const DAY = 86_400_000;
const apiKey = makeApiKey({ sub: 'custom-ops' });
let server;
before(async () => {
	server = await startStandIn();
});
after(async () => {
	await server.close();
});

const run = (parameters, extra = {}) =>
	runNode({
		nodeType: loadDnsFilterNode(),
		parameters,
		credentials: { apiKey, baseUrl: server.url, ...extra.credentials },
		items: extra.items,
		continueOnFail: extra.continueOnFail,
	});

describe('API key list/get add expiry fields', () => {
	const keys = () => {
		const now = Date.now();
		return [
			{
				id: '1',
				type: 'api_keys',
				attributes: {
					name: 'ci',
					status: 'active',
					expiry: new Date(now + 14 * DAY + 60_000).toISOString(),
					last_four: 'aaaa',
				},
			},
			{
				id: '2',
				type: 'api_keys',
				attributes: {
					name: 'old',
					status: 'revoked',
					expiry: new Date(now + 3 * DAY).toISOString(),
					last_four: 'bbbb',
				},
			},
			{
				id: '3',
				type: 'api_keys',
				attributes: {
					name: 'gone',
					status: 'expired',
					expiry: new Date(now - 2 * DAY - 60_000).toISOString(),
					last_four: 'cccc',
				},
			},
			{
				id: '4',
				type: 'api_keys',
				attributes: {
					name: 'today',
					status: 'active',
					expiry: new Date(now + 3600_000).toISOString(),
					last_four: 'dddd',
				},
			},
		];
	};

	test('Get Many API Keys: default threshold 14', async () => {
		server.setHandler((req, res, record) =>
			record.path === '/v1/api_keys'
				? json(res, 200, { data: keys(), links: {} })
				: json(res, 404, {}),
		);
		const { items, error } = await run({ ...operationFor('V1_Api_Keys-index'), returnAll: true });
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(
			items.map(({ json: k }) => [k.id, k.name, k.expiresInDays, k.isExpired, k.isExpiringSoon]),
			[
				['1', 'ci', 14, false, true],
				['2', 'old', 2, false, false],
				['3', 'gone', -3, true, false],
				['4', 'today', 0, false, true],
			],
		);
	});

	test('Get API Key with a threshold of 7', async () => {
		server.setHandler((req, res, record) =>
			json(res, 200, { data: keys().find((k) => record.path.endsWith(`/${k.id}`)) }),
		);
		const { items } = await run({
			...operationFor('V1_Api_Keys-show'),
			id: '1',
			expiringSoonThresholdDays: 7,
		});
		assert.deepEqual([items[0].json.expiresInDays, items[0].json.isExpiringSoon], [14, false]);
	});
});

describe('Check Current Key in the real node', () => {
	test('reports the credential key without a request', async () => {
		server.requests.length = 0;
		const { items, error } = await run({ resource: 'apiKey', operation: 'checkCurrentKey' });
		assert.equal(error, undefined, error?.message);
		assert.equal(server.requests.length, 0);
		assert.equal(items[0].json.subject, 'custom-ops');
		assert.equal(items[0].json.expiresInDays, 29);
		assert.equal(items[0].json.isExpiringSoon, false);
		assert.equal(JSON.stringify(items).includes(apiKey.split('.')[2]), false);
	});
});

describe('Items in Parallel and the rate-limit hint in the real node', () => {
	test('Get Network for 15 items, 5 in parallel: output in item order, a failed item in place', async () => {
		let inFlight = 0;
		let peak = 0;
		server.setHandler(async (req, res, record) => {
			inFlight++;
			peak = Math.max(peak, inFlight);
			const id = Number(record.path.split('/').pop());
			await new Promise((resolve) => setTimeout(resolve, (16 - id) * 20));
			inFlight--;
			if (id === 7) return json(res, 404, { error: 'Record not found' });
			return json(
				res,
				200,
				{ data: { id: String(id), type: 'networks', attributes: { name: `Site ${id}` } } },
				{
					'RateLimit-Limit': '2000',
					'RateLimit-Remaining': String(150 - id),
					'RateLimit-Reset': '30',
				},
			);
		});
		const { items, error, hints } = await run(
			{
				...operationFor('V1_Networks-show'),
				id: '={{ $json.id }}',
				requestOptions: { concurrency: 5 },
			},
			{ items: Array.from({ length: 15 }, (_, i) => ({ id: i + 1 })), continueOnFail: true },
		);
		assert.equal(error, undefined, error?.message);
		assert.equal(peak, 5);
		assert.deepEqual(
			items.map((i) => i.pairedItem.item),
			Array.from({ length: 15 }, (_, i) => i),
		);
		assert.match(items[6].json.error, /Record not found/);
		assert.equal(items[14].json.name, 'Site 15');
		// 135-149 of 2,000 left is below the pacing mark too, so a pacing hint may come with the warning.
		assert.equal(hints.filter((h) => h.type === 'warning').length, 1);
		assert.match(
			hints.find((h) => h.type === 'warning').message,
			/of 2,000 requests left, the window resets in 30 s/,
		);
	});

	test('Get operations default to several at once (Reads in Parallel 50); Reads in Parallel 1 is one at a time', async () => {
		let inFlight = 0;
		let peak = 0;
		server.setHandler(async (req, res) => {
			inFlight++;
			peak = Math.max(peak, inFlight);
			await new Promise((resolve) => setTimeout(resolve, 3));
			inFlight--;
			json(res, 200, { data: { id: '1' } });
		});
		const { items } = await run(
			{ ...operationFor('V1_Networks-show'), id: '={{ $json.id }}' },
			{ items: [{ id: 1 }, { id: 2 }, { id: 3 }] },
		);
		assert.equal(items.length, 3);
		assert.equal(peak, 3);
		peak = 0;
		const one = await run(
			{
				...operationFor('V1_Networks-show'),
				id: '={{ $json.id }}',
				requestOptions: { readConcurrency: 1 },
			},
			{ items: [{ id: 1 }, { id: 2 }, { id: 3 }] },
		);
		assert.equal(one.items.length, 3);
		assert.equal(peak, 1);
	});
});
